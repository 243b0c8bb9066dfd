import type { Kysely } from 'kysely';
import { PostgresAdapter, sql } from '../db/kysely.js';
import type { Audit } from '../audit/audit.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import { isLocale, LOCALES } from '../i18n/index.js';
import type { Locale } from '../i18n/index.js';
import { stemmedText } from './text-search.js';

export interface KbDeps {
  db: Kysely<Database>;
  clock: Clock;
  audit: Audit;
}

export type SearchStore = 'sqlite' | 'postgres';

export function searchStoreOf(db: Kysely<Database>): SearchStore {
  return db.getExecutor().adapter instanceof PostgresAdapter ? 'postgres' : 'sqlite';
}

/** Article and category languages are the UI's languages; anything else in a row reads as English. */
export function asLocale(value: string): Locale {
  return isLocale(value) ? value : 'en';
}

/** The language to show: the one asked for, else English, else whatever exists. */
export function pickLocale<T>(available: ReadonlyMap<Locale, T>, wanted: Locale): Locale | null {
  if (available.has(wanted)) return wanted;
  if (available.has('en')) return 'en';
  return LOCALES.find((l) => available.has(l)) ?? null;
}

export async function readRevision(db: Kysely<Database>): Promise<number> {
  const row = await db
    .selectFrom('kb_revision')
    .select('revision')
    .where('id', '=', 1)
    .executeTakeFirst();
  return row?.revision ?? 0;
}

/** Called inside every knowledge-base write transaction: caches built before it are stale. */
export async function bumpRevision(trx: Kysely<Database>): Promise<void> {
  await trx
    .updateTable('kb_revision')
    .set((eb) => ({ revision: eb('revision', '+', 1) }))
    .where('id', '=', 1)
    .execute();
}

/**
 * Brings the search index in line with one translation row. PostgreSQL's tsvector is a
 * generated column and follows by itself; SQLite's FTS5 rows hold Snowball stems computed
 * here, so they are rewritten in the same transaction as the row they index.
 */
export async function reindexTranslation(
  trx: Kysely<Database>,
  store: SearchStore,
  translationId: string,
): Promise<void> {
  if (store === 'postgres') return;
  await sql`delete from kb_search where translation_id = ${translationId}`.execute(trx);
  const row = await trx
    .selectFrom('kb_article_translations')
    .select(['id', 'locale', 'title', 'body_text'])
    .where('id', '=', translationId)
    .executeTakeFirst();
  if (!row) return;
  const locale = asLocale(row.locale);
  await sql`insert into kb_search (title, body, translation_id, locale)
    values (${stemmedText(locale, row.title)}, ${stemmedText(locale, row.body_text)}, ${row.id}, ${row.locale})`.execute(
    trx,
  );
}
