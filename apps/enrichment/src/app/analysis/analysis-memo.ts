import { type Topic } from '@newsflow/contracts';
import { type ArticleAnalysis } from '@newsflow/enrichment';
import { type ConsumedEvent, PermanentError } from '@newsflow/kafka';

export type AnalysisOutcome = PromiseSettledResult<ArticleAnalysis>;

type IngestedEvent = ConsumedEvent<typeof Topic.ArticleIngestedV1>;

/**
 * The analyses of a chunk that failed, kept for the runtime's next calls with the same events: the
 * whole chunk again (a transient failure after the analyses) or each of its articles alone (a failure
 * for good). Those calls then reuse each article's analysis, or its permanent failure, instead of
 * running it again: a poison article times out (or crashes its worker) once, not twice, and the others
 * are not analysed twice. A transient failure (workers shutting down) is not kept: it deserves its try.
 *
 * An outcome is used once, for the same message (topic, partition, offset) and article; the oldest are
 * dropped past `capacity` (a chunk whose partition went to another member is never called again here).
 */
export class AnalysisMemo {
  private readonly outcomes = new Map<string, AnalysisOutcome>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.outcomes.size;
  }

  remember(event: IngestedEvent, outcome: AnalysisOutcome): void {
    if (outcome.status === 'rejected' && !(outcome.reason instanceof PermanentError)) return;
    const key = keyOf(event);
    this.outcomes.delete(key);
    this.outcomes.set(key, outcome);
    for (const oldest of this.outcomes.keys()) {
      if (this.outcomes.size <= this.capacity) break;
      this.outcomes.delete(oldest);
    }
  }

  take(event: IngestedEvent): AnalysisOutcome | undefined {
    const key = keyOf(event);
    const outcome = this.outcomes.get(key);
    this.outcomes.delete(key);
    return outcome;
  }
}

function keyOf(event: IngestedEvent): string {
  return `${event.topic}|${event.partition}|${event.offset}|${event.payload.id}`;
}
