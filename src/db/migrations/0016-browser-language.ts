import type { Kysely } from 'kysely';

/**
 * The language a person's browser showed them Portico in when they last logged in, kept for
 * someone whose setting is "the browser's language" (users.locale null): a mail has no browser
 * to ask, and without this one went out in English to a person reading every page in Dutch
 * (SPEC §7: the user's setting, else the browser's language). Accounts that have not logged in
 * since have none, and their mails are in English as before.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').addColumn('browser_locale', 'text').execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('users').dropColumn('browser_locale').execute();
}
