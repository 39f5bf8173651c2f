import { type DataSource } from 'typeorm';

import { digestPayload } from './digest-payload';
import { digestWindowEndSql } from './digest-window';

interface CollectedMatch {
  id: string;
  subscriptionId: string;
  subscriptionName: string;
  digestMinutes: number | null;
  windowEnd: Date;
  payload: object;
  createdAt: Date;
}

interface Window {
  subscriptionId: string;
  dedupeKey: string;
  matches: CollectedMatch[];
}

/** Matches taken per flush; a larger window spills its remainder into the next one. */
const DEFAULT_FLUSH_LIMIT = 10_000;

/**
 * Turns the collected matches of every closed digest window into one `article.digest` delivery, in one
 * transaction: the digest row is durable before any attempt, and each match points at it (`digested`).
 *
 * The digest's key `digest:<window end>` is unique per subscription, so a window is sent once even when
 * several workers flush at the same time; a match that reaches an already flushed window (its
 * transaction committed just after the window closed) moves on to the current window instead.
 */
export async function flushDueDigests(
  dataSource: DataSource,
  input: { limit?: number } = {},
): Promise<number> {
  return dataSource.transaction(async (manager) => {
    const collected: CollectedMatch[] = await manager.query(
      `SELECT d.id, d.subscription_id AS "subscriptionId", s.name AS "subscriptionName",
              s.digest_minutes AS "digestMinutes", d.next_attempt_at AS "windowEnd", d.payload,
              d.created_at AS "createdAt"
       FROM notification.deliveries d
       JOIN notification.subscriptions s ON s.id = d.subscription_id
       WHERE d.status = 'collected' AND d.next_attempt_at <= now()
       ORDER BY d.next_attempt_at, d.subscription_id, d.created_at, d.article_id
       LIMIT $1
       FOR UPDATE OF d SKIP LOCKED`,
      [input.limit ?? DEFAULT_FLUSH_LIMIT],
    );
    if (collected.length === 0) return 0;

    const windows = new Map<string, Window>();
    for (const match of collected) {
      const dedupeKey = `digest:${match.windowEnd.toISOString()}`;
      const key = `${match.subscriptionId} ${dedupeKey}`;
      const window = windows.get(key) ?? { subscriptionId: match.subscriptionId, dedupeKey, matches: [] };
      window.matches.push(match);
      windows.set(key, window);
    }
    const list = [...windows.values()];
    const inserted: { id: string; subscriptionId: string; dedupeKey: string }[] = await manager.query(
      `INSERT INTO notification.deliveries (subscription_id, kind, dedupe_key, payload, status)
       SELECT w.subscription_id, 'digest', w.dedupe_key, w.payload,
              CASE WHEN s.status = 'disabled' THEN 'held' ELSE 'pending' END
       FROM unnest($1::uuid[], $2::text[], $3::jsonb[]) AS w (subscription_id, dedupe_key, payload)
       JOIN notification.subscriptions s ON s.id = w.subscription_id
       ON CONFLICT DO NOTHING
       RETURNING id, subscription_id AS "subscriptionId", dedupe_key AS "dedupeKey"`,
      [
        list.map((window) => window.subscriptionId),
        list.map((window) => window.dedupeKey),
        list.map((window) => JSON.stringify(payloadOf(window))),
      ],
    );

    const digestOf = new Map(inserted.map((row) => [`${row.subscriptionId} ${row.dedupeKey}`, row.id]));
    const bundled: { matchId: string; digestId: string }[] = [];
    const late: string[] = [];
    for (const [key, window] of windows) {
      const digestId = digestOf.get(key);
      for (const match of window.matches) {
        if (digestId === undefined) late.push(match.id);
        else bundled.push({ matchId: match.id, digestId });
      }
    }
    await manager.query(
      `UPDATE notification.deliveries d SET status = 'digested', digest_id = b.digest_id
       FROM unnest($1::uuid[], $2::uuid[]) AS b (match_id, digest_id)
       WHERE d.id = b.match_id`,
      [bundled.map((entry) => entry.matchId), bundled.map((entry) => entry.digestId)],
    );
    if (late.length > 0) {
      // Without a digest window any more (the option was switched off), a late match is sent alone.
      await manager.query(
        `UPDATE notification.deliveries d
         SET status = CASE WHEN s.digest_minutes IS NULL THEN 'pending' ELSE 'collected' END,
             next_attempt_at = CASE WHEN s.digest_minutes IS NULL THEN now()
                                    ELSE ${digestWindowEndSql('now()', 's.digest_minutes')} END
         FROM notification.subscriptions s
         WHERE d.id = ANY($1::uuid[]) AND s.id = d.subscription_id`,
        [late],
      );
    }
    return inserted.length;
  });
}

function payloadOf(window: Window): object {
  const first = window.matches[0] as CollectedMatch;
  const windowEnd = first.windowEnd;
  // The option may have changed since the matches were collected; then the window starts with them.
  const windowStart =
    first.digestMinutes === null
      ? first.createdAt
      : new Date(windowEnd.getTime() - first.digestMinutes * 60_000);
  return digestPayload({
    subscription: { id: first.subscriptionId, name: first.subscriptionName },
    windowStart,
    windowEnd,
    matches: window.matches.map((match) => match.payload),
  });
}
