import { z } from 'zod';

/** Article ids are content-derived (32 hex chars of a sha256), so the same article always has the same id. */
export const ArticleIdSchema = z
  .string()
  .regex(/^[0-9a-f]{32}$/, 'must be 32 lowercase hex characters')
  .describe('Content-derived article id: the first 32 hex characters of contentHash.');

export const IsoDateTimeSchema = z.iso.datetime({ offset: true }).describe('ISO 8601 timestamp');

export const CalendarDateSchema = z.iso.date().describe('Calendar date, YYYY-MM-DD');

/** Where an input came from: the bucket (or local inbox) and the object key inside it. */
export const SourceObjectSchema = z
  .object({
    bucket: z.string().min(1).describe('Bucket name, or `local` for the watched inbox folder'),
    key: z.string().min(1).describe('Object key (path relative to the inbox for local folders)'),
    etag: z.string().optional().describe('Entity tag of the object version that was read'),
    sizeBytes: z.number().int().nonnegative().describe('Size of the object in bytes'),
    line: z
      .number()
      .int()
      .positive()
      .optional()
      .describe('Line of the record in a JSON Lines object (1-based)'),
    byteStart: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('Start of the record in the (decompressed) object, in bytes'),
    byteEnd: z
      .number()
      .int()
      .nonnegative()
      .optional()
      .describe('End of the record in the (decompressed) object, in bytes, exclusive'),
  })
  .describe('The object an article or rejection came from');

export type SourceObject = z.infer<typeof SourceObjectSchema>;
