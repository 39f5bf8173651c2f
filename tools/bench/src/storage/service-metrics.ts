/**
 * What the service's /metrics says about the drain: how large its chunks were per topic (the consumer
 * hands storage at most one fetched partition batch per chunk) and whether anything was dead-lettered.
 */

export interface MetricSample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE_LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

/** The samples of a Prometheus text exposition (comments and malformed lines are skipped). */
export function parseMetrics(text: string): MetricSample[] {
  const samples: MetricSample[] = [];
  for (const line of text.split('\n')) {
    const match = SAMPLE_LINE.exec(line);
    if (!match || line.startsWith('#')) continue;
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL))
      labels[key as string] = (value as string).replace(/\\(.)/g, '$1');
    const value = Number(match[3]);
    if (Number.isFinite(value)) samples.push({ name: match[1] as string, labels, value });
  }
  return samples;
}

export interface DrainMetrics {
  /** Mean chunk size per topic (messages per transaction). */
  meanChunk: Record<string, number>;
  chunks: Record<string, number>;
  deadLetters: number;
}

export function drainMetrics(samples: readonly MetricSample[], stage = 'storage'): DrainMetrics {
  const meanChunk: Record<string, number> = {};
  const chunks: Record<string, number> = {};
  const sums = new Map<string, number>();
  for (const sample of samples) {
    if (sample.labels['stage'] !== stage) continue;
    const topic = sample.labels['topic'];
    if (topic === undefined) continue;
    if (sample.name === 'newsflow_consumer_batch_size_sum') sums.set(topic, sample.value);
    if (sample.name === 'newsflow_consumer_batch_size_count') chunks[topic] = sample.value;
  }
  for (const [topic, count] of Object.entries(chunks))
    meanChunk[topic] = count > 0 ? (sums.get(topic) ?? 0) / count : 0;
  const deadLetters = samples
    .filter((sample) => sample.name === 'newsflow_dead_letters_total' && sample.labels['stage'] === stage)
    .reduce((sum, sample) => sum + sample.value, 0);
  return { meanChunk, chunks, deadLetters };
}

export async function fetchDrainMetrics(baseUrl: string): Promise<DrainMetrics | undefined> {
  try {
    const response = await fetch(`${baseUrl}/metrics`);
    return response.ok ? drainMetrics(parseMetrics(await response.text())) : undefined;
  } catch {
    return undefined;
  }
}
