import { integerAtLeast, readFlags } from './flags';

describe('readFlags', () => {
  it('reads --flag value, --flag=value and switches, consuming a value only when asked for', () => {
    const seen: [string, string | undefined][] = [];
    for (const argument of readFlags(['--rate', '50', '--keep', '--articles=7', '--level', 'warn'])) {
      seen.push([argument.flag, argument.flag === '--keep' ? undefined : argument.value()]);
    }
    expect(seen).toEqual([
      ['--rate', '50'],
      ['--keep', undefined],
      ['--articles', '7'],
      ['--level', 'warn'],
    ]);
  });

  it('gives undefined for a value missing at the end', () => {
    const [only] = [...readFlags(['--rate'])];
    expect(only?.value()).toBeUndefined();
  });
});

describe('integerAtLeast', () => {
  it('accepts whole numbers from the minimum and refuses the rest', () => {
    expect(integerAtLeast('0', 0)).toBe(0);
    expect(integerAtLeast('0', 1)).toBeUndefined();
    expect(integerAtLeast('2.5', 1)).toBeUndefined();
    expect(integerAtLeast(' ', 1)).toBeUndefined();
    expect(integerAtLeast(undefined, 1)).toBeUndefined();
  });
});
