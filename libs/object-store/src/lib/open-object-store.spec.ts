import path from 'node:path';
import { pathToFileURL } from 'node:url';

import { LocalFolderStore } from './local-folder-store';
import { openObjectStore, parseInboxUrl } from './open-object-store';
import { S3ObjectStore, s3ClientFromEnv } from './s3-object-store';

// The SDK warns once per process that its 2027 releases will need Node 22; not this suite's concern.
process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

describe('parseInboxUrl', () => {
  const cwd = path.resolve('/srv/newsflow');

  it.each([
    ['s3://news', { kind: 's3', bucket: 'news', prefix: '' }],
    ['s3://news/', { kind: 's3', bucket: 'news', prefix: '' }],
    ['s3://news/incoming', { kind: 's3', bucket: 'news', prefix: 'incoming/' }],
    ['s3://news/p/', { kind: 's3', bucket: 'news', prefix: 'p/' }],
    ['S3://news.example-1/a/b/', { kind: 's3', bucket: 'news.example-1', prefix: 'a/b/' }],
    ['s3://news/my%20inbox/%C3%BC', { kind: 's3', bucket: 'news', prefix: 'my inbox/ü/' }],
    ['  s3://news/in  ', { kind: 's3', bucket: 'news', prefix: 'in/' }],
  ])('%s', (url, expected) => {
    expect(parseInboxUrl(url, cwd)).toEqual(expected);
  });

  it('reads file:// URLs', () => {
    const root = path.resolve('/var/data/inbox dir');
    expect(parseInboxUrl(pathToFileURL(root).href, cwd)).toEqual({ kind: 'folder', root });
    expect(parseInboxUrl('file:///x', cwd)).toEqual({ kind: 'folder', root: path.resolve('/x') });
  });

  it('resolves plain paths against the working directory', () => {
    expect(parseInboxUrl('data/inbox', cwd)).toEqual({
      kind: 'folder',
      root: path.join(cwd, 'data', 'inbox'),
    });
    expect(parseInboxUrl('./inbox/', cwd)).toEqual({ kind: 'folder', root: path.join(cwd, 'inbox') });
    expect(parseInboxUrl('../shared', cwd)).toEqual({
      kind: 'folder',
      root: path.resolve(cwd, '..', 'shared'),
    });
    expect(parseInboxUrl(path.resolve('/abs/inbox'), cwd)).toEqual({
      kind: 'folder',
      root: path.resolve('/abs/inbox'),
    });
    expect(parseInboxUrl('inbox').kind).toBe('folder');
    expect((parseInboxUrl('inbox') as { root: string }).root).toBe(path.join(process.cwd(), 'inbox'));
  });

  it.each([
    ['', /empty/],
    ['   ', /empty/],
    ['s3://', /not a bucket name/],
    ['s3:news/x', /expected s3:\/\/bucket/],
    ['s3://news?x=1', /expected s3:\/\/bucket/],
    ['s3://bad_bucket!/x', /not a bucket name/],
    ['s3://news/%E0%A4', /malformed/],
    ['http://127.0.0.1:9000/news', /Unsupported inbox URL/],
    ['file://remote-host/share', /Invalid inbox URL/],
  ])('refuses %p', (url, message) => {
    expect(() => parseInboxUrl(url, cwd)).toThrow(message);
  });
});

describe('openObjectStore', () => {
  it('opens an S3 bucket with its prefix', () => {
    const store = openObjectStore('s3://news/incoming', { S3_ENDPOINT: 'http://127.0.0.1:9000' });
    expect(store).toBeInstanceOf(S3ObjectStore);
    expect(store.bucket).toBe('news');
    expect(store.prefix).toBe('incoming/');
  });

  it('opens folders as the "local" bucket with no prefix', () => {
    const store = openObjectStore('data/inbox', {});
    expect(store).toBeInstanceOf(LocalFolderStore);
    expect(store.bucket).toBe('local');
    expect(store.prefix).toBe('');
    expect((store as LocalFolderStore).root).toBe(path.resolve('data/inbox'));
  });
});

describe('s3ClientFromEnv', () => {
  it('talks path-style to S3_ENDPOINT with checksums only when required', async () => {
    const client = s3ClientFromEnv({
      S3_ENDPOINT: 'http://127.0.0.1:9000',
      S3_REGION: 'eu-west-3',
      AWS_REGION: 'us-west-2',
      AWS_ACCESS_KEY_ID: 'id',
      AWS_SECRET_ACCESS_KEY: 'secret',
    });
    expect(await client.config.region()).toBe('eu-west-3');
    expect(client.config.forcePathStyle).toBe(true);
    const endpoint = await client.config.endpoint?.();
    expect(endpoint?.hostname).toBe('127.0.0.1');
    expect(endpoint?.port).toBe(9000);
    expect(await client.config.requestChecksumCalculation()).toBe('WHEN_REQUIRED');
    expect(await client.config.responseChecksumValidation()).toBe('WHEN_REQUIRED');
    const credentials = await client.config.credentials();
    expect(credentials.accessKeyId).toBe('id');
    expect(credentials.secretAccessKey).toBe('secret');
  });

  it('defaults to AWS in AWS_REGION or us-east-1, virtual-hosted style', async () => {
    const aws = s3ClientFromEnv({ AWS_REGION: 'us-west-2' });
    expect(await aws.config.region()).toBe('us-west-2');
    expect(aws.config.forcePathStyle).toBe(false);
    expect(await s3ClientFromEnv({}).config.region()).toBe('us-east-1');
  });

  it('honours S3_FORCE_PATH_STYLE', () => {
    expect(
      s3ClientFromEnv({ S3_ENDPOINT: 'http://127.0.0.1:9000', S3_FORCE_PATH_STYLE: 'false' }).config
        .forcePathStyle,
    ).toBe(false);
    expect(s3ClientFromEnv({ S3_FORCE_PATH_STYLE: 'true' }).config.forcePathStyle).toBe(true);
    expect(() => s3ClientFromEnv({ S3_FORCE_PATH_STYLE: 'maybe' })).toThrow(/S3_FORCE_PATH_STYLE/);
  });

  it('refuses endpoints that are not http(s) URLs', () => {
    expect(() => s3ClientFromEnv({ S3_ENDPOINT: '127.0.0.1:9000' })).toThrow(/S3_ENDPOINT/);
    expect(() => s3ClientFromEnv({ S3_ENDPOINT: 'ftp://127.0.0.1' })).toThrow(/http/);
  });
});
