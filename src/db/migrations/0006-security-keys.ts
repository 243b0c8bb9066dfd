import type { Kysely } from 'kysely';

/**
 * Security keys and passkeys (WebAuthn, SPEC §3). Each key is a two_factor_methods row of type
 * "webauthn" (name, created, last used, audit and reset as for the other methods) with its
 * credential in webauthn_credentials. Ceremony challenges are kept here, not in the browser:
 * each is single use, expires, and belongs to one user, one purpose and one request (the
 * session that adds a key, or the pending sign-in that uses one).
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('webauthn_credentials')
    .addColumn('method_id', 'text', (c) =>
      c.primaryKey().references('two_factor_methods.id').onDelete('cascade'),
    )
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    // base64url, as the authenticator reports it; one credential belongs to one account.
    .addColumn('credential_id', 'text', (c) => c.notNull().unique())
    // COSE public key, base64url.
    .addColumn('public_key', 'text', (c) => c.notNull())
    // The authenticator's signature counter: a value that does not grow betrays a clone.
    .addColumn('sign_count', 'bigint', (c) => c.notNull().defaultTo(0))
    // JSON array of transports ("usb", "nfc", "internal", …), a hint for the browser.
    .addColumn('transports', 'text', (c) => c.notNull().defaultTo('[]'))
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('webauthn_credentials_user')
    .on('webauthn_credentials')
    .column('user_id')
    .execute();

  await db.schema
    .createTable('webauthn_challenges')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    // The session hash (adding a key) or pending sign-in hash (using one) it was issued to.
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('challenge', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('webauthn_challenges_request')
    .on('webauthn_challenges')
    .columns(['user_id', 'purpose', 'request_id'])
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropTable('webauthn_challenges').execute();
  await db.schema.dropTable('webauthn_credentials').execute();
}
