import { createHash } from 'node:crypto';
import { open } from 'node:fs/promises';

import { PARSER_VERSION, type Rejection, parseArticleText } from '@newsflow/article-format';
import { type SourceObject, Topic } from '@newsflow/contracts';
import { type EventPublisher } from '@newsflow/kafka';

import { inboxKey } from './inbox-paths';
import { keepRejectedFile } from './rejected-file-keeper';

/** The local inbox as a bucket: events name it `local`, keys are paths relative to the inbox. */
export const LOCAL_BUCKET = 'local';

export type IngestOutcome =
  { kind: 'published'; articleId: string } | { kind: 'rejected'; code: Rejection['code']; keptAt: string };

export interface FileIngestorOptions {
  inboxDir: string;
  maxFileBytes: number;
  publisher: EventPublisher;
}

/** Reads one inbox file and turns it into exactly one article event, or one kept rejection. */
export class FileIngestor {
  constructor(private readonly options: FileIngestorOptions) {}

  async ingest(absolutePath: string, firstSeenAt: Date): Promise<IngestOutcome> {
    const key = inboxKey(this.options.inboxDir, absolutePath);
    const { bytes, sizeBytes } = await this.readCapped(absolutePath);
    const complete = sizeBytes <= this.options.maxFileBytes;
    const source: SourceObject = {
      bucket: LOCAL_BUCKET,
      key,
      // Like S3's ETag of a single-part upload; only known when the whole file was read.
      etag: complete ? createHash('md5').update(bytes).digest('hex') : undefined,
      sizeBytes,
    };
    const parsed = !complete
      ? ({
          ok: false,
          rejection: {
            code: 'TOO_LARGE',
            message: `File is ${sizeBytes} bytes; the limit is ${this.options.maxFileBytes} (INGEST_MAX_FILE_BYTES)`,
          },
        } as const)
      : parseArticleText(bytes, { maxBytes: this.options.maxFileBytes });

    if (!parsed.ok) return this.reject({ absolutePath, source, rejection: parsed.rejection, firstSeenAt });

    const { article } = parsed;
    await this.options.publisher.publish({
      topic: Topic.ArticleIngestedV1,
      key: article.id,
      payload: {
        ...article,
        source,
        parserVersion: PARSER_VERSION,
        firstSeenAt: firstSeenAt.toISOString(),
        ingestedAt: new Date().toISOString(),
      },
    });
    return { kind: 'published', articleId: article.id };
  }

  private async reject(input: {
    absolutePath: string;
    source: SourceObject;
    rejection: Rejection;
    firstSeenAt: Date;
  }): Promise<IngestOutcome> {
    const rejectedAt = new Date().toISOString();
    // The file is set aside before the event goes out: if publishing fails, the file is still kept.
    const keptAt = await keepRejectedFile({
      inboxDir: this.options.inboxDir,
      absolutePath: input.absolutePath,
      record: {
        ...input.rejection,
        key: input.source.key,
        sizeBytes: input.source.sizeBytes,
        firstSeenAt: input.firstSeenAt.toISOString(),
        rejectedAt,
      },
    });
    await this.options.publisher.publish({
      topic: Topic.ArticleRejectedV1,
      key: `${input.source.bucket}/${input.source.key}`,
      payload: {
        source: input.source,
        reason: input.rejection,
        keptAt: inboxKey(this.options.inboxDir, keptAt),
        firstSeenAt: input.firstSeenAt.toISOString(),
        rejectedAt,
      },
    });
    return { kind: 'rejected', code: input.rejection.code, keptAt };
  }

  /** Reads at most one byte past the limit: a huge file is rejected without loading it whole. */
  private async readCapped(absolutePath: string): Promise<{ bytes: Buffer; sizeBytes: number }> {
    const handle = await open(absolutePath, 'r');
    try {
      const { size } = await handle.stat();
      const length = Math.min(size, this.options.maxFileBytes + 1);
      const bytes = Buffer.alloc(length);
      const { bytesRead } = await handle.read(bytes, 0, length, 0);
      return { bytes: bytes.subarray(0, bytesRead), sizeBytes: size };
    } finally {
      await handle.close();
    }
  }
}
