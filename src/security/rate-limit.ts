import type { Kysely } from 'kysely';
import { sql } from '../db/kysely.js';
import { firstRow, precompiled } from '../db/precompiled.js';
import type { Database } from '../db/schema.js';

export interface RateLimitResult {
  allowed: boolean;
  /** Milliseconds until the current window ends (0 when allowed). */
  retryAfterMs: number;
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
): Promise<RateLimitResult> {
  const row = firstRow(await countHit(db, { key, now, expiredAt: now - windowMs }));
  if (!row) throw new Error('rate limit upsert returned no row');
  if (row.count <= limit) return { allowed: true, retryAfterMs: 0 };
  return { allowed: false, retryAfterMs: Math.max(0, row.window_start + windowMs - now) };
}

/** Runs on every form post that is limited (log-in, register, reset, codes). */
const countHit = precompiled((db, p: { key: string; now: number; expiredAt: number }) => {
  const expired = sql<boolean>`rate_limits.window_start <= ${p.expiredAt}`;
  return db
    .insertInto('rate_limits')
    .values({ key: p.key, window_start: p.now, count: 1 })
    .onConflict((oc) =>
      oc.column('key').doUpdateSet({
        count: sql`case when ${expired} then 1 else rate_limits.count + 1 end`,
        window_start: sql`case when ${expired} then ${p.now} else rate_limits.window_start end`,
      }),
    )
    .returning(['count', 'window_start']);
});

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
