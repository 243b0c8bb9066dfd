import type { Kysely } from 'kysely';

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
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('rate_limit_hits').execute();
}
