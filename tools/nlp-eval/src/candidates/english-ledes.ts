import { analyseText } from '@newsflow/enrichment';

import type { LanguageSample } from '../eval-lang';
import { type BenchArticle } from '../reuters';

/** Headline length: the opening words of a lede, cut at a word boundary. */
export const HEADLINE_CHARS = 50;

/** What the enricher gives the detector: the lede, a newline and the body's first 600 characters. */
export const ENRICHER_SAMPLE_CHARS = 600;

/** The words of `text` that fit in `max` characters (at least the first word). */
export function openingWords(text: string, max: number): string {
  const words = text.split(/\s+/).filter(Boolean);
  let out = words[0] ?? '';
  for (const word of words.slice(1)) {
    if (out.length + 1 + word.length > max) break;
    out += ` ${word}`;
  }
  return out;
}

export interface EnglishSamples {
  /** First sentences of the bodies. */
  readonly ledes: LanguageSample[];
  /** Their first words, up to HEADLINE_CHARS. */
  readonly headlines: LanguageSample[];
  /** Title and body start, as the enricher passes them to detectLanguage. */
  readonly articles: LanguageSample[];
}

/**
 * English news from Reuters articles: each article's first sentence (a lede), the opening words of it
 * (a headline's length), and the article as the enricher samples it. Short English news is where
 * tinyld's default model was seen to answer Tagalog (ADR 0001), and most of what the pipeline reads is
 * English.
 */
export function englishLedes(articles: readonly BenchArticle[]): EnglishSamples {
  const ledes: LanguageSample[] = [];
  const headlines: LanguageSample[] = [];
  const samples: LanguageSample[] = [];
  for (const article of articles) {
    samples.push({
      language: 'en',
      length: 'paragraph',
      text: `${article.lede}\n${openingWords(article.text, ENRICHER_SAMPLE_CHARS)}`,
      source: 'reuters',
    });
    const first = analyseText(article.text).sentences[0];
    if (!first) continue;
    const lede = article.text.slice(first.start, first.end);
    ledes.push({ language: 'en', length: 'sentence', text: lede, source: 'reuters' });
    headlines.push({
      language: 'en',
      length: 'sentence',
      text: openingWords(lede, HEADLINE_CHARS),
      source: 'reuters',
    });
  }
  return { ledes, headlines, articles: samples };
}
