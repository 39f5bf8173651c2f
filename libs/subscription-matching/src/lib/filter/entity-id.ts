export const ENTITY_TYPES = ['PERSON', 'ORGANIZATION', 'LOCATION', 'MISC'] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

/** An entity's id as storage serves it, so its ids can be used in subscription filters. */
export { entityId } from '@newsflow/contracts';
