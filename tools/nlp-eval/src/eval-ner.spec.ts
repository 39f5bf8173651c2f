import { entityKey } from './conll';
import { evaluate, main, predictEntities } from './eval-ner';

describe('eval-ner', () => {
  it('predicts typed entity keys of a text, aliases included', () => {
    const keys = predictEntities('President Vladimir Putin spoke in Moscow. Putin said NATO was a threat.');
    expect([...keys]).toEqual(
      expect.arrayContaining([
        entityKey('PERSON', 'Vladimir Putin'),
        entityKey('PERSON', 'Putin'),
        entityKey('LOCATION', 'Moscow'),
        entityKey('ORGANIZATION', 'NATO'),
      ]),
    );
  });

  it('evaluates a CoNLL text', () => {
    const conll = [
      '-DOCSTART- -X- -X- O',
      '',
      'Talks NNS O O',
      'in IN O O',
      'Moscow NNP B-NP B-LOC',
      '. . O O',
      '',
    ].join('\n');
    expect(evaluate(conll).get('LOCATION')).toEqual({ tp: 1, fp: 0, fn: 0 });
  });

  it('skips a missing file with a clear message and exit code 0', () => {
    const log = jest.spyOn(console, 'log').mockImplementation(() => undefined);
    expect(main(['/nonexistent/conll.txt'])).toBe(0);
    expect(log).toHaveBeenCalledWith('skipped: /nonexistent/conll.txt not found');
    log.mockRestore();
  });
});
