import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource } from 'typeorm';

import { apiKeyPrefixOf, generateApiKey, hashApiKey, isWellFormedApiKey } from './api-key';

export interface ApiKeyRecord {
  id: string;
  name: string;
  /** The first characters of the key, to recognise it. */
  prefix: string;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
}

/** How often a key's last use is written: often enough to tell unused keys, not a write per request. */
const LAST_USED_RESOLUTION_MS = 60_000;

const COLUMNS = `id, name, key_prefix AS prefix, created_at AS "createdAt", last_used_at AS "lastUsedAt",
                 revoked_at AS "revokedAt"`;

/** The only place that reads or writes `notification.api_keys`. Used by the service and the CLI. */
@Injectable()
export class ApiKeyRepository {
  private readonly lastTouched = new Map<string, number>();

  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** Creates a key; the key itself is returned this once and never stored. */
  async create(name: string): Promise<{ key: string; record: ApiKeyRecord }> {
    const key = generateApiKey();
    const [record] = (await this.dataSource.query(
      `INSERT INTO notification.api_keys (name, key_hash, key_prefix) VALUES ($1, $2, $3) RETURNING ${COLUMNS}`,
      [name, hashApiKey(key), apiKeyPrefixOf(key)],
    )) as ApiKeyRecord[];
    return { key, record: record as ApiKeyRecord };
  }

  async list(): Promise<ApiKeyRecord[]> {
    return this.dataSource.query(`SELECT ${COLUMNS} FROM notification.api_keys ORDER BY created_at, id`);
  }

  /** Revokes a key at once; false when there is no such key or it was revoked already. */
  async revoke(id: string): Promise<boolean> {
    const [, changed] = (await this.dataSource.query(
      `UPDATE notification.api_keys SET revoked_at = now() WHERE id = $1 AND revoked_at IS NULL`,
      [id],
    )) as [unknown[], number];
    return changed > 0;
  }

  /** The key's record when it is a valid, unrevoked key; notes its use (at most once a minute). */
  async authenticate(key: string, now = Date.now()): Promise<ApiKeyRecord | undefined> {
    if (!isWellFormedApiKey(key)) return undefined;
    const [record] = (await this.dataSource.query(
      `SELECT ${COLUMNS} FROM notification.api_keys WHERE key_hash = $1 AND revoked_at IS NULL`,
      [hashApiKey(key)],
    )) as ApiKeyRecord[];
    if (!record) return undefined;
    const touched = this.lastTouched.get(record.id) ?? record.lastUsedAt?.getTime() ?? 0;
    if (now - touched >= LAST_USED_RESOLUTION_MS) {
      this.lastTouched.set(record.id, now);
      await this.dataSource.query(`UPDATE notification.api_keys SET last_used_at = now() WHERE id = $1`, [
        record.id,
      ]);
    }
    return record;
  }
}
