import type { Kysely, RawBuilder } from 'kysely';
import { sql } from './kysely.js';
import type { Clock } from '../clock.js';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../clock.js';
import type { Database } from './schema.js';

/**
 * Rows that have run out are refused where they are read, but nothing else took them away:
 * a form anyone can send (a password reset for a made-up address) left a counter row per
 * request, and sessions, codes and links piled up for as long as the installation ran. Each
 * process sweeps now and then; the deletes are idempotent, so processes sharing a database
 * need no coordination.
 *
 * Rows go a day after they ran out, not at once: until then a late code or link is still
 * answered as expired rather than as unknown, and a counter's last window is still there.
 */
export const KEEP_AFTER_EXPIRY_MS = DAY_MS;
/** The longest window of a rate limit (registrations, resets: an hour). */
const LONGEST_WINDOW_MS = HOUR_MS;
/** Rows deleted per statement: a short write lock on SQLite, a short transaction on PostgreSQL. */
const BATCH = 500;
export const SWEEP_EVERY_MS = 15 * MINUTE_MS;
const FIRST_SWEEP_AFTER_MS = MINUTE_MS;

type Swept = Record<string, number>;

/** Deletes, in batches, every row that ran out more than a day ago; says how many per table. */
export async function sweepExpired(
  db: Kysely<Database>,
  now: number,
  sessionIdleMs: number,
): Promise<Swept> {
  const before = now - KEEP_AFTER_EXPIRY_MS;
  const expired = sql`expires_at < ${before}`;
  const tables: Array<[table: keyof Database, key: string, ranOut: RawBuilder<unknown>]> = [
    // A run of failures in a row outlasts its windows (it ends with a success).
    ['rate_limits', 'key', sql`in_a_row = 0 and window_start < ${before - LONGEST_WINDOW_MS}`],
    ['rate_limit_hits', 'id', sql`at < ${before - LONGEST_WINDOW_MS}`],
    ['sessions', 'id_hash', sql`(${expired} or last_seen_at < ${before - sessionIdleMs})`],
    ['pending_sign_ins', 'id_hash', expired],
    ['tokens', 'token_hash', expired],
    ['email_codes', 'id', expired],
    ['two_factor_setups', 'id', expired],
    ['webauthn_challenges', 'id', expired],
    ['trusted_devices', 'id', expired],
  ];
  const swept: Swept = {};
  for (const [table, key, ranOut] of tables) {
    let total = 0;
    for (;;) {
      const { numAffectedRows } = await sql`
        delete from ${sql.table(table)} where ${sql.ref(key)} in (
          select ${sql.ref(key)} from ${sql.table(table)} where ${ranOut} limit ${sql.lit(BATCH)})`.execute(
        db,
      );
      const deleted = Number(numAffectedRows ?? 0);
      total += deleted;
      if (deleted < BATCH) break;
    }
    if (total > 0) swept[table] = total;
  }
  return swept;
}

/**
 * Sweeps a minute after the start, then every SWEEP_EVERY_MS. A failed sweep (the database
 * away for a moment) is logged and tried again at the next turn. Returns the stop.
 */
export function startHousekeeping(
  db: Kysely<Database>,
  clock: Clock,
  sessionIdleMs: number,
  log: {
    info(details: object, message: string): void;
    warn(details: object, message: string): void;
  },
): () => Promise<void> {
  let running: Promise<void> | null = null;
  const sweep = () => {
    running ??= sweepExpired(db, clock.now(), sessionIdleMs)
      .then((swept) => {
        if (Object.keys(swept).length > 0) log.info({ swept }, 'expired rows removed');
      })
      .catch((error: unknown) => log.warn({ err: error }, 'expired rows could not be removed'))
      .finally(() => {
        running = null;
      });
  };
  const first = setTimeout(sweep, FIRST_SWEEP_AFTER_MS);
  const every = setInterval(sweep, SWEEP_EVERY_MS);
  first.unref();
  every.unref();
  return async () => {
    clearTimeout(first);
    clearInterval(every);
    await running;
  };
}
