import { describe, expect, it } from 'vitest';
import { SearchRefusal } from './error-codes.js';
import {
  analyseQuery,
  buildSnippet,
  DIACRITIC_FOLDS,
  foldDiacritics,
  fts5Query,
  highlight,
  MAX_QUERY_TERMS,
  MAX_TERM_LENGTH,
  searchRefusal,
  stemmedText,
  tsQueryText,
} from './text-search.js';

const marks = (segments: Array<{ text: string; match: boolean }>) =>
  segments.filter((s) => s.match).map((s) => s.text);

describe('search text analysis', () => {
  it('stems with the Snowball algorithm of the language, as PostgreSQL does', () => {
    // Values checked against to_tsvector('dutch' | 'english', …) on PostgreSQL 15.
    expect(stemmedText('nl', 'Apparaten apparaat telefoons sleutels')).toBe(
      'apparat apparat telefon sleutel',
    );
    expect(stemmedText('en', 'The recovery codes for devices')).toBe('recoveri code devic');
  });

  it('drops stop words, duplicates and overlong words, and caps the number of terms', () => {
    expect(analyseQuery('en', 'how do I set up the app')?.words).toEqual(['set', 'app']);
    expect(analyseQuery('nl', 'hoe stel ik de app in')?.words).toEqual(['stel', 'app']);
    expect(analyseQuery('en', 'the and of')).toBeNull();
    expect(analyseQuery('en', '  ')).toBeNull();
    expect(analyseQuery('en', 'code CODE Code')?.words).toEqual(['code']);
    expect(analyseQuery('en', 'x'.repeat(65))).toBeNull();
    const many = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
    expect(analyseQuery('en', many)?.words).toHaveLength(MAX_QUERY_TERMS);
  });

  it('names why a query has nothing to search for, so the page can say what to change', () => {
    const long = 'x'.repeat(MAX_TERM_LENGTH + 1);
    expect(searchRefusal('en', ' \t')).toBe(SearchRefusal.EMPTY_QUERY);
    expect(searchRefusal('en', '(')).toBe(SearchRefusal.NO_WORDS);
    expect(searchRefusal('en', '?! -- ::')).toBe(SearchRefusal.NO_WORDS);
    expect(searchRefusal('en', long)).toBe(SearchRefusal.WORD_TOO_LONG);
    expect(searchRefusal('en', `the ${long} of`)).toBe(SearchRefusal.WORD_TOO_LONG);
    expect(searchRefusal('en', 'the and of')).toBe(SearchRefusal.ONLY_COMMON_WORDS);
    expect(analyseQuery('nl', 'de het een')).toBeNull();
    expect(searchRefusal('nl', 'de het een')).toBe(SearchRefusal.ONLY_COMMON_WORDS);
  });

  it('builds store queries that no typed character can turn into syntax', () => {
    const query = analyseQuery('en', 'recovery "codes" OR NEAR(x) -y *:authenticat');
    expect(query).not.toBeNull();
    if (!query) return;
    expect(fts5Query(query)).toBe(
      '"recoveri" AND "code" AND "near" AND "x" AND "y" AND "authenticat"*',
    );
    expect(tsQueryText(query)).toBe('recovery & codes & near & x & y & authenticat:*');
  });

  it('matches the last word as a prefix only when it is being typed', () => {
    expect(analyseQuery('en', 'authenticat')?.prefixLast).toBe(true);
    expect(analyseQuery('en', 'authenticat ')?.prefixLast).toBe(false);
    expect(analyseQuery('en', 'ab')?.prefixLast).toBe(false);
    expect(analyseQuery('en', '2fa 123')?.prefixLast).toBe(false);
    // A star after it asks for a prefix, as search boxes elsewhere have taught people.
    expect(analyseQuery('en', 'recov*')?.prefixLast).toBe(true);
    expect(analyseQuery('en', 'recov* ')?.prefixLast).toBe(true);
    expect(analyseQuery('en', 'ab*')?.prefixLast).toBe(false);
  });

  it('highlights words that share a stem with the query', () => {
    const query = analyseQuery('en', 'code')!;
    expect(marks(highlight('en', 'Recovery codes and a Code', query))).toEqual(['codes', 'Code']);
  });

  it('cuts a snippet around the densest matches, with ellipses where text was left out', () => {
    const filler = Array.from({ length: 60 }, (_, i) => `filler${i}`).join(' ');
    const text = `${filler} Save your recovery codes: each recovery code works once. ${filler}`;
    const snippet = buildSnippet('en', text, analyseQuery('en', 'recovery codes')!, 12);
    expect(snippet[0]?.text).toBe('… ');
    expect(snippet[snippet.length - 1]?.text).toBe(' …');
    expect(marks(snippet)).toEqual(['recovery', 'codes', 'recovery', 'code']);
    expect(snippet.map((s) => s.text).join('')).toContain('Save your recovery codes');
  });

  it('ends a heading or list item with a full stop, so it does not run into the next block', () => {
    const text =
      'Set up an authenticator app\nOpen the app.\nScan the code\nType the code:\nDone?\nYes';
    const snippet = buildSnippet('en', text, analyseQuery('en', 'zebra')!);
    expect(snippet.map((s) => s.text).join('')).toBe(
      'Set up an authenticator app. Open the app. Scan the code. Type the code: Done? Yes',
    );
  });

  it('starts at the beginning when nothing matches, and never breaks on empty text', () => {
    const snippet = buildSnippet('en', 'Short text. Nothing here.', analyseQuery('en', 'zebra')!);
    expect(snippet.map((s) => s.text).join('')).toBe('Short text. Nothing here.');
    expect(buildSnippet('en', '', analyseQuery('en', 'zebra')!)).toEqual([]);
  });
});

describe('diacritics on PostgreSQL', () => {
  it('folds each letter to its ASCII letter, one for one, and leaves others alone', () => {
    expect([...DIACRITIC_FOLDS.from]).toHaveLength([...DIACRITIC_FOLDS.to].length);
    expect(foldDiacritics('Enquête, façade, CRÈME, Ångström')).toBe(
      'Enquete, facade, CREME, Angstrom',
    );
    // No single ASCII letter: kept as they are.
    expect(foldDiacritics('ß æ ø ĳ 日本')).toBe('ß æ ø ĳ 日本');
  });

  it('marks a word found without its accents, and an accented query in plain text', () => {
    expect(
      marks(highlight('en', 'The café’s façade', analyseQuery('en', 'cafe facade ')!)),
    ).toEqual(['café', 'façade']);
    expect(marks(highlight('nl', 'Een enquete', analyseQuery('nl', 'enquête ')!))).toEqual([
      'enquete',
    ]);
    const snippet = buildSnippet('nl', 'Vul de enquête in.', analyseQuery('nl', 'enque')!);
    expect(marks(snippet)).toEqual(['enquête']);
  });

  it('folds the query as the index is folded', () => {
    const query = analyseQuery('nl', 'enquête façade');
    expect(query && tsQueryText(query)).toBe('enquete & facade:*');
  });
});
