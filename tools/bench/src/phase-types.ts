/** The phases and what goes in and out of the child process that runs one; no dependencies. */

export const PHASES = ['parse-text', 'parse-ndjson', 'publish-text', 'publish-ndjson'] as const;
export type PhaseName = (typeof PHASES)[number];

export const PHASE_TITLES: Readonly<Record<PhaseName, string>> = {
  'parse-text': '1. parse text files (read + parseArticleText)',
  'parse-ndjson': '2. parse NDJSON (readArticles)',
  'publish-text': '3. text files → Kafka (parse + validate + publish)',
  'publish-ndjson': '4. large NDJSON → Kafka (readArticles + validate + publish)',
};

export function needsKafka(phase: PhaseName): boolean {
  return phase === 'publish-text' || phase === 'publish-ndjson';
}

export interface PhaseInput {
  phase: PhaseName;
  textDir: string;
  /** Times the text files are read (phases 1 and 3): one pass of ~19,000 articles is only seconds. */
  textPasses: number;
  /** The corpus once, as NDJSON (phase 2). */
  ndjsonFile: string;
  /** The corpus repeated to the requested size (phase 4). */
  bigNdjsonFile: string;
  batchSize: number;
  /** Batches sent and not yet acknowledged at most; 1 is what the ingestion service does. */
  inFlight: number;
  /** Read stream chunk size for NDJSON, bytes. */
  readChunkBytes: number;
  kafka?: { brokers: string[]; contractTopic: boolean };
}

export interface PhaseResult {
  phase: PhaseName;
  /** Articles parsed successfully. */
  articles: number;
  /** Records the parser rejected. */
  rejected: number;
  /** Events sent to Kafka (0 in the parse-only phases); a batch's repeated content is sent once. */
  published: number;
  /** Input bytes read. */
  bytes: number;
  seconds: number;
  /** CPU time of the phase process (user + system) during the phase: below `seconds`, it waited. */
  cpuSeconds: number;
  /**
   * Linux only: of `seconds`, how long the main thread waited for a CPU while runnable (a busy machine),
   * and how long it slept (waiting for the broker's acknowledgements or the disk).
   */
  cpuWaitSeconds?: number;
  idleSeconds?: number;
  rssStart: number;
  rssPeak: number;
  heapUsedPeak: number;
  externalPeak: number;
  /** Memory samples taken (every 50 ms while the event loop was free, and once at the end). */
  memorySamples: number;
  topic?: string;
}

/** What phase-worker.ts sends back to cli.ts. */
export type WorkerMessage = { ok: true; result: PhaseResult } | { ok: false; error: string };
