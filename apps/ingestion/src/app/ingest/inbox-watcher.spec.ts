import { isIgnoredInboxPath } from './inbox-watcher';

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
