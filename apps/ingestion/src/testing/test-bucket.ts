import { randomBytes } from 'node:crypto';

import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';

import { s3ClientFromEnv } from '@newsflow/object-store';

import { forEachLimited } from './environment';

/** An object as put: what S3 event notifications name. */
export interface PutObject {
  key: string;
  /** Without quotes, as the service reports it in `source.etag`. */
  etag: string;
  size: number;
}

const unquote = (etag: string | undefined) => (etag ?? '').replace(/^W\//, '').replace(/^"(.*)"$/, '$1');

/**
 * A bucket of its own for one suite (`newsflow-ingest-<label>-<random>`) on S3_ENDPOINT, with the same
 * client settings as the service (s3ClientFromEnv: path-style, checksums only when required).
 */
export class TestBucket {
  readonly name: string;
  readonly client: S3Client;

  constructor(label: string) {
    this.name = `newsflow-ingest-${label}-${randomBytes(4).toString('hex')}`;
    this.client = s3ClientFromEnv(process.env);
  }

  async create(): Promise<void> {
    await this.client.send(new CreateBucketCommand({ Bucket: this.name }));
  }

  async put(key: string, body: string | Buffer): Promise<PutObject> {
    const bytes = typeof body === 'string' ? Buffer.from(body, 'utf8') : body;
    const result = await this.client.send(new PutObjectCommand({ Bucket: this.name, Key: key, Body: bytes }));
    return { key, etag: unquote(result.ETag), size: bytes.length };
  }

  async putMany(
    objects: readonly { key: string; body: string | Buffer }[],
    concurrency = 16,
  ): Promise<PutObject[]> {
    const put: PutObject[] = new Array<PutObject>(objects.length);
    await forEachLimited(objects, concurrency, async (object, index) => {
      put[index] = await this.put(object.key, object.body);
    });
    return put;
  }

  async head(key: string): Promise<PutObject | null> {
    try {
      const result = await this.client.send(new HeadObjectCommand({ Bucket: this.name, Key: key }));
      return { key, etag: unquote(result.ETag), size: result.ContentLength ?? 0 };
    } catch (error) {
      if (error instanceof S3ServiceException && error.$metadata.httpStatusCode === 404) return null;
      throw error;
    }
  }

  async getText(key: string): Promise<string> {
    const result = await this.client.send(new GetObjectCommand({ Bucket: this.name, Key: key }));
    return (await result.Body?.transformToString('utf8')) ?? '';
  }

  async keys(prefix?: string): Promise<string[]> {
    const keys: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.name, Prefix: prefix, ContinuationToken: token }),
      );
      for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return keys;
  }

  /** Empties and deletes the bucket, then closes the client; never throws (it is cleanup). */
  async destroy(): Promise<string | undefined> {
    try {
      // Deepest first: S3Proxy's filesystem backend lists folder placeholders ("a/", "a/b/") as keys too.
      const keys = (await this.keys()).sort((a, b) => b.length - a.length);
      await forEachLimited(keys, 16, async (key) => {
        await this.client.send(new DeleteObjectCommand({ Bucket: this.name, Key: key }));
      });
      await this.client.send(new DeleteBucketCommand({ Bucket: this.name }));
      return undefined;
    } catch (error) {
      return `could not delete bucket ${this.name}: ${(error as Error).message}`;
    } finally {
      this.client.destroy();
    }
  }
}

/** A key as S3 event notifications carry it: URL-encoded like a form value (space = '+'). */
function encodeEventKey(key: string, keepSlashes: boolean): string {
  const encoded = encodeURIComponent(key).replace(/%20/g, '+');
  return keepSlashes ? encoded.replace(/%2F/g, '/') : encoded;
}

/** An ObjectCreated event as MinIO's webhook target sends it (keys fully escaped, `/` as %2F). */
export function minioCreatedEvent(bucket: string, object: PutObject): object {
  return {
    EventName: 's3:ObjectCreated:Put',
    Key: `${bucket}/${object.key}`,
    Records: [
      {
        eventVersion: '2.0',
        eventSource: 'minio:s3',
        eventName: 's3:ObjectCreated:Put',
        s3: {
          bucket: { name: bucket },
          object: { key: encodeEventKey(object.key, false), eTag: object.etag, size: object.size },
        },
      },
    ],
  };
}

/** An ObjectCreated event as AWS S3 writes it (keys URL-encoded, `/` kept). */
export function awsCreatedEvent(bucket: string, objects: readonly PutObject[]): object {
  return {
    Records: objects.map((object) => ({
      eventVersion: '2.1',
      eventSource: 'aws:s3',
      eventName: 'ObjectCreated:Put',
      s3: {
        bucket: { name: bucket, arn: `arn:aws:s3:::${bucket}` },
        object: { key: encodeEventKey(object.key, true), eTag: object.etag, size: object.size },
      },
    })),
  };
}
