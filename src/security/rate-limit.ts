import type { Kysely, OnConflictBuilder } from 'kysely';
import { sql } from '../db/kysely.js';
import { firstRow, precompiled } from '../db/precompiled.js';
import type { Database } from '../db/schema.js';

export interface RateLimitResult {
  allowed: boolean;
  /** Milliseconds until the current window ends (0 when allowed). */
  retryAfterMs: number;
  /** When allowed: how many more the window allows after this one. */
  remaining?: number;
  /** Refused for too many failures in a row ({@link RateLimit.inARow}): no window ends that. */
  untilCleared?: true;
  /**
   * Refused, and the first hit of its window to be: the moment the limit was reached, which
   * happens once a window however long a flood goes on (worth one audit entry, not one each).
   */
  justReached?: true;
}

/**
 * A fixed-window counter kept in the database, so it holds across restarts and across
 * processes. One upsert both resets an expired window and counts this hit: concurrent
 * requests cannot both read a stale count.
 */
export async function consumeRateLimit(
  db: Kysely<Database>,
  key: string,
  limit: number,
  windowMs: number,
  now: number,
  inARow?: number,
): Promise<RateLimitResult> {
  const row = firstRow(await countHit(db, { key, now, expiredAt: now - windowMs }));
  return verdict(row, { key, limit, ...(inARow === undefined ? {} : { inARow }) }, windowMs, now);
}

/** Whether a counter, as the upsert left it, is still within its limits. */
function verdict(
  row: { count: number; window_start: number; in_a_row: number } | undefined,
  { limit, inARow }: RateLimit,
  windowMs: number,
  now: number,
): RateLimitResult {
  if (!row) throw new Error('rate limit upsert returned no row');
  if (inARow !== undefined && row.in_a_row >= inARow)
    return { allowed: false, retryAfterMs: 0, untilCleared: true };
  if (row.count <= limit) return { allowed: true, retryAfterMs: 0, remaining: limit - row.count };
  const retryAfterMs = Math.max(0, row.window_start + windowMs - now);
  return row.count === limit + 1
    ? { allowed: false, retryAfterMs, justReached: true }
    : { allowed: false, retryAfterMs };
}

/** A counter met again: a new window when its own has expired, else one more hit. */
function countAgain(now: number, expiredAt: number) {
  const expired = sql<boolean>`rate_limits.window_start <= ${expiredAt}`;
  return (oc: OnConflictBuilder<Database, 'rate_limits'>) =>
    oc.column('key').doUpdateSet({
      count: sql`case when ${expired} then 1 else rate_limits.count + 1 end`,
      window_start: sql`case when ${expired} then ${now} else rate_limits.window_start end`,
    });
}

/** Runs on every form post that is limited (log-in, register, reset, codes). */
const countHit = precompiled((db, p: { key: string; now: number; expiredAt: number }) =>
  db
    .insertInto('rate_limits')
    .values({ key: p.key, window_start: p.now, count: 1 })
    .onConflict(countAgain(p.now, p.expiredAt))
    .returning(['count', 'window_start', 'in_a_row']),
);

/** Two counters of one window in one statement (a log-in: its address and its client's). */
const countTwoHits = precompiled(
  (db, p: { first: string; second: string; now: number; expiredAt: number }) =>
    db
      .insertInto('rate_limits')
      .values([
        { key: p.first, window_start: p.now, count: 1 },
        { key: p.second, window_start: p.now, count: 1 },
      ])
      .onConflict(countAgain(p.now, p.expiredAt))
      .returning(['key', 'count', 'window_start', 'in_a_row']),
);

export interface RateLimit {
  key: string;
  /** Hits per window. */
  limit: number;
  /**
   * Failures in a row, across windows, after which the counter refuses until it is cleared.
   * A failure is what the caller says it is ({@link countFailure}): a hit refused by the window
   * never got that far, so a burst of them runs into the window, not into this.
   */
  inARow?: number;
}

/**
 * Counts a hit on two different limiters of the same window at once, as {@link consumeRateLimit}
 * does for one: one statement, so one commit on SQLite and one round trip on PostgreSQL, where
 * two upserts in a transaction cost four. Each counter is reset or counted on its own.
 */
export async function consumeRateLimitPair(
  db: Kysely<Database>,
  first: RateLimit,
  second: RateLimit,
  windowMs: number,
  now: number,
): Promise<[RateLimitResult, RateLimitResult]> {
  if (first.key === second.key) throw new Error('consumeRateLimitPair needs two different keys');
  const { rows } = await countTwoHits(db, {
    first: first.key,
    second: second.key,
    now,
    expiredAt: now - windowMs,
  });
  const result = (limiter: RateLimit) =>
    verdict(
      rows.find((r) => r.key === limiter.key),
      limiter,
      windowMs,
      now,
    );
  return [result(first), result(second)];
}

/** Reads a limiter without counting a hit. */
export async function peekRateLimit(
  db: Kysely<Database>,
  key: string,
  limit: number,
  windowMs: number,
  now: number,
): Promise<RateLimitResult> {
  const row = await db
    .selectFrom('rate_limits')
    .select(['count', 'window_start'])
    .where('key', '=', key)
    .executeTakeFirst();
  if (!row || row.window_start <= now - windowMs || row.count < limit) {
    return { allowed: true, retryAfterMs: 0 };
  }
  return { allowed: false, retryAfterMs: row.window_start + windowMs - now };
}

const clearHits = precompiled((db, p: { key: string }) =>
  db.deleteFrom('rate_limits').where('key', '=', p.key),
);

export async function clearRateLimit(db: Kysely<Database>, key: string): Promise<void> {
  await clearHits(db, { key });
}

const countFailureHit = precompiled((db, p: { key: string }) =>
  db
    .updateTable('rate_limits')
    .set({ in_a_row: sql`rate_limits.in_a_row + 1` })
    .where('key', '=', p.key)
    .returning('in_a_row'),
);

/**
 * One more failure in a row on a counter that was just counted (its row exists): what was
 * tried was checked and was wrong. Returns the failures in a row so far.
 */
export async function countFailure(db: Kysely<Database>, key: string): Promise<number> {
  return Number(firstRow(await countFailureHit(db, { key }))?.in_a_row ?? 0);
}

const endRunOf = precompiled((db, p: { key: string }) =>
  db
    .updateTable('rate_limits')
    .set({ in_a_row: 0 })
    .where('key', '=', p.key)
    .where('in_a_row', '>', 0),
);

/** A success ends a counter's run of failures in a row; its count of this window stays. */
export async function endFailureRun(db: Kysely<Database>, key: string): Promise<void> {
  await endRunOf(db, { key });
}
