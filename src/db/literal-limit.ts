import type { RawBuilder } from 'kysely';
import { sql } from './kysely.js';

/**
 * A LIMIT or OFFSET that is a constant of the code, written into the SQL instead of bound.
 *
 * SQLite (3.47 and later) plans a query whose LIMIT is a bound parameter with the parameter's
 * value, and marks the statement to be compiled again whenever that parameter is bound: a
 * `limit ?` statement is parsed and planned on every run, however long it stays prepared. That
 * cost 20 µs of a 30 µs lookup here, and about 150 µs in a password sign-in, which runs in
 * caches the hash has just emptied (docs/performance.md, item 12). A literal keeps the plan.
 * Limits that come from a request (a page number) stay bound: their SQL would differ per value.
 */
export function literalLimit(count: number): RawBuilder<number> {
  if (!Number.isSafeInteger(count) || count < 0) {
    throw new RangeError(`literalLimit takes a whole number, not ${count}`);
  }
  return sql.lit(count);
}
