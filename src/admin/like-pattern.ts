import type { Kysely, RawBuilder } from 'kysely';
import { UNICODE_LOWER } from '../db/database.js';
import { PostgresAdapter, sql } from '../db/kysely.js';
import type { Database } from '../db/schema.js';

/**
 * A case-insensitive "contains" test for a text column, the same on SQLite and PostgreSQL:
 * both sides lower-cased, every letter (on SQLite by a function of our own, its `lower()`
 * folding A to Z only), and the wildcards of the search text escaped so that "50%" or "a_b"
 * match themselves.
 */
export function containsIgnoringCase(
  db: Kysely<Database>,
  column: string,
  text: string,
): RawBuilder<boolean> {
  const escaped = text.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`);
  const lower =
    db.getExecutor().adapter instanceof PostgresAdapter ? sql.raw('lower') : sql.raw(UNICODE_LOWER);
  return sql<boolean>`${lower}(${sql.ref(column)}) like ${`%${escaped}%`} escape '\\'`;
}
