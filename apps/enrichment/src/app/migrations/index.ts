import { CreateFingerprintsAndKeyphrases1764300000000 } from './1764300000000-create-fingerprints-and-keyphrases';

/** Listed explicitly, in order: compiled and bundled output cannot be globbed reliably. */
export const ENRICHMENT_MIGRATIONS = [CreateFingerprintsAndKeyphrases1764300000000];
