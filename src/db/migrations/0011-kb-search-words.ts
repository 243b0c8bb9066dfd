import type { Kysely } from 'kysely';
import { PostgresAdapter, sql } from '../kysely.js';

/**
 * PostgreSQL's text parser keeps an email address, a URL, a host name or a file path as one
 * word (`person@example.com`, `smtps://mailer`, `/etc/portico/secret.key`) and drops what looks
 * like a tag (`Bearer <token>`): an article that
 * shows one, often in a code block, was not found by its parts ("example", "secret"), while
 * SQLite's index, and the query side of both, split words at every character that is not a
 * letter or digit (src/knowledge-base/text-search.ts). The search vector now reads those
 * characters as spaces first, so both stores find the same articles. SQLite is unchanged.
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

export const asWords = (name: string) =>
  sql`translate(${sql.ref(name)}, ${sql.lit(SEPARATORS)}, ${sql.lit(' '.repeat(SEPARATORS.length))})`;
const asIs = (name: string) => sql`${sql.ref(name)}`;

/** Makes the search vector again from `column`'s reading of title and body (0017 too). */
export async function rebuild(
  db: Kysely<unknown>,
  column: (name: string) => ReturnType<typeof sql>,
): Promise<void> {
  if (!(db.getExecutor().adapter instanceof PostgresAdapter)) return;
  // A generated column's expression cannot be changed in place before PostgreSQL 17: the
  // column is made again, and computed for every row, in this migration's transaction.
  await sql`drop index kb_article_translations_search`.execute(db);
  await sql`alter table kb_article_translations drop column search_vector`.execute(db);
  await sql`
    alter table kb_article_translations add column search_vector tsvector
    generated always as (${searchVector(column)}) stored`.execute(db);
  await sql`create index kb_article_translations_search on kb_article_translations
    using gin (search_vector)`.execute(db);
}

export async function up(db: Kysely<unknown>): Promise<void> {
  await rebuild(db, asWords);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await rebuild(db, asIs);
}
