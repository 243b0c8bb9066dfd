import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Kysely, SqliteDialect, sql } from '../db/kysely.js';
import type { Database } from '../db/schema.js';
import {
  clearRateLimit,
  consumeRateLimit,
  consumeRateLimitPair,
  countFailure,
} from './rate-limit.js';

const WINDOW = 60_000;

describe('consumeRateLimitPair', () => {
  let db: Kysely<Database>;

  beforeEach(async () => {
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
    await sql`create table rate_limits (key text primary key, window_start bigint not null, count integer not null, in_a_row integer not null default 0)`.execute(
      db,
    );
  });
  afterEach(() => db.destroy());

  const pair = (now: number) =>
    consumeRateLimitPair(db, { key: 'email', limit: 2 }, { key: 'ip', limit: 3 }, WINDOW, now);

  it('counts both limiters, each against its own limit, and answers in argument order', async () => {
    // `remaining`: how many more each window allows after this hit.
    expect(await pair(1_000)).toEqual([
      { allowed: true, retryAfterMs: 0, remaining: 1 },
      { allowed: true, retryAfterMs: 0, remaining: 2 },
    ]);
    await pair(2_000);
    // The third hit goes over the first limit (2) only; the fourth over both. Each first hit
    // over a limit says so (`justReached`), once a window.
    expect(await pair(3_000)).toEqual([
      { allowed: false, retryAfterMs: 58_000, justReached: true },
      { allowed: true, retryAfterMs: 0, remaining: 0 },
    ]);
    expect(await pair(4_000)).toEqual([
      { allowed: false, retryAfterMs: 57_000 },
      { allowed: false, retryAfterMs: 57_000, justReached: true },
    ]);
    expect(await pair(5_000)).toEqual([
      { allowed: false, retryAfterMs: 56_000 },
      { allowed: false, retryAfterMs: 56_000 },
    ]);
  });

  it('counts as consumeRateLimit does, and starts a new window for each counter on its own', async () => {
    // The client address was counted alone earlier, in a window that ends before the other's.
    await consumeRateLimit(db, 'ip', 3, WINDOW, 0);
    await consumeRateLimit(db, 'ip', 3, WINDOW, 0);
    await pair(30_000);
    expect(await db.selectFrom('rate_limits').selectAll().orderBy('key').execute()).toEqual([
      { key: 'email', window_start: 30_000, count: 1, in_a_row: 0 },
      { key: 'ip', window_start: 0, count: 3, in_a_row: 0 },
    ]);
    await pair(65_000);
    expect(await db.selectFrom('rate_limits').selectAll().orderBy('key').execute()).toEqual([
      { key: 'email', window_start: 30_000, count: 2, in_a_row: 0 },
      { key: 'ip', window_start: 65_000, count: 1, in_a_row: 0 },
    ]);
  });

  it('counts failures in a row across windows, and refuses at inARow until the counter is cleared', async () => {
    const limited = (now: number) =>
      consumeRateLimitPair(
        db,
        { key: 'email', limit: 2, inARow: 5 },
        { key: 'ip', limit: 100 },
        WINDOW,
        now,
      );
    // Two checked and failed tries per window, each window within its limit: five in a row...
    for (const now of [0, 1, WINDOW, WINDOW + 1, 2 * WINDOW]) {
      expect((await limited(now))[0]).toMatchObject({ allowed: true, retryAfterMs: 0 });
      await countFailure(db, 'email');
    }
    // ...and the next is refused though its window is fresh, as is every later one.
    expect((await limited(2 * WINDOW + 1))[0]).toEqual({
      allowed: false,
      retryAfterMs: 0,
      untilCleared: true,
    });
    expect((await limited(10 * WINDOW))[0].untilCleared).toBe(true);
    expect(await consumeRateLimit(db, 'email', 2, WINDOW, 11 * WINDOW, 5)).toMatchObject({
      allowed: false,
      untilCleared: true,
    });
    await clearRateLimit(db, 'email');
    expect((await limited(11 * WINDOW))[0]).toEqual({
      allowed: true,
      retryAfterMs: 0,
      remaining: 1,
    });
  });

  it('counts only the failures it is told of: hits the window refuses are not a run', async () => {
    for (let i = 0; i < 20; i++) await consumeRateLimit(db, 'email', 2, WINDOW, i, 5);
    expect(await countFailure(db, 'email')).toBe(1);
    expect((await consumeRateLimit(db, 'email', 2, WINDOW, 2 * WINDOW, 5)).allowed).toBe(true);
  });

  it('refuses one key given twice, which one upsert could not count twice', async () => {
    await expect(
      consumeRateLimitPair(db, { key: 'k', limit: 1 }, { key: 'k', limit: 1 }, WINDOW, 0),
    ).rejects.toThrow('two different keys');
  });
});
