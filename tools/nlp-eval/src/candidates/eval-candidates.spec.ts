import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { main } from './eval-candidates';

const CONLL = [
  '-DOCSTART- -X- -X- O',
  '',
  'Talks NNS O O',
  'in IN O O',
  'Moscow NNP B-NP B-LOC',
  '. . O O',
  '',
].join('\n');

describe('eval-candidates', () => {
  let output: string[];
  beforeEach(() => {
    output = [];
    jest.spyOn(console, 'log').mockImplementation((line: string) => void output.push(line));
    jest.spyOn(console, 'error').mockImplementation((line: string) => void output.push(line));
  });

  it('refuses an unknown section', async () => {
    await expect(main(['--only=language,pos'])).resolves.toBe(2);
    expect(output.join('\n')).toContain('Unknown section(s) pos');
  });

  it('measures the recognisers and says clearly when it skips the CoNLL scoring', async () => {
    await expect(main(['--only=entities', '--articles=3'])).resolves.toBe(0);
    const printed = output.join('\n');
    expect(printed).toMatch(/^ours: extractEntities\s+\d+/m);
    expect(printed).toMatch(/^compromise\s+\d+/m);
    expect(printed).toContain('CoNLL scoring skipped: no file given');
    await expect(main(['missing.conll', '--only=entities', '--articles=3'])).resolves.toBe(0);
    expect(output.join('\n')).toContain('CoNLL scoring skipped: missing.conll not found.');
  });

  it('scores both recognisers on a CoNLL file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-candidates-'));
    try {
      const file = join(dir, 'tiny.conll');
      writeFileSync(file, CONLL);
      await expect(main([file, '--only=entities', '--articles=1'])).resolves.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    // Ours finds Moscow: LOCATION F1 1.000, and no other entity in the file.
    expect(output.join('\n')).toMatch(/^ours: extractEntities\s+-\s+-\s+1\.000\s+1\.000\s+1\.000\s+1\.000/m);
  });
});
