import { CreateIngestLedger1764200000000 } from './1764200000000-create-ingest-ledger';

/** Listed explicitly, in order: compiled and bundled output cannot be globbed reliably. */
export const INGESTION_MIGRATIONS = [CreateIngestLedger1764200000000];
