import type { Kysely } from 'kysely';

/**
 * The address a person typed at log-in, on their pending sign-in and then their session: the
 * email method's set-up offers it (SPEC §2.3 "the address the user signs in with"), which for
 * someone with several verified addresses need not be the primary one. No foreign key: an
 * address removed since is simply not offered, and the primary one is instead. Sessions and
 * sign-ins made before this migration have none, and are offered the primary address too.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('address_id', 'text').execute();
  await db.schema.alterTable('pending_sign_ins').addColumn('address_id', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('pending_sign_ins').dropColumn('address_id').execute();
  await db.schema.alterTable('sessions').dropColumn('address_id').execute();
}
