import { sql } from '../db/kysely.js';
import type { RawBuilder } from 'kysely';

/**
 * A case-insensitive "contains" test for a text column, the same on SQLite and PostgreSQL:
 * both sides lower-cased, and the wildcards of the search text escaped so that "50%" or
 * "a_b" match themselves.
 */
export function containsIgnoringCase(column: string, text: string): RawBuilder<boolean> {
  const escaped = text.toLowerCase().replace(/[\\%_]/g, (ch) => `\\${ch}`);
  return sql<boolean>`lower(${sql.ref(column)}) like ${`%${escaped}%`} escape '\\'`;
}
