import { createHash } from 'node:crypto';

import { type Entity } from './value';

/**
 * An entity's id, derived from its type and canonical name as article ids are from their content: the
 * same entity has the same id in every database and on every replay, so the ids storage serves
 * (`/api/entities`, article details) work in notification's subscription filters. Storage's migration
 * computes it in SQL the same way (`md5(type || ':' || canonical_name)`). MD5 is a fingerprint here,
 * not a security measure.
 */
export function entityId(type: Entity['type'], canonicalName: string): string {
  return createHash('md5').update(`${type}:${canonicalName}`, 'utf8').digest('hex');
}
