import type { Kysely } from 'kysely';

/**
 * The request a set-up belongs to: the hash of the session, or of the pending sign-in, that
 * started it. A set-up is shown and finished only there, never in another browser of the same
 * person (where someone holding only the password would read the secret the owner enrols).
 * Set-ups started before this migration have none and are no longer found; they would have
 * expired within 30 minutes anyway.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('two_factor_setups').addColumn('request_id', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('two_factor_setups').dropColumn('request_id').execute();
}
