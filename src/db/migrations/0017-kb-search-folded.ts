import type { Kysely } from 'kysely';
import { DIACRITIC_FOLDS } from '../../knowledge-base/text-search.js';
import { PostgresAdapter, sql } from '../kysely.js';

/**
 * PostgreSQL's english and dutch text-search configurations keep most diacritics, where
 * SQLite's index drops them: on PostgreSQL "enquete", "facade" or "cafe" did not find an
 * article that writes "enquête", "façade" or "café". The search vector now reads each such
 * letter without its diacritics (DIACRITIC_FOLDS), as queries are (tsQueryText). The words are
 * split at the same characters as in migration 0011. SQLite is unchanged.
 */
const SEPARATORS = '@/\\:.?=&#~%+<>';

function searchVector(column: (name: string) => ReturnType<typeof sql>) {
  return sql`
    setweight(to_tsvector(
      case locale when 'nl' then 'dutch'::regconfig when 'en' then 'english'::regconfig
      else 'simple'::regconfig end, ${column('title')}), 'A') ||
    setweight(to_tsvector(
      case locale when 'nl' then 'dutch'::regconfig when 'en' then 'english'::regconfig
      else 'simple'::regconfig end, ${column('body_text')}), 'B')`;
}

const asWords = (name: string) =>
  sql`translate(${sql.ref(name)}, ${sql.lit(SEPARATORS)}, ${sql.lit(' '.repeat(SEPARATORS.length))})`;
const asFoldedWords = (name: string) =>
  sql`translate(${asWords(name)}, ${sql.lit(DIACRITIC_FOLDS.from)}, ${sql.lit(DIACRITIC_FOLDS.to)})`;

async function rebuild(
  db: Kysely<unknown>,
  column: (name: string) => ReturnType<typeof sql>,
): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  // As in migration 0011: a generated column's expression is changed by making it again.
  await sql`drop index kb_article_translations_search`.execute(db);
  await sql`alter table kb_article_translations drop column search_vector`.execute(db);
  await sql`
    alter table kb_article_translations add column search_vector tsvector
    generated always as (${searchVector(column)}) stored`.execute(db);
  await sql`create index kb_article_translations_search on kb_article_translations
    using gin (search_vector)`.execute(db);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await rebuild(db, asFoldedWords);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await rebuild(db, asWords);
}
