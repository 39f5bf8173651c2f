import { analyseText } from '../text/tokenize';
import { hammingDistance, simhash } from './simhash';

const hash = (text: string): string => simhash(analyseText(text).tokens);

describe('simhash', () => {
  const base =
    'Russian lawmakers have voted in favor of ratifying agreements underpinning political cooperation and military support for the two breakaway republics of Donetsk and Lugansk.';

  it('is 16 hex characters and deterministic', () => {
    expect(hash(base)).toMatch(/^[0-9a-f]{16}$/);
    expect(hash(base)).toBe(hash(base));
  });

  it('keeps near-duplicates close and different texts apart', () => {
    const near = hammingDistance(hash(base), hash(base.replace('two', 'both')));
    const far = hammingDistance(
      hash(base),
      hash(
        'The central bank left interest rates unchanged on Thursday, citing slowing inflation in the euro zone.',
      ),
    );
    expect(near).toBeLessThan(far);
    expect(near).toBeLessThanOrEqual(12);
  });
});
