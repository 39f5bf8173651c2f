/**
 * The candidate NLP libraries for the enrichment measured side by side on the same inputs, in the same
 * order, after a warm-up, with wall-clock and CPU time (issue 4; the decision is docs/adr/0002):
 *
 * - language: accuracy on the eval:lang set and on hand-written news sentences, microseconds per call;
 * - tokens and sentences: articles/s on Reuters articles, agreement with hand-checked sentence splits;
 * - entities: articles/s on Reuters articles, and document-level P/R/F1 on a CoNLL file when one is
 *   given (the same scoring as eval:ner, over the types both recognisers have).
 *
 *   npm run eval:candidates -- [path/to/conll.txt] [--only=language,tokens,entities]
 *     [--sentences=30] [--paragraphs=10] [--articles=1000] [--entity-articles=300]
 */

import { existsSync, readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join, resolve } from 'node:path';

import { type Counts, type NerType, scores } from '../conll';
import {
  accuracy,
  buildLanguageSet,
  canonicalLanguage,
  describeSet,
  type LanguageSample,
  type LanguageScore,
  option,
  sampleCounts,
  scoreGuesses,
  sumTallies,
  type Tally,
  topConfusions,
} from '../eval-lang';
import { predictEntities } from '../eval-ner';
import { findRepoRoot } from '../repo-root';
import { type BenchArticle, loadReuters } from '../reuters';
import { compromiseEntities, evaluateRecogniser, microCounts, onlyTypes, SHARED_TYPES } from './entities';
import { ENRICHER_SAMPLE_CHARS, englishLedes, HEADLINE_CHARS } from './english-ledes';
import { DETECTOR_CANDIDATES, iso6393Map, measureColdLoad } from './language-detectors';
import {
  callsPerCpuSecond,
  callsPerSecond,
  formatTable,
  measure,
  measurementSink,
  microsPerCall,
} from './measure';
import { newsSamples } from './news-sentences';
import { SENTENCE_CASES, sentenceAgreement } from './sentences';
import { tokenizers } from './tokenizers';

const pct = (tally: Tally): string => (tally.total === 0 ? '-' : `${(accuracy(tally) * 100).toFixed(1)}%`);
const num = (x: number, digits = 0): string => x.toFixed(digits);
const f3 = (x: number): string => x.toFixed(3);

function packageVersion(name: string): string {
  const path = join(findRepoRoot(__dirname), 'node_modules', name, 'package.json');
  if (!existsSync(path)) return '?';
  return (JSON.parse(readFileSync(path, 'utf8')) as { version?: string }).version ?? '?';
}

/** Tally over the samples whose language the detector can answer. */
function supportedTally(
  samples: readonly LanguageSample[],
  guesses: readonly string[],
  languages: ReadonlySet<string>,
): Tally {
  const tally: Tally = { correct: 0, total: 0 };
  samples.forEach((sample, i) => {
    if (!languages.has(sample.language)) return;
    tally.total++;
    if (guesses[i] === sample.language) tally.correct++;
  });
  return tally;
}

async function compareLanguageDetectors(
  argv: readonly string[],
  articles: readonly BenchArticle[],
): Promise<void> {
  const set = buildLanguageSet(sampleCounts(argv));
  const news = newsSamples();
  const { ledes, headlines, articles: enArticles } = englishLedes(articles);
  const context = { iso6393: iso6393Map(set.declarations) };
  const texts = set.samples.map((s) => s.text);
  console.log(
    [
      '## Language detection\n',
      describeSet(set),
      `news:    ${news.length} hand-written samples in ${new Set(news.map((s) => s.language)).size} languages`,
      `English: ${ledes.length} Reuters ledes (first sentences), their first ${HEADLINE_CHARS} characters, and the articles as the enricher samples them (title + ${ENRICHER_SAMPLE_CHARS} chars)\n`,
    ].join('\n'),
  );
  const rows = [
    [
      'detector',
      'cold load ms',
      'RSS MB',
      'langs',
      'UDHR sent.',
      'UDHR para.',
      'UDHR all',
      'UDHR own',
      'news all',
      'news own',
      'en ledes',
      'en 50 ch.',
      'en articles',
      'µs/call',
      'calls/CPU-s',
    ],
  ];
  const root = findRepoRoot(__dirname);
  const confusions: string[] = [];
  for (const candidate of DETECTOR_CANDIDATES) {
    const cold = measureColdLoad(candidate, root);
    const detector = await candidate.load(context);
    const guesses = (samples: readonly LanguageSample[]): string[] =>
      samples.map((s) => canonicalLanguage(detector.detect(s.text) || 'und'));
    const udhrGuesses = guesses(set.samples);
    const newsGuesses = guesses(news);
    const udhr = scoreGuesses(set.samples, udhrGuesses);
    const newsScore = scoreGuesses(news, newsGuesses);
    const english = (samples: readonly LanguageSample[]): Tally =>
      sumTallies(scoreGuesses(samples, guesses(samples)).overall);
    const timing = measure(texts, detector.detect, { warmUpCalls: Math.min(500, texts.length), passes: 2 });
    const covered = new Set(
      set.samples.filter((s) => detector.languages.has(s.language)).map((s) => s.language),
    );
    rows.push([
      candidate.name,
      num(cold.ms),
      num(cold.rssMb),
      `${covered.size}/${set.byLanguage.size}`,
      pct(udhr.overall.sentence),
      pct(udhr.overall.paragraph),
      pct(sumTallies(udhr.overall)),
      pct(supportedTally(set.samples, udhrGuesses, detector.languages)),
      pct(sumTallies(newsScore.overall)),
      pct(supportedTally(news, newsGuesses, detector.languages)),
      pct(english(ledes)),
      pct(english(headlines)),
      pct(english(enArticles)),
      num(microsPerCall(timing), 1),
      num(callsPerCpuSecond(timing)),
    ]);
    const top = (score: LanguageScore): string =>
      topConfusions(score.confusions, 6)
        .map(([key, n]) => `${key} ×${n}`)
        .join(', ') || 'none';
    const headlineScore = scoreGuesses(headlines, guesses(headlines));
    confusions.push(
      `${candidate.name}\n  UDHR: ${top(udhr)}\n  news: ${top(newsScore)}\n  en 50 ch.: ${top(headlineScore)}`,
    );
  }
  console.log(formatTable(rows));
  console.log(
    [
      '',
      '"langs": set languages it can answer; "own": accuracy on those languages only. Cold load: import and',
      "one call in a fresh node, RSS above an empty node's. µs/call: UDHR samples, 2 passes after a warm-up.",
      '',
      `most frequent confusions (expected→guessed):\n${confusions.join('\n')}\n`,
    ].join('\n'),
  );
}

function compareTokenizers(articles: readonly BenchArticle[]): void {
  const texts = articles.map((a) => a.text);
  const words = articles.reduce((sum, a) => sum + a.wordCount, 0);
  console.log(
    `## Tokens and sentences\n\n${texts.length} Reuters articles (250-600 words, mean ${num(words / Math.max(1, texts.length))})\n`,
  );
  const speed = [
    ['tokenizer', 'articles/s', 'per CPU-s', 'ms/article', 'tokens/article', 'sentences/article'],
  ];
  const agreement = [['splitter', 'exact cases', 'boundary P', 'boundary R', 'boundary F1']];
  const misses: string[] = [];
  for (const tokenizer of tokenizers()) {
    const timing = measure(texts, tokenizer.analyse, { warmUpCalls: Math.min(100, texts.length), passes: 1 });
    let tokens = 0;
    let sentences = 0;
    for (const text of texts) {
      const result = tokenizer.analyse(text);
      tokens += result.tokens;
      sentences += result.sentences;
    }
    speed.push([
      tokenizer.name,
      num(callsPerSecond(timing)),
      num(callsPerCpuSecond(timing)),
      num(microsPerCall(timing) / 1000, 2),
      num(tokens / Math.max(1, texts.length), 1),
      num(sentences / Math.max(1, texts.length), 1),
    ]);
    const split = sentenceAgreement(SENTENCE_CASES, tokenizer.splitSentences);
    const s = scores(split.counts);
    agreement.push([
      tokenizer.name,
      `${split.exact}/${split.cases}`,
      f3(s.precision),
      f3(s.recall),
      f3(s.f1),
    ]);
    if (split.disagreements.length > 0) {
      misses.push(
        `${tokenizer.name}:\n${split.disagreements.map((t) => `  ${JSON.stringify(t)}`).join('\n')}`,
      );
    }
  }
  console.log(formatTable(speed));
  console.log(`\nSentence splits against ${SENTENCE_CASES.length} hand-checked cases:\n`);
  console.log(formatTable(agreement));
  console.log(`\ncases split differently from the reader:\n${misses.join('\n') || 'none'}\n`);
}

const RECOGNISERS: readonly { readonly name: string; readonly recognise: (text: string) => Set<string> }[] = [
  { name: 'ours: extractEntities', recognise: predictEntities },
  { name: 'compromise', recognise: compromiseEntities },
];

function typeRow(name: string, counts: ReadonlyMap<NerType, Counts>, micro: Counts): string[] {
  const f1 = (c: Counts | undefined): string => (c ? f3(scores(c).f1) : '-');
  const m = scores(micro);
  return [name, ...SHARED_TYPES.map((t) => f1(counts.get(t))), f3(m.precision), f3(m.recall), f3(m.f1)];
}

function compareRecognisers(articles: readonly BenchArticle[], conllPath: string | undefined): void {
  const texts = articles.map((a) => a.text);
  console.log(`## Entities (people, organisations, places)\n\n${texts.length} Reuters articles\n`);
  const speed = [['recogniser', 'articles/s', 'per CPU-s', 'ms/article', 'entities/article']];
  for (const { name, recognise } of RECOGNISERS) {
    const timing = measure(texts, recognise, { warmUpCalls: Math.min(20, texts.length), passes: 1 });
    const found = texts.reduce((sum, text) => sum + onlyTypes(recognise(text), SHARED_TYPES).size, 0);
    speed.push([
      name,
      num(callsPerSecond(timing)),
      num(callsPerCpuSecond(timing)),
      num(microsPerCall(timing) / 1000, 2),
      num(found / Math.max(1, texts.length), 1),
    ]);
  }
  console.log(formatTable(speed));
  if (conllPath === undefined) {
    console.log('\nCoNLL scoring skipped: no file given (npm run eval:candidates -- path/to/conll.txt).\n');
    return;
  }
  if (!existsSync(resolve(conllPath))) {
    console.log(`\nCoNLL scoring skipped: ${conllPath} not found.\n`);
    return;
  }
  const content = readFileSync(resolve(conllPath), 'utf8');
  const rows = [
    ['recogniser', ...SHARED_TYPES.map((t) => `${t} F1`), 'micro P', 'micro R', 'micro F1', 'seconds'],
  ];
  for (const { name, recognise } of RECOGNISERS) {
    const started = process.hrtime.bigint();
    const counts = evaluateRecogniser(content, recognise, SHARED_TYPES);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    rows.push([...typeRow(name, counts, microCounts(counts, SHARED_TYPES)), num(seconds, 1)]);
  }
  console.log(
    `\nDocument-level scores on ${conllPath}, ${SHARED_TYPES.join('/')} only (compromise has no MISC):\n`,
  );
  console.log(formatTable(rows));
  console.log('');
}

const SECTIONS = ['language', 'tokens', 'entities'] as const;
type Section = (typeof SECTIONS)[number];

export async function main(argv: readonly string[]): Promise<number> {
  const only = argv
    .find((a) => a.startsWith('--only='))
    ?.split('=')[1]
    ?.split(',');
  const unknown = only?.filter((name) => !(SECTIONS as readonly string[]).includes(name)) ?? [];
  if (unknown.length > 0) {
    console.error(`Unknown section(s) ${unknown.join(', ')}; sections are ${SECTIONS.join(', ')}.`);
    return 2;
  }
  const run = (section: Section): boolean => !only || only.includes(section);
  const conllPath = argv.find((a) => !a.startsWith('--'));
  const packages = [
    'tinyld',
    'eld',
    'franc-min',
    'wink-nlp',
    'wink-eng-lite-web-model',
    'compromise',
    'udhr',
  ];
  console.log(
    [
      `node ${process.version}, ${cpus().length} cores (${cpus()[0]?.model ?? '?'}), load average ${loadavg()
        .map((x) => x.toFixed(2))
        .join(' ')}`,
      packages.map((p) => `${p} ${packageVersion(p)}`).join(', '),
      '',
    ].join('\n'),
  );
  // The same articles, in the same order, for every section and every candidate.
  const articles = loadReuters(250, 600).slice(0, option(argv, 'articles', 1000));
  if (run('language')) await compareLanguageDetectors(argv, articles);
  if (run('tokens')) compareTokenizers(articles);
  if (run('entities')) compareRecognisers(articles.slice(0, option(argv, 'entity-articles', 300)), conllPath);
  console.log(
    `load average at the end ${loadavg()
      .map((x) => x.toFixed(2))
      .join(' ')} (checksum ${measurementSink() % 1000})`,
  );
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
