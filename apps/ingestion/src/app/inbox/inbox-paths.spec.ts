import { inboxKey, isIgnoredInboxPath } from './inbox-paths';

describe('inbox paths', () => {
  it.each(['a.txt', 'sub/dir/article.txt', 'notes.md', 'ünïcödé name.txt'])('reads %s', (relative) => {
    expect(isIgnoredInboxPath(relative)).toBe(false);
  });

  it.each([
    '.hidden.txt',
    '.rejected/a.txt',
    'sub/.git/config',
    'upload.tmp',
    'upload.TXT.part',
    'big.crdownload',
    'draft.txt~',
  ])('ignores %s', (relative) => {
    expect(isIgnoredInboxPath(relative)).toBe(true);
  });

  it('keys files by their path relative to the inbox', () => {
    expect(inboxKey('/in', '/in/sub/a b.txt')).toBe('sub/a b.txt');
  });
});
