/**
 * Document-level NER evaluation of the enrichment on a CoNLL file: an entity counts when its
 * normalised text and type appear in the document's gold set. Prints per-type and micro P/R/F1.
 *
 *   npm run eval:ner -- [path/to/conll.txt] [--errors]
 *
 * Without a path it reads ../shared/data/ner/conllpp_dev.txt; a missing file is skipped (exit 0).
 */

import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

import { analyseText, extractEntities } from '@newsflow/enrichment';

import {
  countDocument,
  type Counts,
  detokenise,
  entityKey,
  formatTable,
  type NerType,
  parseConll,
} from './conll';
import { findRepoRoot } from './repo-root';

export const DEFAULT_CONLL = join('..', 'shared', 'data', 'ner', 'conllpp_dev.txt');

/**
 * Predicted `TYPE\ttext` keys of one text: the text of each mention (so "Putin" after "Vladimir Putin"
 * counts as found, and "Britain" is not scored as the canonical "United Kingdom").
 */
export function predictEntities(text: string): Set<string> {
  const { entities } = extractEntities(analyseText(text));
  const keys = new Set<string>();
  for (const entity of entities) {
    for (const [start, end] of entity.offsets)
      keys.add(entityKey(entity.type as NerType, text.slice(start, end)));
  }
  return keys;
}

export function evaluate(
  content: string,
  onDocument?: (predicted: Set<string>, gold: Set<string>) => void,
): Map<NerType, Counts> {
  const counts = new Map<NerType, Counts>();
  for (const document of parseConll(content)) {
    const predicted = predictEntities(detokenise(document.sentences));
    countDocument(predicted, document.gold, counts);
    onDocument?.(predicted, document.gold);
  }
  return counts;
}

export function main(argv: readonly string[]): number {
  const showErrors = argv.includes('--errors');
  const arg = argv.find((a) => !a.startsWith('--'));
  const path = arg === undefined ? resolve(findRepoRoot(__dirname), DEFAULT_CONLL) : resolve(arg);
  if (!existsSync(path)) {
    console.log(`skipped: ${path} not found`);
    return 0;
  }
  const started = process.hrtime.bigint();
  const fp = new Map<string, number>();
  const fn = new Map<string, number>();
  const counts = evaluate(readFileSync(path, 'utf8'), (predicted, gold) => {
    for (const key of predicted) if (!gold.has(key)) fp.set(key, (fp.get(key) ?? 0) + 1);
    for (const key of gold) if (!predicted.has(key)) fn.set(key, (fn.get(key) ?? 0) + 1);
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  console.log(`${path}\n`);
  console.log(formatTable(counts));
  console.log(`\n${seconds.toFixed(1)} s`);
  if (showErrors) {
    const top = (map: Map<string, number>): string =>
      [...map.entries()]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 150)
        .map(([key, n]) => `  ${n}\t${key}`)
        .join('\n');
    console.log(`\nfalse positives:\n${top(fp)}\n\nfalse negatives:\n${top(fn)}`);
  }
  return 0;
}

if (require.main === module) process.exitCode = main(process.argv.slice(2));
