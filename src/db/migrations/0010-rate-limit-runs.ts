import type { Kysely } from 'kysely';

/**
 * Hits in a row on a counter, across its windows, until the counter is cleared (a right
 * password deletes its row). A log-in's address counter uses it to stop a slow guesser who
 * keeps under the per-window limit: at most 100 wrong passwords in a row (NIST SP 800-63B
 * 5.2.2). Existing counters start at 0.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('rate_limits')
    .addColumn('in_a_row', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('rate_limits').dropColumn('in_a_row').execute();
}
