import fsPromises from 'node:fs/promises';
import { mkdir, mkdtemp, open, rename, rm, stat, symlink, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

import { InboxWatcher, isIgnoredInboxPath, quietForMs } from './inbox-watcher';

describe('inbox watcher ignore rules', () => {
  it.each(['a.txt', 'sub/dir/article.txt', 'notes.ndjson.gz', 'ünïcödé name.txt'])('reads %s', (relative) => {
    expect(isIgnoredInboxPath('/in', `/in/${relative}`)).toBe(false);
  });

  it.each([
    '.hidden.txt',
    '.rejected/a.txt',
    'sub/.git/config',
    'upload.tmp',
    'upload.TXT.part',
    'big.crdownload',
  ])('ignores %s', (relative) => {
    expect(isIgnoredInboxPath('/in', `/in/${relative}`)).toBe(true);
  });

  it('never ignores the inbox itself', () => {
    expect(isIgnoredInboxPath('/in', '/in')).toBe(false);
  });
});

describe('quietForMs', () => {
  it('counts from the last write', () => {
    expect(quietForMs({ size: 1, ino: 1, mtimeMs: 1_000, since: 1_500 }, 1_700)).toBe(700);
  });

  it('counts from the first sighting when the mtime lies in the future (a clock running ahead)', () => {
    expect(quietForMs({ size: 1, ino: 1, mtimeMs: 9_000, since: 1_500 }, 1_700)).toBe(200);
  });
});

const STABLE_MS = 150;
const ARTICLE = 'date 2024-05-01 A lede\n\nA body.\n';

interface Report {
  file: string;
  at: number;
  sizeAtReport: number;
}

describe('InboxWatcher on a real folder', () => {
  let root: string;
  let inbox: string;
  let staging: string;
  let watcher: InboxWatcher;
  let reports: Report[];
  let errors: unknown[];

  async function startWatcher(): Promise<void> {
    watcher = new InboxWatcher({
      inboxDir: inbox,
      stableMs: STABLE_MS,
      onFile: (file) => {
        const report: Report = { file, at: Date.now(), sizeAtReport: -1 };
        reports.push(report);
        // The size the file had when it was reported, to show it was complete by then.
        void stat(file).then((stats) => (report.sizeAtReport = stats.size));
      },
      onError: (error) => errors.push(error),
    });
    await watcher.start();
  }

  const reported = (relative: string) =>
    reports.filter((report) => report.file === path.join(inbox, relative));
  /** When the first report of the file came (after `until` saw it). */
  const firstReportAt = (relative: string) => reported(relative)[0]?.at ?? Number.NaN;

  async function until(what: string, condition: () => boolean, timeoutMs = 5_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(10);
    }
  }

  /** Written in staging a while ago (an old mtime), then renamed in: complete from the first moment. */
  async function dropOldFile(relative: string): Promise<number> {
    const staged = path.join(staging, path.basename(relative));
    await writeFile(staged, ARTICLE);
    const anHourAgo = new Date(Date.now() - 3_600_000);
    await utimes(staged, anHourAgo, anHourAgo);
    await rename(staged, path.join(inbox, relative));
    return Date.now();
  }

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'inbox-watcher-'));
    inbox = path.join(root, 'inbox');
    staging = path.join(root, 'staging');
    await mkdir(inbox);
    await mkdir(staging);
    reports = [];
    errors = [];
  });

  afterEach(async () => {
    await watcher?.close();
    jest.restoreAllMocks();
    await rm(root, { recursive: true, force: true });
  });

  it('reports a file renamed in after it was written at once, without waiting for it to settle', async () => {
    await startWatcher();
    const dropped = await dropOldFile('a.txt');
    await until('a.txt', () => reported('a.txt').length > 0);
    expect(firstReportAt('a.txt') - dropped).toBeLessThan(STABLE_MS);
    await sleep(STABLE_MS * 2);
    expect(reported('a.txt')).toHaveLength(1);
    expect(errors).toEqual([]);
  });

  it('reports a freshly written file only once nothing has written to it for stableMs', async () => {
    await startWatcher();
    await writeFile(path.join(inbox, 'fresh.txt'), ARTICLE);
    const written = Date.now();
    await until('fresh.txt', () => reported('fresh.txt').length > 0);
    // The file system stamps mtimes with a coarse clock (a few ms behind): a little slack.
    expect(firstReportAt('fresh.txt') - written).toBeGreaterThanOrEqual(STABLE_MS - 15);
    expect(reported('fresh.txt')).toHaveLength(1);
  });

  it('reports a file appended slowly once, complete, after its last write', async () => {
    await startWatcher();
    const chunks = Array.from({ length: 8 }, (_, index) => `chunk ${index} of a slowly written file\n`);
    const handle = await open(path.join(inbox, 'slow.txt'), 'w');
    for (const [index, chunk] of chunks.entries()) {
      if (index > 0) await sleep(STABLE_MS / 3);
      await handle.write(chunk);
    }
    await handle.close();
    const lastWrite = Date.now();
    await until('slow.txt', () => reported('slow.txt').length > 0);
    await sleep(STABLE_MS * 2);
    expect(reported('slow.txt')).toHaveLength(1);
    expect(firstReportAt('slow.txt') - lastWrite).toBeGreaterThanOrEqual(STABLE_MS - 15);
    expect(reported('slow.txt')[0]?.sizeAtReport).toBe(Buffer.byteLength(chunks.join('')));
  });

  it('reports a file again when it changes later (a new version)', async () => {
    await startWatcher();
    await dropOldFile('changing.txt');
    await until('the first version', () => reported('changing.txt').length === 1);
    await writeFile(path.join(inbox, 'changing.txt'), `${ARTICLE}More.\n`);
    await until('the second version', () => reported('changing.txt').length === 2);
  });

  it('reports files in folders created, or moved in with their files, while running', async () => {
    await startWatcher();
    await mkdir(path.join(inbox, 'new', 'deeper'), { recursive: true });
    await writeFile(path.join(inbox, 'new', 'deeper', 'b.txt'), ARTICLE);
    await mkdir(path.join(staging, 'batch', 'inner'), { recursive: true });
    await writeFile(path.join(staging, 'batch', 'c.txt'), ARTICLE);
    await writeFile(path.join(staging, 'batch', 'inner', 'd.txt'), ARTICLE);
    await rename(path.join(staging, 'batch'), path.join(inbox, 'batch'));
    const expected = ['new/deeper/b.txt', 'batch/c.txt', 'batch/inner/d.txt'];
    await until('the files of the new folders', () => expected.every((file) => reported(file).length > 0));
    // Later files in the moved folder are seen too: it is watched, not just listed once.
    await writeFile(path.join(inbox, 'batch', 'inner', 'e.txt'), ARTICLE);
    await until('a file written later into the moved folder', () => reported('batch/inner/e.txt').length > 0);
    expect(errors).toEqual([]);
  });

  it('follows a watched folder that is renamed, and stops watching a removed one', async () => {
    await mkdir(path.join(inbox, 'before'));
    await mkdir(path.join(inbox, 'gone'));
    await startWatcher();
    expect(watcher.watchedDirectories).toBe(3);
    await rename(path.join(inbox, 'before'), path.join(inbox, 'after'));
    await rm(path.join(inbox, 'gone'), { recursive: true });
    await until('the watches to follow', () => watcher.watchedDirectories === 2);
    await writeFile(path.join(inbox, 'after', 'f.txt'), ARTICLE);
    await until('a file in the renamed folder', () => reported('after/f.txt').length > 0);
    expect(reports.filter((report) => report.file.includes(`${path.sep}before${path.sep}`))).toEqual([]);
  });

  it('takes a symbolic link to a file as that file, and does not follow a linked folder (a loop here)', async () => {
    await startWatcher();
    await writeFile(path.join(staging, 'target.txt'), ARTICLE);
    await symlink(path.join(staging, 'target.txt'), path.join(inbox, 'linked.txt'));
    await symlink(inbox, path.join(inbox, 'loop'));
    await until('the linked file', () => reported('linked.txt').length > 0);
    await sleep(STABLE_MS * 2);
    expect(watcher.watchedDirectories).toBe(1);
    expect(reports.map((report) => path.relative(inbox, report.file))).toEqual(['linked.txt']);
    expect(errors).toEqual([]);
  });

  it('ignores files present at start-up, dot-files, dot-folders and files still under a temporary name', async () => {
    await writeFile(path.join(inbox, 'present.txt'), ARTICLE);
    await startWatcher();
    await mkdir(path.join(inbox, '.hidden-folder'));
    await writeFile(path.join(inbox, '.hidden-folder', 'inside.txt'), ARTICLE);
    await writeFile(path.join(inbox, '.dot.txt'), ARTICLE);
    await writeFile(path.join(inbox, 'upload.tmp'), ARTICLE);
    await writeFile(path.join(inbox, 'upload.part'), ARTICLE);
    // Dropped last: once it is reported, the watcher has seen the others.
    await dropOldFile('marker.txt');
    await until('the marker', () => reported('marker.txt').length > 0);
    await sleep(STABLE_MS * 2);
    expect(reports.map((report) => path.relative(inbox, report.file))).toEqual(['marker.txt']);
  });

  it('takes a new file without listing the folder: one lstat per event, whatever the folder holds', async () => {
    const existing = Array.from({ length: 2_000 }, (_, index) => path.join(inbox, `old-${index}.txt`));
    for (let start = 0; start < existing.length; start += 100) {
      await Promise.all(existing.slice(start, start + 100).map((file) => writeFile(file, ARTICLE)));
    }
    await startWatcher();
    expect(watcher.watchedDirectories).toBe(1);
    const readdir = jest.spyOn(fsPromises, 'readdir');
    const lstat = jest.spyOn(fsPromises, 'lstat');
    const drops = 20;
    for (let index = 0; index < drops; index++) await dropOldFile(`new-${index}.txt`);
    await until('the new files', () => reports.length === drops);
    expect(readdir).not.toHaveBeenCalled();
    // One look per event: a rename in is one event (a write in place a few, each one lstat at most).
    expect(lstat.mock.calls.length).toBeGreaterThanOrEqual(drops);
    expect(lstat.mock.calls.length).toBeLessThanOrEqual(drops * 2);
  });
});
