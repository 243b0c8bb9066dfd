import { sql } from '../db/kysely.js';
import { literalLimit } from '../db/literal-limit.js';
import type { Locale } from '../i18n/index.js';
import { LOCALES } from '../i18n/index.js';
import type { Catalog, CategoryLink } from './catalog.js';
import type { SearchRefusalCode } from './error-codes.js';
import { htmlToText } from './markdown.js';
import type { KbDeps, SearchStore } from './store.js';
import { searchStoreOf } from './store.js';
import type { AnalysedQuery, TextSegment } from './text-search.js';
import {
  analyseQuery,
  buildSnippet,
  fts5Query,
  highlight,
  PG_TEXT_SEARCH_CONFIG,
  searchRefusal,
  tsQueryText,
} from './text-search.js';

export interface SearchResult {
  slug: string;
  locale: Locale;
  title: TextSegment[];
  snippet: TextSegment[];
  categories: CategoryLink[];
}

export interface SearchOutcome {
  /** Why nothing was searched for (no searchable word in the visitor's language), or null. */
  refusal: SearchRefusalCode | null;
  results: SearchResult[];
}

export const SEARCH_RESULTS_LIMIT = 20;

/**
 * Weights of title and body in the ranking, the same on both stores: a word in the title
 * counts ten times a word in the body. SQLite: bm25() column weights; PostgreSQL: ts_rank()
 * weights for the A (title) and B (body) labels of the generated tsvector.
 */
const TITLE_WEIGHT = 1.0;
const BODY_WEIGHT = 0.1;

interface Hit {
  translation_id: string;
  article_id: string;
  title: string;
  body_html: string;
}

/**
 * `limit` is the code's own (SEARCH_RESULTS_LIMIT), never a request's: it is written into the
 * SQL (literalLimit).
 */
async function findMatches(
  deps: KbDeps,
  store: SearchStore,
  locale: Locale,
  query: AnalysedQuery,
  limit: number,
): Promise<Hit[]> {
  if (store === 'sqlite') {
    // bm25() is lower for better matches; ties go to the title alphabetically.
    const result = await sql<Hit>`
      select t.id as translation_id, t.article_id, t.title, t.body_html
      from kb_search
      join kb_article_translations t on t.id = kb_search.translation_id
      where kb_search match ${fts5Query(query)}
        and kb_search.locale = ${locale}
        and t.status = 'published'
      order by bm25(kb_search, ${TITLE_WEIGHT * 10}, ${BODY_WEIGHT * 10}), t.title
      limit ${literalLimit(limit)}`.execute(deps.db);
    return result.rows;
  }
  const config = PG_TEXT_SEARCH_CONFIG[locale];
  const result = await sql<Hit>`
    select t.id as translation_id, t.article_id, t.title, t.body_html
    from kb_article_translations t,
      to_tsquery(${config}::regconfig, ${tsQueryText(query)}) q
    where t.locale = ${locale}
      and t.status = 'published'
      and t.search_vector @@ q
    order by ts_rank(${`{${BODY_WEIGHT}, ${BODY_WEIGHT}, ${BODY_WEIGHT}, ${TITLE_WEIGHT}}`}::float4[],
      t.search_vector, q) desc, t.title
    limit ${literalLimit(limit)}`.execute(deps.db);
  return result.rows;
}

/**
 * Searches the published articles a visitor can read: texts in the visitor's language first,
 * then texts in another language for articles that have none in the visitor's (each language
 * is matched with its own stemmer and stop words).
 */
export function createSearch(deps: KbDeps, catalog: Catalog) {
  const store = searchStoreOf(deps.db);
  return async function search(
    typed: string,
    locale: Locale,
    limit = SEARCH_RESULTS_LIMIT,
  ): Promise<SearchOutcome> {
    // In the one Unicode form articles are saved in: an accent typed as a separate mark would
    // split its word.
    const text = typed.normalize('NFC');
    const snap = await catalog.snapshot();
    const results: SearchResult[] = [];
    const seen = new Set<string>();
    for (const language of [locale, ...LOCALES.filter((l) => l !== locale)]) {
      if (results.length >= limit) break;
      const query = analyseQuery(language, text);
      // Nothing searchable in the visitor's own language: say why, search no further.
      if (!query && language === locale)
        return { refusal: searchRefusal(locale, text), results: [] };
      if (!query) continue;
      const hits = await findMatches(deps, store, language, query, limit * 2);
      for (const hit of hits) {
        if (results.length >= limit) break;
        // Only the text a visitor would be shown on the article page counts as a hit.
        if (seen.has(hit.article_id)) continue;
        if (catalog.visibleLocale(snap, hit.article_id, locale) !== language) continue;
        const article = snap.articles.get(hit.article_id);
        if (!article) continue;
        seen.add(hit.article_id);
        results.push({
          slug: article.slug,
          locale: language,
          title: highlight(language, hit.title, query),
          // From the HTML, not the stored text: texts stored by earlier versions keep the
          // source's line breaks inside paragraphs, which a snippet would take for block ends.
          snippet: buildSnippet(language, htmlToText(hit.body_html), query),
          categories: catalog.categoryTrail(snap, hit.article_id, locale),
        });
      }
    }
    return { refusal: null, results };
  };
}
