import { DEFAULT_OPTIONS, parseArgs } from './args';

describe('parseArgs', () => {
  it('runs every scenario with the defaults when given nothing', () => {
    expect(parseArgs([])).toEqual({ kind: 'run', options: DEFAULT_OPTIONS });
  });

  it('takes scenarios as a list or repeated, sorted and without repeats', () => {
    const parsed = parseArgs(['--scenario', '5,2', '--scenario', '2', '--articles', '300']);
    expect(parsed).toEqual({
      kind: 'run',
      options: { ...DEFAULT_OPTIONS, scenarios: [2, 5], articles: 300 },
    });
  });

  it.each([
    [['--scenario', '7'], '--scenario takes 1 to 6, got "7"'],
    [['--articles', '0'], '--articles needs a positive whole number, got "0"'],
    [['--fuzz-files'], '--fuzz-files needs a positive whole number, got nothing'],
    [['--verbose'], 'unknown option --verbose'],
  ])('refuses %j', (argv, message) => {
    expect(parseArgs(argv)).toEqual({ kind: 'error', message });
  });
});
