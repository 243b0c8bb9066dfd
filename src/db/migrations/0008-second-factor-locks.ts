import type { Kysely } from 'kysely';

/**
 * How many times in a row an account's second factor was locked for too many wrong codes
 * (ten each), without a right one between: after ten locks, a hundred wrong codes in a row,
 * it stays locked until an administrator resets it (NIST SP 800-63B 5.2.2).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .alterTable('users')
    .addColumn('second_factor_locks', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('second_factor_locks').execute();
}
