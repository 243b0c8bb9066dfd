import { createRequire } from 'node:module';
import type { Locale } from '../i18n/index.js';
import type { SearchRefusalCode } from './error-codes.js';
import { SearchRefusal } from './error-codes.js';
import { STOPWORDS } from './stopwords.js';

/**
 * Text analysis shared by both stores. PostgreSQL stems with its own Snowball dictionaries
 * ('english', 'dutch'); SQLite's FTS5 only knows an English Porter stemmer, so on SQLite the
 * app stems with the same Snowball algorithms before indexing and querying. The stop-word
 * lists are PostgreSQL's, so a query means the same on either store.
 */

interface SnowballStemmer {
  stem(word: string): string;
}
interface SnowballModule {
  newStemmer(language: string): SnowballStemmer;
}

// A CommonJS/UMD module without type declarations: loaded through require so every loader
// (node, tsx, vitest) sees the same object. Loaded at the first stem, not at start: it is a
// large module and a start on a seeded database stems nothing (docs/performance.md).
let snowball: SnowballModule | null = null;

const SNOWBALL_LANGUAGE: Record<Locale, string> = { en: 'english', nl: 'dutch' };
/** PostgreSQL text-search configuration per article language (see migration 0003). */
export const PG_TEXT_SEARCH_CONFIG: Record<Locale, string> = { en: 'english', nl: 'dutch' };

const stemmers = new Map<Locale, SnowballStemmer>();
function stemmerFor(locale: Locale): SnowballStemmer {
  let stemmer = stemmers.get(locale);
  if (!stemmer) {
    snowball ??= createRequire(import.meta.url)('snowball-stemmers') as SnowballModule;
    stemmer = snowball.newStemmer(SNOWBALL_LANGUAGE[locale]);
    stemmers.set(locale, stemmer);
  }
  return stemmer;
}

/**
 * Letters with diacritics, and the letters without them (`from[i]` becomes `to[i]`): each
 * letter of Latin-1 Supplement and Latin Extended-A and -B that Unicode writes as an ASCII
 * letter and marks. SQLite's index drops diacritics (FTS5 `remove_diacritics 2`, migration
 * 0003); PostgreSQL's english and dutch configurations keep most of them, so there "enquete"
 * did not find "enquête". Migration 0017 folds the indexed text with these, and PostgreSQL
 * queries are folded alike. A change here needs a migration that indexes anew.
 */
export const DIACRITIC_FOLDS: { from: string; to: string } = (() => {
  let from = '';
  let to = '';
  for (let code = 0xc0; code <= 0x24f; code++) {
    const letter = String.fromCodePoint(code);
    const base = letter.normalize('NFD').replace(/\p{M}/gu, '');
    if (base !== letter && /^[A-Za-z]$/.test(base)) {
      from += letter;
      to += base;
    }
  }
  return { from, to };
})();

const FOLDS = new Map([...DIACRITIC_FOLDS.from].map((c, i) => [c, DIACRITIC_FOLDS.to[i] ?? c]));

/** The text with each letter of DIACRITIC_FOLDS written without its diacritics. */
export function foldDiacritics(text: string): string {
  let folded = '';
  for (const c of text) folded += FOLDS.get(c) ?? c;
  return folded;
}

/** Longest word and most words a query may have: bounded work per search. */
export const MAX_TERM_LENGTH = 64;
export const MAX_QUERY_TERMS = 12;
export const MAX_QUERY_LENGTH = 200;

export interface Token {
  word: string;
  start: number;
  end: number;
}

const WORD = /[\p{L}\p{N}]+/gu;

/** Words (letters and digits) with their offsets; PostgreSQL's index splits the same way (migration 0011). */
export function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  for (const match of text.matchAll(WORD)) {
    tokens.push({ word: match[0], start: match.index, end: match.index + match[0].length });
  }
  return tokens;
}

/**
 * Stems already computed, per language. The Snowball port takes tens of microseconds a word,
 * and a knowledge base uses a small vocabulary over and over (snippets stem every word of a
 * result); the cache is emptied when it grows past STEM_CACHE_MAX words.
 */
const stemCache = new Map<Locale, Map<string, string>>();
const STEM_CACHE_MAX = 50_000;

export function stem(locale: Locale, word: string): string {
  const lower = word.toLowerCase();
  let cache = stemCache.get(locale);
  if (!cache) {
    cache = new Map();
    stemCache.set(locale, cache);
  }
  let stemmed = cache.get(lower);
  if (stemmed === undefined) {
    stemmed = stemmerFor(locale).stem(lower);
    if (cache.size >= STEM_CACHE_MAX) cache.clear();
    cache.set(lower, stemmed);
  }
  return stemmed;
}

export function isStopword(locale: Locale, word: string): boolean {
  return STOPWORDS[locale].has(word.toLowerCase());
}

/** The stems of a text, stop words left out, joined by spaces: what FTS5 indexes on SQLite. */
export function stemmedText(locale: Locale, text: string): string {
  const out: string[] = [];
  for (const { word } of tokenize(text)) {
    if (word.length > MAX_TERM_LENGTH || isStopword(locale, word)) continue;
    out.push(stem(locale, word));
  }
  return out.join(' ');
}

export interface AnalysedQuery {
  /** The words as typed (lower-cased), stop words removed: what PostgreSQL gets. */
  words: string[];
  /** Their stems: what FTS5 gets on SQLite and what snippets highlight. */
  stems: string[];
  /**
   * The last word, still being typed (no space after it), also matches as a prefix of a stem:
   * "recov" finds "recovery" (stem "recoveri"). Both stores index stems only, so a partial
   * word that runs past its stem ("authenticat", stem of "authentication" is "authent") does not.
   */
  prefixLast: boolean;
}

/** Minimum length of a last word before it also matches as a prefix (avoids "a*" matching all). */
const PREFIX_MIN_LENGTH = 3;

/** The searchable words of a query, and why any other words were left out. */
function pickWords(locale: Locale, query: string) {
  const words: string[] = [];
  const seen = new Set<string>();
  let tokens = 0;
  let tooLong = false;
  for (const { word } of tokenize(query.slice(0, MAX_QUERY_LENGTH))) {
    tokens++;
    const lower = word.toLowerCase();
    if (lower.length > MAX_TERM_LENGTH) tooLong = true;
    if (lower.length > MAX_TERM_LENGTH || isStopword(locale, lower) || seen.has(lower)) continue;
    seen.add(lower);
    words.push(lower);
    if (words.length === MAX_QUERY_TERMS) break;
  }
  return { words, tokens, tooLong };
}

/**
 * Why a query analyseQuery found nothing in tells a visitor what to change. A word too long
 * wins over common words beside it: it is the word they meant, and the one to fix.
 */
export function searchRefusal(locale: Locale, query: string): SearchRefusalCode {
  const { tokens, tooLong } = pickWords(locale, query);
  if (query.trim() === '') return SearchRefusal.EMPTY_QUERY;
  if (tokens === 0) return SearchRefusal.NO_WORDS;
  if (tooLong) return SearchRefusal.WORD_TOO_LONG;
  return SearchRefusal.ONLY_COMMON_WORDS;
}

/** Turns what a visitor typed into search terms for one article language; null when nothing is left. */
export function analyseQuery(locale: Locale, query: string): AnalysedQuery | null {
  const { words } = pickWords(locale, query);
  if (words.length === 0) return null;
  const last = words[words.length - 1] ?? '';
  return {
    words,
    stems: words.map((w) => stem(locale, w)),
    // Still being typed (it ends the query), or asked for with a star ("recov*").
    prefixLast: last.length >= PREFIX_MIN_LENGTH && /(?:\p{L}|\p{L}\*\s*)$/u.test(query),
  };
}

/** FTS5 MATCH expression: every stem must occur; each is quoted so no word is read as syntax. */
export function fts5Query(query: AnalysedQuery): string {
  return query.stems
    .map((s, i) => {
      const quoted = `"${s.replace(/"/g, '""')}"`;
      return query.prefixLast && i === query.stems.length - 1 ? `${quoted}*` : quoted;
    })
    .join(' AND ');
}

/**
 * tsquery text for to_tsquery(config, …): words are letters and digits only (tokenize), so
 * joining them with & can never form invalid syntax; PostgreSQL stems them itself. Folded as
 * the index is (DIACRITIC_FOLDS).
 */
export function tsQueryText(query: AnalysedQuery): string {
  return query.words
    .map(foldDiacritics)
    .map((w, i) => (query.prefixLast && i === query.words.length - 1 ? `${w}:*` : w))
    .join(' & ');
}

export interface TextSegment {
  text: string;
  /** A word that matched the query: shown highlighted. */
  match: boolean;
}

/**
 * The query stem a word matches, or null; remembers each distinct word it was asked about.
 * Stems are compared without diacritics, as both stores' indexes compare them: "cafe" found
 * "café", and marks it.
 */
function matcher(locale: Locale, query: AnalysedQuery): (word: string) => string | null {
  const stems = query.stems.map(foldDiacritics);
  const exact = new Set(stems);
  const prefix = query.prefixLast ? stems[stems.length - 1] : undefined;
  const seen = new Map<string, string | null>();
  return (word) => {
    let key = seen.get(word);
    if (key !== undefined) return key;
    key = null;
    if (word.length <= MAX_TERM_LENGTH) {
      const s = foldDiacritics(stem(locale, word));
      if (exact.has(s) || (prefix !== undefined && s.startsWith(prefix))) key = s;
    }
    seen.set(word, key);
    return key;
  };
}

/** A short text with its matching words marked (titles). */
export function highlight(locale: Locale, text: string, query: AnalysedQuery): TextSegment[] {
  const keyOf = matcher(locale, query);
  return markWords(text, tokenize(text), (word) => keyOf(word) !== null);
}

function markWords(
  text: string,
  tokens: Token[],
  isMatch: (word: string, index: number) => boolean,
) {
  const segments: TextSegment[] = [];
  let cursor = 0;
  for (const [index, token] of tokens.entries()) {
    if (!isMatch(token.word, index)) continue;
    if (token.start > cursor)
      segments.push({ text: text.slice(cursor, token.start), match: false });
    segments.push({ text: text.slice(token.start, token.end), match: true });
    cursor = token.end;
  }
  if (cursor < text.length) segments.push({ text: text.slice(cursor), match: false });
  return segments;
}

export const SNIPPET_WORDS = 30;

/**
 * A snippet runs its lines together, and each line of an article's text is a whole block
 * (htmlToText): a heading or list item that ends without a stop would run into the next block
 * ("Set up the app Open the app…"), so such a line gets a full stop.
 */
function endLines(text: string): string {
  return text.replace(/(?<=[\p{L}\p{N})\]"'’”])[ \t]*\n/gu, '.\n');
}

/**
 * The stretch of about SNIPPET_WORDS words of a body that holds the most different query
 * words (then the most matches, then the earliest), with those words marked and an ellipsis
 * where text was cut. Without any match, the opening words.
 */
export function buildSnippet(
  locale: Locale,
  articleText: string,
  query: AnalysedQuery,
  windowWords = SNIPPET_WORDS,
): TextSegment[] {
  const text = endLines(articleText);
  const tokens = tokenize(text);
  if (tokens.length === 0) return [];
  const keyOf = matcher(locale, query);
  const matches: Array<{ index: number; key: string }> = [];
  for (const [index, token] of tokens.entries()) {
    const key = keyOf(token.word);
    if (key !== null) matches.push({ index, key });
  }
  const matchAt = new Set(matches.map((m) => m.index));
  // Slide a window of windowWords words from each match: count the different query words
  // and the matches inside it, in one pass over the matches.
  let best = -1;
  let bestScore = -1;
  const counts = new Map<string, number>();
  let end = 0;
  for (let i = 0; i < matches.length; i++) {
    const start = matches[i]?.index ?? 0;
    for (; end < matches.length && (matches[end]?.index ?? 0) < start + windowWords; end++) {
      const key = matches[end]?.key ?? '';
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const score = counts.size * 1000 + (end - i);
    if (score > bestScore) {
      bestScore = score;
      best = start;
    }
    const leaving = matches[i]?.key ?? '';
    const left = (counts.get(leaving) ?? 1) - 1;
    if (left === 0) counts.delete(leaving);
    else counts.set(leaving, left);
  }
  // Start a few words before the best match so it reads in context.
  const lead = best < 0 ? 0 : Math.max(0, Math.min(best - 3, tokens.length - windowWords));
  const window = tokens.slice(lead, lead + windowWords);
  const first = window[0];
  const last = window[window.length - 1];
  if (!first || !last) return [];
  const from = first.start;
  const to = last.end;
  const shifted = window.map((t) => ({ ...t, start: t.start - from, end: t.end - from }));
  const segments = markWords(text.slice(from, to), shifted, (_word, i) =>
    matchAt.has(lead + i),
  ).map((s) => ({
    ...s,
    text: s.text.replace(/\s+/g, ' '),
  }));
  const cutText = /[\p{L}\p{N}]/u;
  if (cutText.test(text.slice(0, from))) segments.unshift({ text: '… ', match: false });
  if (cutText.test(text.slice(to))) segments.push({ text: ' …', match: false });
  else if (to < text.length)
    segments.push({ text: text.slice(to).replace(/\s+/g, ' '), match: false });
  return segments;
}
