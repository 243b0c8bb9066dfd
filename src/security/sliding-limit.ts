import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { newId } from './tokens.js';
import type { RateLimitResult } from './rate-limit.js';

/**
 * "At most N in any hour", kept exactly. A fixed window (`consumeRateLimit`) lets 2N
 * through across its edge: N in its last minutes and N more in the next window's first. That
 * is fine for counting guesses, where the bound is a rate, and wrong for mails to one mailbox,
 * whose bound the SPEC gives per hour (email codes: five an hour per person). These limits
 * keep the time of each hit they let through and count the ones of the last `windowMs`.
 *
 * A refused hit is not kept, so a key holds at most `limit` rows of its window. The key's
 * row in `rate_limits` is written first, inside the transaction: concurrent hits on one key
 * queue on it (PostgreSQL's row lock; SQLite's write lock, taken before the count is read),
 * so two of them cannot both see room for one.
 */
export async function consumeSlidingLimit(
  db: Kysely<Database>,
  key: string,
  limit: number,
  windowMs: number,
  now: number,
): Promise<RateLimitResult> {
  const count = async (trx: Kysely<Database>): Promise<RateLimitResult> => {
    await trx
      .insertInto('rate_limits')
      .values({ key, window_start: now, count: 0 })
      .onConflict((oc) => oc.column('key').doUpdateSet({ window_start: now }))
      .execute();
    const hits = await trx
      .selectFrom('rate_limit_hits')
      .select('at')
      .where('key', '=', key)
      .where('at', '>', now - windowMs)
      .orderBy('at')
      .execute();
    if (hits.length >= limit) {
      // The hit whose leaving makes room: the oldest of the last `limit`.
      const freedAt = Number(hits[hits.length - limit]?.at ?? now) + windowMs;
      return { allowed: false, retryAfterMs: Math.max(0, freedAt - now) };
    }
    await trx.insertInto('rate_limit_hits').values({ id: newId(), key, at: now }).execute();
    return { allowed: true, retryAfterMs: 0, remaining: limit - hits.length - 1 };
  };
  return db.isTransaction ? count(db) : db.transaction().execute(count);
}
