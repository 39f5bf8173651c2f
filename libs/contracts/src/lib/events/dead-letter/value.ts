import { z } from 'zod';

/**
 * A dead letter keeps the original message byte for byte (key, value, headers) so it can be redriven
 * as it was; the failure context travels in `dlq_*` headers (see DeadLetterHeader).
 */
export const DeadLetterV1Schema = z.unknown().describe('The original message value, unchanged');

export type DeadLetterV1 = z.infer<typeof DeadLetterV1Schema>;

export const DeadLetterHeader = {
  Stage: 'dlq_stage',
  ConsumerGroup: 'dlq_consumer_group',
  OriginalTopic: 'dlq_original_topic',
  OriginalPartition: 'dlq_original_partition',
  OriginalOffset: 'dlq_original_offset',
  ErrorCode: 'dlq_error_code',
  ErrorMessage: 'dlq_error_message',
  Attempts: 'dlq_attempts',
  FirstFailureAt: 'dlq_first_failure_at',
  LastFailureAt: 'dlq_last_failure_at',
} as const;

export type DeadLetterHeader = (typeof DeadLetterHeader)[keyof typeof DeadLetterHeader];
