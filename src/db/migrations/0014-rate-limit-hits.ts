import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { sql } from '../kysely.js';

/**
 * The times of the hits a sliding limit let through (`src/security/sliding-limit.ts`): mails
 * to one mailbox are bounded per any hour, not per clock-started window. Housekeeping deletes
 * a hit once it is older than the longest window.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('rate_limit_hits')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('rate_limit_hits_key')
    .on('rate_limit_hits')
    .columns(['key', 'at'])
    .execute();
  await carryHourCounts(db);
}

/** The keys whose limits became sliding ones, as `like` patterns. */
const SLIDING_KEYS = ['email-code:hour:%', 'unproven-mail:%', 'register-mail:%', 'reset:%'];

/**
 * The mails the fixed windows counted in their last hour go on counting: each window's count
 * becomes as many hits at its start, so an upgrade does not open every mailbox's limit afresh.
 * (The per-address reset count only, not the per-network one, `reset:ip:`.)
 */
async function carryHourCounts(db: Kysely<unknown>): Promise<void> {
  const since = Date.now() - 60 * 60_000;
  const { rows } = await sql<{ key: string; window_start: number | string; count: number }>`
    select key, window_start, count from rate_limits
    where window_start > ${since} and key not like 'reset:ip:%'
      and (${sql.join(
        SLIDING_KEYS.map((pattern) => sql`key like ${pattern}`),
        sql` or `,
      )})`.execute(db);
  for (const row of rows) {
    const hits = Array.from({ length: Math.min(Number(row.count), 5) }, () => ({
      id: randomUUID(),
      key: row.key,
      at: Number(row.window_start),
    }));
    if (hits.length > 0)
      await sql`insert into rate_limit_hits (id, key, at) values ${sql.join(
        hits.map((hit) => sql`(${hit.id}, ${hit.key}, ${hit.at})`),
      )}`.execute(db);
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('rate_limit_hits').execute();
}
