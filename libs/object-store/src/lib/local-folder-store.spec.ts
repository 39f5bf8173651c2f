import { mkdir, mkdtemp, readFile, readdir, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';

import { LocalFolderStore, readChunkBytes } from './local-folder-store';
import { InvalidKeyError, type ObjectInfo, ObjectNotFoundError } from './object-store';

async function put(root: string, key: string, content: string | Buffer = key): Promise<void> {
  const file = path.join(root, ...key.split('/'));
  await mkdir(path.dirname(file), { recursive: true });
  await writeFile(file, content);
}

async function listAll(store: LocalFolderStore): Promise<ObjectInfo[]> {
  const all: ObjectInfo[] = [];
  for await (const info of store.list()) all.push(info);
  return all;
}

async function readAll(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
}

describe('LocalFolderStore', () => {
  let root: string;
  let store: LocalFolderStore;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'object-store-'));
    store = new LocalFolderStore(root);
  });

  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  describe('list', () => {
    it('lists nested files with full relative keys, skipping dot-names, partial files and .rejected/', async () => {
      const keys = [
        'a.txt',
        'b b.json',
        'nested/deeper/c.xml',
        'nested/d.ndjson',
        'über/ñ €.txt',
        '📰/news.json',
        `${'l'.repeat(200)}.txt`,
      ];
      for (const key of keys) await put(root, key);
      for (const ignored of [
        '.hidden',
        '.git/config',
        'nested/.DS_Store',
        'upload.tmp',
        'nested/big.part',
        'x.partial',
        'y.crdownload',
        'z.txt~',
        '.rejected/old.txt',
        '.rejected/old.txt.error.json',
        'nested/.cache/e.txt',
      ]) {
        await put(root, ignored);
      }
      await mkdir(path.join(root, 'empty', 'folder'), { recursive: true });

      const listed = await listAll(store);
      expect(listed.map((info) => info.key).sort()).toEqual([...keys].sort());
      for (const info of listed) {
        const stats = await stat(path.join(root, ...info.key.split('/')));
        expect(info).toEqual({
          bucket: 'local',
          key: info.key,
          etag: `${stats.size}-${Math.trunc(stats.mtimeMs)}`,
          sizeBytes: Buffer.byteLength(info.key),
          lastModified: stats.mtime,
        });
      }
      // The same listing with a page size (which folders ignore).
      const paged: string[] = [];
      for await (const info of store.list({ pageSize: 2 })) paged.push(info.key);
      expect(paged).toEqual(listed.map((info) => info.key));
    });

    it('does not follow symbolic links', async () => {
      const outside = await mkdtemp(path.join(tmpdir(), 'object-store-outside-'));
      try {
        await put(outside, 'secret.txt');
        await symlink(outside, path.join(root, 'linked-dir'));
        await symlink(path.join(outside, 'secret.txt'), path.join(root, 'linked.txt'));
        await put(root, 'real.txt');
        expect((await listAll(store)).map((info) => info.key)).toEqual(['real.txt']);
        await expect(store.head('linked.txt')).rejects.toThrow(InvalidKeyError);
        await expect(store.read('linked-dir/secret.txt')).rejects.toThrow(/outside the inbox folder/);
      } finally {
        await rm(outside, { recursive: true, force: true });
      }
    });

    it('changes the etag when the file changes', async () => {
      await put(root, 'a.txt', 'one');
      const before = await store.head('a.txt');
      await writeFile(path.join(root, 'a.txt'), 'three');
      await utimes(path.join(root, 'a.txt'), new Date(), new Date(Date.now() + 5_000));
      const after = await store.head('a.txt');
      expect(after?.etag).not.toBe(before?.etag);
      expect(after?.sizeBytes).toBe(5);
    });

    it('says clearly when the folder does not exist', async () => {
      const missing = new LocalFolderStore(path.join(root, 'nope'));
      await expect(listAll(missing)).rejects.toThrow(/does not exist/);
    });
  });

  describe('head and read', () => {
    it('returns metadata and bytes for keys with spaces and unicode', async () => {
      const content = Buffer.from('Grüße aus Köln 📰\n'.repeat(1000));
      await put(root, 'über dir/ñ €.txt', content);
      const info = await store.head('über dir/ñ €.txt');
      expect(info?.sizeBytes).toBe(content.length);
      expect(await readAll(await store.read('über dir/ñ €.txt'))).toEqual(content);
    });

    it('reads through a symbolic link that stays inside the folder, and from a folder reached through one', async () => {
      await put(root, 'dir/target.txt', 'inside');
      await symlink(path.join(root, 'dir', 'target.txt'), path.join(root, 'alias.txt'));
      expect(await readAll(await store.read('alias.txt'))).toEqual(Buffer.from('inside'));
      expect((await store.head('alias.txt'))?.sizeBytes).toBe(6);

      const linkedRoot = `${root}-link`;
      await symlink(root, linkedRoot);
      try {
        const throughLink = new LocalFolderStore(linkedRoot);
        await put(root, 'top.txt', 'top');
        expect(await readAll(await throughLink.read('top.txt'))).toEqual(Buffer.from('top'));
        expect(await readAll(await throughLink.read('dir/target.txt'))).toEqual(Buffer.from('inside'));
      } finally {
        await rm(linkedRoot, { force: true });
      }
    });

    it('reads a small file in one chunk of its size, and a large one whole in 64 KiB chunks', async () => {
      await put(root, 'small.txt', 'x'.repeat(2_000));
      const small: Buffer[] = [];
      for await (const chunk of await store.read('small.txt')) small.push(Buffer.from(chunk));
      expect(small.map((chunk) => chunk.length)).toEqual([2_000]);

      const large = Buffer.alloc(200_000, 7);
      await put(root, 'large.bin', large);
      expect(await readAll(await store.read('large.bin'))).toEqual(large);

      expect([0, 2_000, 65_535, 1_000_000].map(readChunkBytes)).toEqual([1, 2_001, 65_536, 65_536]);
    });

    it('returns null / ObjectNotFoundError for missing keys and folders', async () => {
      await put(root, 'dir/a.txt');
      expect(await store.head('missing.txt')).toBeNull();
      expect(await store.head('dir')).toBeNull();
      expect(await store.head('dir/a.txt/below')).toBeNull();
      await expect(store.read('missing.txt')).rejects.toThrow(ObjectNotFoundError);
      await expect(store.read('dir')).rejects.toThrow(ObjectNotFoundError);
    });
  });

  describe('keys that would escape the folder', () => {
    const outsideName = `escape-${process.pid}.txt`;

    beforeEach(async () => {
      await writeFile(path.join(root, '..', outsideName), 'outside');
      await put(root, 'sub/inside.txt');
    });

    afterEach(async () => {
      await rm(path.join(root, '..', outsideName), { force: true });
    });

    it.each([
      [`../${outsideName}`],
      [`sub/../../${outsideName}`],
      ['sub/../sub/inside.txt'],
      ['..'],
      [`..\\${outsideName}`],
      ['/etc/passwd'],
      ['\\windows\\system32'],
      ['C:/Windows/win.ini'],
      ['./sub/inside.txt'],
      ['sub//inside.txt'],
      ['sub/inside.txt/'],
      [''],
      ['a\0b'],
    ])('refuses %p', async (key) => {
      await expect(store.head(key)).rejects.toThrow(InvalidKeyError);
      await expect(store.read(key)).rejects.toThrow(InvalidKeyError);
      await expect(store.keepRejected(key, { code: 'X' })).rejects.toThrow(InvalidKeyError);
    });

    it('refuses an absolute path even when it points inside the folder', async () => {
      await expect(store.head(path.join(root, 'sub', 'inside.txt'))).rejects.toThrow(/absolute/);
    });

    it('left everything in place', async () => {
      expect(await readFile(path.join(root, '..', outsideName), 'utf8')).toBe('outside');
      expect((await listAll(store)).map((info) => info.key)).toEqual(['sub/inside.txt']);
    });
  });

  describe('keepRejected', () => {
    it('moves the file to .rejected/<key> and writes <name>.error.json with the reason', async () => {
      await put(root, 'feeds/2024/bad article.txt', 'garbage');
      const before = await store.head('feeds/2024/bad article.txt');
      const keptAt = await store.keepRejected('feeds/2024/bad article.txt', {
        code: 'BAD_HEADER',
        message: 'The first line is not a header',
      });
      expect(keptAt).toBe('.rejected/feeds/2024/bad article.txt');
      const kept = path.join(root, '.rejected', 'feeds', '2024', 'bad article.txt');
      expect(await readFile(kept, 'utf8')).toBe('garbage');
      await expect(stat(path.join(root, 'feeds', '2024', 'bad article.txt'))).rejects.toThrow();
      const record = JSON.parse(await readFile(`${kept}.error.json`, 'utf8')) as Record<string, unknown>;
      expect(record).toEqual({
        bucket: 'local',
        key: 'feeds/2024/bad article.txt',
        etag: before?.etag,
        sizeBytes: 7,
        rejectedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        code: 'BAD_HEADER',
        message: 'The first line is not a header',
        keptAt,
      });
      expect(await listAll(store)).toEqual([]);
      expect(await store.head(keptAt)).not.toBeNull();
    });

    it('adds .1, .2… before the extension when the name is taken', async () => {
      const kept: string[] = [];
      for (const content of ['first', 'second', 'third']) {
        await put(root, 'dir/same.json', content);
        kept.push(await store.keepRejected('dir/same.json', { code: 'BAD', content }));
      }
      expect(kept).toEqual([
        '.rejected/dir/same.json',
        '.rejected/dir/same.1.json',
        '.rejected/dir/same.2.json',
      ]);
      expect((await readdir(path.join(root, '.rejected', 'dir'))).sort()).toEqual([
        'same.1.json',
        'same.1.json.error.json',
        'same.2.json',
        'same.2.json.error.json',
        'same.json',
        'same.json.error.json',
      ]);
      for (const [index, content] of ['first', 'second', 'third'].entries()) {
        const file = path.join(root, ...(kept[index] ?? '').split('/'));
        expect(await readFile(file, 'utf8')).toBe(content);
        expect(JSON.parse(await readFile(`${file}.error.json`, 'utf8'))).toMatchObject({ content });
      }
    });

    it('names files without an extension name.1', async () => {
      await put(root, 'README', 'a');
      await store.keepRejected('README', {});
      await put(root, 'README', 'b');
      expect(await store.keepRejected('README', {})).toBe('.rejected/README.1');
    });

    it('keeps very long names within the file-name limit', async () => {
      const name = `${'ä'.repeat(125)}.txt`; // 254 bytes: fits, but not with .error.json added
      await put(root, name, 'long');
      const keptAt = await store.keepRejected(name, { code: 'LONG' });
      const keptName = keptAt.split('/').pop() ?? '';
      expect(Buffer.byteLength(`${keptName}.error.json`)).toBeLessThanOrEqual(255);
      expect(keptName).toMatch(/^ä+~[0-9a-f]{8}\.txt$/);
      expect(await readFile(path.join(root, '.rejected', keptName), 'utf8')).toBe('long');
      const record = JSON.parse(
        await readFile(path.join(root, '.rejected', `${keptName}.error.json`), 'utf8'),
      ) as {
        key: string;
      };
      expect(record.key).toBe(name);
    });

    it('refuses missing objects and objects already rejected', async () => {
      await expect(store.keepRejected('missing.txt', {})).rejects.toThrow(ObjectNotFoundError);
      await put(root, 'x.txt');
      const keptAt = await store.keepRejected('x.txt', {});
      await expect(store.keepRejected(keptAt, {})).rejects.toThrow(/already in \.rejected/);
    });

    it('skips a name whose reason file is left over', async () => {
      await put(root, '.rejected/orphan.json.error.json', '{}');
      await put(root, 'orphan.json', 'x');
      expect(await store.keepRejected('orphan.json', {})).toBe('.rejected/orphan.1.json');
    });
  });
});
