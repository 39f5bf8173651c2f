import { createHash } from 'node:crypto';

export const ENTITY_TYPES = ['PERSON', 'ORGANIZATION', 'LOCATION', 'MISC'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

/**
 * An entity's id as storage computes it (`md5(type || ':' || canonical_name)` in hex), so the ids of
 * `/api/entities` and of article details can be used in subscription filters. MD5 is a fingerprint here,
 * not a security measure.
 */
export function entityId(type: EntityType, canonicalName: string): string {
  return createHash('md5').update(`${type}:${canonicalName}`, 'utf8').digest('hex');
}
