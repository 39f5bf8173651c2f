/**
 * S3ObjectStore against a real S3-compatible endpoint (S3_ENDPOINT; `npm test` starts S3Proxy for it
 * and sets S3_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY). Each run creates its own bucket
 * `newsflow-os-<random>` and deletes it afterwards.
 */
import { createHash, randomBytes } from 'node:crypto';

import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from '@aws-sdk/client-s3';

import { ObjectNotFoundError, type ObjectInfo } from './object-store';
import { openObjectStore } from './open-object-store';
import { S3ObjectStore, s3ClientFromEnv } from './s3-object-store';

// The SDK warns once per process that its 2027 releases will need Node 22; not this suite's concern.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

function requireS3Endpoint(): string {
  const endpoint = process.env['S3_ENDPOINT'];
  if (!endpoint) {
    throw new Error(
      'S3_ENDPOINT is not set: this integration suite needs an S3-compatible endpoint. `npm test` starts ' +
        'S3Proxy and sets S3_ENDPOINT, S3_REGION, AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY; to run it alone, ' +
        'start one (e.g. with startS3Proxy() from tools/dev/lib/s3proxy.mjs) and export those variables.',
    );
  }
  return endpoint;
}

requireS3Endpoint();

const BUCKET = `newsflow-os-${randomBytes(5).toString('hex')}`;
const PREFIX = 'incoming/';

function md5(content: Buffer): string {
  return createHash('md5').update(content).digest('hex');
}

/** ~25 objects under the prefix: spaces, unicode, nesting, a long name and a 1 MB object. */
function fixtures(): Map<string, Buffer> {
  const objects = new Map<string, Buffer>();
  for (let i = 0; i < 15; i++) {
    objects.set(`${PREFIX}article-${String(i).padStart(2, '0')}.json`, Buffer.from(JSON.stringify({ i })));
  }
  const special = [
    'with space.txt',
    'plus+and%percent.txt',
    'über/Grüße aus Köln.txt',
    'ñandú/€ 100.json',
    '日本語/ニュース.txt',
    '📰 emoji.ndjson',
    'a/b/c/deep.xml',
    'a/b/sibling.xml',
    `${'long-name-'.repeat(19)}end.txt`,
  ];
  for (const key of special) objects.set(`${PREFIX}${key}`, Buffer.from(`content of ${key}\n`));
  objects.set(`${PREFIX}big/one-megabyte.bin`, randomBytes(1024 * 1024));
  return objects;
}

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

async function listAll(store: S3ObjectStore, pageSize?: number): Promise<ObjectInfo[]> {
  const all: ObjectInfo[] = [];
  for await (const info of store.list(pageSize === undefined ? undefined : { pageSize })) all.push(info);
  return all;
}

async function emptyAndDeleteBucket(client: S3Client): Promise<void> {
  let token: string | undefined;
  const keys: string[] = [];
  do {
    const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: token }));
    for (const object of page.Contents ?? []) if (object.Key) keys.push(object.Key);
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  // Deepest first: S3Proxy's filesystem backend lists folder placeholders ("a/", "a/b/") as keys too.
  keys.sort((a, b) => b.length - a.length);
  for (const key of keys) await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: key }));
  await client.send(new DeleteBucketCommand({ Bucket: BUCKET }));
}

describe('S3ObjectStore (S3_ENDPOINT)', () => {
  const objects = fixtures();
  let client: S3Client;
  let store: S3ObjectStore;

  beforeAll(async () => {
    client = s3ClientFromEnv(process.env);
    await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
    for (const [key, body] of objects) {
      await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
    }
    // Outside the prefix: never listed.
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'elsewhere/other.txt', Body: 'other' }));
    await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'incoming-not/x.txt', Body: 'x' }));
    store = new S3ObjectStore({ client, bucket: BUCKET, prefix: 'incoming' });
  });

  afterAll(async () => {
    if (client) {
      await emptyAndDeleteBucket(client).catch((error: unknown) => {
        console.warn(`could not delete bucket ${BUCKET}: ${(error as Error).message}`);
      });
      client.destroy();
    }
  });

  it('is what openObjectStore() gives for s3://<bucket>/incoming', () => {
    const opened = openObjectStore(`s3://${BUCKET}/incoming`, process.env);
    expect(opened).toBeInstanceOf(S3ObjectStore);
    expect(opened.bucket).toBe(BUCKET);
    expect(opened.prefix).toBe(PREFIX);
  });

  it('lists every object under the prefix exactly once across pages, with etag and size', async () => {
    const pages: Array<number | undefined> = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (context.commandName === 'ListObjectsV2Command') {
          pages.push((args.input as { MaxKeys?: number }).MaxKeys);
        }
        return next(args);
      },
      { step: 'initialize', name: 'countListPages' },
    );
    let listed: ObjectInfo[];
    try {
      listed = await listAll(store, 10);
    } finally {
      client.middlewareStack.remove('countListPages');
    }
    expect(pages.length).toBeGreaterThanOrEqual(3); // 25 objects, 10 per page
    expect(new Set(pages)).toEqual(new Set([10]));
    const keys = listed.map((info) => info.key);
    expect(new Set(keys).size).toBe(keys.length);
    expect([...keys].sort()).toEqual([...objects.keys()].sort());
    for (const info of listed) {
      const body = objects.get(info.key) ?? Buffer.alloc(0);
      expect(info).toEqual({
        bucket: BUCKET,
        key: info.key,
        etag: md5(body), // single-part uploads: the ETag is the MD5, here without quotes
        sizeBytes: body.length,
        lastModified: expect.any(Date),
      });
    }
    // Unpaginated (the server's default page size) gives the same.
    expect((await listAll(store)).map((info) => info.key).sort()).toEqual([...keys].sort());
  });

  it('heads objects, and null for missing keys', async () => {
    const key = `${PREFIX}über/Grüße aus Köln.txt`;
    const info = await store.head(key);
    expect(info).toEqual({
      bucket: BUCKET,
      key,
      etag: md5(objects.get(key) ?? Buffer.alloc(0)),
      sizeBytes: objects.get(key)?.length,
      lastModified: expect.any(Date),
    });
    expect(await store.head(`${PREFIX}missing.txt`)).toBeNull();
    expect(await store.head(`${PREFIX}über`)).toBeNull();
  });

  it('reads the exact bytes', async () => {
    for (const key of [
      `${PREFIX}big/one-megabyte.bin`,
      `${PREFIX}plus+and%percent.txt`,
      `${PREFIX}📰 emoji.ndjson`,
    ]) {
      expect((await readAll(await store.read(key))).equals(objects.get(key) ?? Buffer.alloc(1))).toBe(true);
    }
    await expect(store.read(`${PREFIX}missing.txt`)).rejects.toThrow(ObjectNotFoundError);
  });

  it('keeps rejected objects under rejected/ with their reason, keeps the original, and lists neither', async () => {
    const key = `${PREFIX}ñandú/€ 100.json`;
    const original = objects.get(key) ?? Buffer.alloc(0);
    const keptAt = await store.keepRejected(key, { code: 'BAD_HEADER', message: 'no header line' });
    expect(keptAt).toBe(`${PREFIX}rejected/ñandú/€ 100.json`);

    const copy = await store.head(keptAt);
    expect(copy?.etag).toBe(md5(original));
    expect((await readAll(await store.read(keptAt))).equals(original)).toBe(true);

    const reasonObject = await client.send(
      new GetObjectCommand({ Bucket: BUCKET, Key: `${keptAt}.error.json` }),
    );
    const reason = JSON.parse((await reasonObject.Body?.transformToString('utf8')) ?? '{}') as Record<
      string,
      unknown
    >;
    expect(reason).toEqual({
      bucket: BUCKET,
      key,
      etag: md5(original),
      sizeBytes: original.length,
      rejectedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
      code: 'BAD_HEADER',
      message: 'no header line',
      keptAt,
    });

    // The original stays where it was; the rejected area is not listed.
    expect((await store.head(key))?.etag).toBe(md5(original));
    const listed = (await listAll(store, 10)).map((info) => info.key);
    expect(listed.filter((listedKey) => listedKey.includes('rejected/'))).toEqual([]);
    expect(listed.sort()).toEqual([...objects.keys()].sort());

    // Rejecting again is idempotent: same place, the reason is replaced.
    expect(await store.keepRejected(key, { code: 'AGAIN' })).toBe(keptAt);
    await expect(store.keepRejected(keptAt, {})).rejects.toThrow(/already in incoming\/rejected\//);
    await expect(store.keepRejected('elsewhere/other.txt', {})).rejects.toThrow(
      /not under this store's prefix/,
    );
    await expect(store.keepRejected(`${PREFIX}missing.txt`, {})).rejects.toThrow(ObjectNotFoundError);
  });

  it('works with no prefix (the whole bucket, minus rejected/)', async () => {
    const whole = new S3ObjectStore({ client, bucket: BUCKET });
    const keys = (await listAll(whole, 7)).map((info) => info.key);
    // Only rejected/ at the top is skipped: incoming/rejected/… is just another folder here.
    const kept = `${PREFIX}rejected/ñandú/€ 100.json`;
    expect(keys.sort()).toEqual(
      ['elsewhere/other.txt', 'incoming-not/x.txt', kept, `${kept}.error.json`, ...objects.keys()].sort(),
    );
    const keptAt = await whole.keepRejected('elsewhere/other.txt', { code: 'X' });
    expect(keptAt).toBe('rejected/elsewhere/other.txt');
    expect((await listAll(whole)).map((info) => info.key)).not.toContain(keptAt);
  });
});
