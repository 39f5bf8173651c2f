import { z } from 'zod';

import { type RawMessage } from '@newsflow/kafka';

import { type DeadLetter } from './dead-letter';

/**
 * Redrives are recorded on a compacted topic of their own, one record per dead letter keyed by
 * `<dead-letter topic>/<id>`, so a second `redrive` of the same selection knows what went out already.
 * It is a constant of this tool rather than a contract topic: only this tool reads or writes it.
 */
export const DEFAULT_REDRIVEN_TOPIC = 'news.dlq.redriven.v1';

const RedriveMarkerSchema = z.object({
  dlqTopic: z.string(),
  id: z.string(),
  /** The dead letter's own timestamp: a topic deleted and created again reuses ids, never with the same time. */
  deadLetteredAt: z.string(),
  originalTopic: z.string(),
  redrivenAt: z.string(),
  /** The `ce_id` of the republished event. */
  eventId: z.string(),
  /** How many times it was redriven (`--again` adds one). */
  count: z.number().int().positive(),
});

export type RedriveMarker = z.infer<typeof RedriveMarkerSchema>;

export function markerKey(dlqTopic: string, id: string): string {
  return `${dlqTopic}/${id}`;
}

export function markerMessage(marker: RedriveMarker): RawMessage {
  return { key: markerKey(marker.dlqTopic, marker.id), value: JSON.stringify(marker), headers: {} };
}

/** Removes a purged dead letter's marker once compaction runs. */
export function markerTombstone(dlqTopic: string, id: string): RawMessage {
  return { key: markerKey(dlqTopic, id), value: null, headers: {} };
}

/** The redrive log as read from its topic: the latest marker per key. */
export class RedriveLog {
  private readonly markers = new Map<string, RedriveMarker>();
  /** Records that are not markers (written by something else): ignored, but counted for a warning. */
  unreadable = 0;

  /** Applies one record of the log, in offset order; a tombstone (null value) removes the marker. */
  applyRecord(key: Buffer | null, value: Buffer | null): void {
    if (key === null) return;
    if (value === null) {
      this.markers.delete(key.toString('utf8'));
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(value.toString('utf8'));
    } catch {
      this.unreadable++;
      return;
    }
    const parsed = RedriveMarkerSchema.safeParse(json);
    if (parsed.success) this.record(parsed.data);
    else this.unreadable++;
  }

  record(marker: RedriveMarker): void {
    this.markers.set(markerKey(marker.dlqTopic, marker.id), marker);
  }

  /** The marker of this very dead letter, if it was redriven. */
  markerOf(
    dlqTopic: string,
    deadLetter: Pick<DeadLetter, 'id' | 'deadLetteredAt'>,
  ): RedriveMarker | undefined {
    const marker = this.markers.get(markerKey(dlqTopic, deadLetter.id));
    return marker?.deadLetteredAt === deadLetter.deadLetteredAt.toISOString() ? marker : undefined;
  }

  /** Whether a marker exists for this id at all (even of an older record with the same id). */
  hasKey(dlqTopic: string, id: string): boolean {
    return this.markers.has(markerKey(dlqTopic, id));
  }
}
