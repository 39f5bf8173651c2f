import { z } from 'zod';

import { decodeS3EventKey } from '@newsflow/object-store';

/**
 * S3 event notifications as MinIO's Kafka/webhook targets and AWS S3 (relayed by EventBridge, SNS or a
 * Lambda) write them: `{ Records: [{ eventName, s3: { bucket: { name }, object: { key, eTag?, size? } } }] }`.
 * MinIO also wraps them as `{ EventName, Key, Records }`. Unknown fields are ignored.
 */
const S3EventRecordSchema = z.object({
  eventName: z.string(),
  s3: z.object({
    bucket: z.object({ name: z.string().min(1) }),
    object: z.object({ key: z.string().min(1) }),
  }),
});

export const BucketEventSchema = z.object({ Records: z.array(z.unknown()).min(1) });

export interface CreatedObjectEvent {
  bucket: string;
  key: string;
}

/** The created objects an event names; deletions and other events are not ingestion's business. */
export function createdObjects(body: unknown): { created: CreatedObjectEvent[]; ignored: number } {
  const parsed = BucketEventSchema.safeParse(body);
  if (!parsed.success) return { created: [], ignored: 0 };
  const created: CreatedObjectEvent[] = [];
  let ignored = 0;
  for (const raw of parsed.data.Records) {
    const record = S3EventRecordSchema.safeParse(raw);
    // AWS names them `ObjectCreated:Put`, MinIO `s3:ObjectCreated:Put`.
    if (!record.success || !/(^|:)ObjectCreated:/.test(record.data.eventName)) {
      ignored++;
      continue;
    }
    created.push({ bucket: record.data.s3.bucket.name, key: decodeS3EventKey(record.data.s3.object.key) });
  }
  return { created, ignored };
}
