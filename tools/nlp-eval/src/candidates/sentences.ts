/**
 * Sentence splitting compared on hand-checked news-style cases: where each splitter puts sentence
 * boundaries against where a careful reader puts them. The cases were written for this comparison, and
 * cover what news text throws at a splitter: titles and abbreviations, initials, decimals, money,
 * quotes closing after the full stop, questions, paragraph breaks without punctuation.
 */

import { type Counts } from '../conll';

export interface SentenceCase {
  readonly text: string;
  /** The sentences a careful reader sees, in order. */
  readonly sentences: readonly string[];
}

export const SENTENCE_CASES: readonly SentenceCase[] = [
  {
    text: 'The minister resigned on Tuesday. Her deputy will take over until the election.',
    sentences: ['The minister resigned on Tuesday.', 'Her deputy will take over until the election.'],
  },
  {
    text: 'Mr. Smith and Dr. Jones met in Washington. They agreed on a plan.',
    sentences: ['Mr. Smith and Dr. Jones met in Washington.', 'They agreed on a plan.'],
  },
  {
    text: 'The U.S. economy grew 2.5% in the third quarter. Economists had expected 2.1%.',
    sentences: ['The U.S. economy grew 2.5% in the third quarter.', 'Economists had expected 2.1%.'],
  },
  {
    text: 'Shares closed at $12.50 on Friday. Trading volume was light.',
    sentences: ['Shares closed at $12.50 on Friday.', 'Trading volume was light.'],
  },
  {
    text: '"We will not back down," the president said. "The talks are over."',
    sentences: ['"We will not back down," the president said.', '"The talks are over."'],
  },
  {
    text: 'Is the deal dead? Not yet, officials say. Talks resume on Monday!',
    sentences: ['Is the deal dead?', 'Not yet, officials say.', 'Talks resume on Monday!'],
  },
  {
    text: 'The company, Acme Corp., reported a loss. Its shares fell.',
    sentences: ['The company, Acme Corp., reported a loss.', 'Its shares fell.'],
  },
  {
    text: 'He was born on Jan. 5, 1960, in Chicago. He moved to Paris in 1985.',
    sentences: ['He was born on Jan. 5, 1960, in Chicago.', 'He moved to Paris in 1985.'],
  },
  {
    text: 'J. K. Rowling published a new novel. It sold a million copies in a week.',
    sentences: ['J. K. Rowling published a new novel.', 'It sold a million copies in a week.'],
  },
  {
    text: 'The meeting ended at 5 p.m. on Friday. No statement was issued.',
    sentences: ['The meeting ended at 5 p.m. on Friday.', 'No statement was issued.'],
  },
  {
    text: 'The plant is in the U.S. The company employs 500 people there.',
    sentences: ['The plant is in the U.S.', 'The company employs 500 people there.'],
  },
  {
    text: 'Exports fell 3 percent (see table). Imports rose.',
    sentences: ['Exports fell 3 percent (see table).', 'Imports rose.'],
  },
  {
    text: 'Breaking news\n\nThe parliament voted 312 to 120 in favour.',
    sentences: ['Breaking news', 'The parliament voted 312 to 120 in favour.'],
  },
  {
    text: 'He called it "a disaster." Others disagreed.',
    sentences: ['He called it "a disaster."', 'Others disagreed.'],
  },
  {
    text: 'The No. 2 official at the ministry, Gen. Ivan Petrov, was dismissed. He denied wrongdoing.',
    sentences: [
      'The No. 2 official at the ministry, Gen. Ivan Petrov, was dismissed.',
      'He denied wrongdoing.',
    ],
  },
  {
    text: 'Prices rose 0.4 pct in March, the Commerce Dept. said on Friday. That was below forecasts.',
    sentences: [
      'Prices rose 0.4 pct in March, the Commerce Dept. said on Friday.',
      'That was below forecasts.',
    ],
  },
];

/**
 * Where the sentences end, as counts of non-space characters from the start of the text: comparable
 * between splitters that trim or keep spaces differently. The end of the last sentence is not a
 * decision, so it is left out.
 */
export function boundaries(sentences: readonly string[]): Set<number> {
  const ends = new Set<number>();
  let position = 0;
  sentences.forEach((sentence, i) => {
    position += sentence.replace(/\s+/g, '').length;
    if (i < sentences.length - 1) ends.add(position);
  });
  return ends;
}

export interface SentenceAgreement {
  /** Cases split exactly as the reader did. */
  readonly exact: number;
  readonly cases: number;
  /** Boundaries found (tp), invented (fp) and missed (fn), over all cases. */
  readonly counts: Counts;
  /** The texts of the cases not split exactly as the reader did. */
  readonly disagreements: string[];
}

export function sentenceAgreement(
  cases: readonly SentenceCase[],
  split: (text: string) => readonly string[],
): SentenceAgreement {
  const counts: Counts = { tp: 0, fp: 0, fn: 0 };
  const disagreements: string[] = [];
  let exact = 0;
  for (const { text, sentences } of cases) {
    const expected = boundaries(sentences);
    const predicted = boundaries(split(text));
    let right = 0;
    for (const end of predicted) if (expected.has(end)) right++;
    counts.tp += right;
    counts.fp += predicted.size - right;
    counts.fn += expected.size - right;
    if (right === expected.size && right === predicted.size) exact++;
    else disagreements.push(text);
  }
  return { exact, cases: cases.length, counts, disagreements };
}
