import type { Kysely } from 'kysely';
import { DIACRITIC_FOLDS } from '../../knowledge-base/text-search.js';
import { sql } from '../kysely.js';
import { asWords, rebuild } from './0011-kb-search-words.js';

/**
 * PostgreSQL's english and dutch text-search configurations keep most diacritics, where
 * SQLite's index drops them: on PostgreSQL "enquete", "facade" or "cafe" did not find an
 * article that writes "enquête", "façade" or "café". The search vector now reads each such
 * letter without its diacritics (DIACRITIC_FOLDS), as queries are (tsQueryText), after
 * splitting words as migration 0011 does. SQLite is unchanged.
 */
const asFoldedWords = (name: string) =>
  sql`translate(${asWords(name)}, ${sql.lit(DIACRITIC_FOLDS.from)}, ${sql.lit(DIACRITIC_FOLDS.to)})`;

export async function up(db: Kysely<unknown>): Promise<void> {
  await rebuild(db, asFoldedWords);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await rebuild(db, asWords);
}
