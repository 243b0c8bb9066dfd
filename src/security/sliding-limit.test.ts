import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Kysely, SqliteDialect, sql } from '../db/kysely.js';
import type { Database } from '../db/schema.js';
import { consumeRateLimit } from './rate-limit.js';
import { consumeSlidingLimit } from './sliding-limit.js';

const HOUR = 3_600_000;
const MINUTE = 60_000;

describe('consumeSlidingLimit', () => {
  let db: Kysely<Database>;

  beforeEach(async () => {
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
    await sql`create table rate_limits (key text primary key, window_start bigint not null, count integer not null, in_a_row integer not null default 0)`.execute(
      db,
    );
    await sql`create table rate_limit_hits (id text primary key, key text not null, at bigint not null)`.execute(
      db,
    );
  });
  afterEach(() => db.destroy());

  const hit = (now: number, key = 'mailbox') => consumeSlidingLimit(db, key, 5, HOUR, now);

  it('allows five in any hour: none more across the edge of the first hour', async () => {
    // One at the start, four near the hour's end: a fixed window started by the first would
    // open a new window at 60 minutes and let five more through in the next minutes.
    expect(await hit(0)).toEqual({ allowed: true, retryAfterMs: 0, remaining: 4 });
    for (const [i, minute] of [56, 57, 58, 59].entries())
      expect(await hit(minute * MINUTE)).toEqual({
        allowed: true,
        retryAfterMs: 0,
        remaining: 3 - i,
      });
    // At 61 minutes the first has left the hour: room for one, and only one.
    expect(await hit(61 * MINUTE)).toMatchObject({ allowed: true, remaining: 0 });
    expect(await hit(62 * MINUTE)).toEqual({ allowed: false, retryAfterMs: 54 * MINUTE });
    expect(await hit(63 * MINUTE)).toEqual({ allowed: false, retryAfterMs: 53 * MINUTE });
    // A refused hit is not kept: at 56 minutes past the first of the four, one more is let in.
    expect(await hit(116 * MINUTE + 1)).toMatchObject({ allowed: true, remaining: 0 });

    // The fixed window, for contrast, lets ten through in those six minutes.
    let fixed = 0;
    for (const minute of [0, 56, 57, 58, 59, 61, 62, 63, 64, 65])
      if ((await consumeRateLimit(db, 'fixed', 5, HOUR, minute * MINUTE)).allowed) fixed += 1;
    expect(fixed).toBe(10);
  });

  it('keeps each key apart, and keeps no more than the limit of rows per key', async () => {
    for (let i = 0; i < 8; i += 1) await hit(i * MINUTE);
    expect((await hit(9 * MINUTE, 'other')).allowed).toBe(true);
    const rows = await db
      .selectFrom('rate_limit_hits')
      .select(['key'])
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .groupBy('key')
      .orderBy('key')
      .execute();
    expect(rows).toEqual([
      { key: 'mailbox', n: 5 },
      { key: 'other', n: 1 },
    ]);
  });
});
