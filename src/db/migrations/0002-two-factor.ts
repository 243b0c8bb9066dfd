import type { Kysely } from 'kysely';
import { sql } from '../kysely.js';

export async function up(db: Kysely<unknown>): Promise<void> {
  // Consecutive second-factor failures and the lock they lead to live on the account, so they
  // survive new sign-ins, restarts and other processes (SPEC §4 "attempts").
  await db.schema
    .alterTable('users')
    .addColumn('second_factor_failures', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();
  await db.schema.alterTable('users').addColumn('second_factor_locked_until', 'bigint').execute();

  // Whether the session was made after a second factor (the admin console demands it).
  await db.schema
    .alterTable('sessions')
    .addColumn('second_factor', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  // A pending sign-in is either a log-in or a step-up of an existing session.
  await db.schema
    .alterTable('pending_sign_ins')
    .addColumn('purpose', 'text', (c) => c.notNull().defaultTo('sign_in'))
    .execute();
  await db.schema.alterTable('pending_sign_ins').addColumn('session_id_hash', 'text').execute();

  await db.schema
    .createTable('two_factor_methods')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('email', 'text')
    .addColumn('secret_encrypted', 'text')
    // The last TOTP time step accepted: a step at or below it is a replay (RFC 6238 §5.2).
    .addColumn('last_used_step', 'bigint')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('last_used_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('two_factor_methods_user')
    .on('two_factor_methods')
    .column('user_id')
    .execute();
  // One email method and one authenticator app per user (SPEC §2.2 "Set up" / "Edit").
  await db.schema
    .createIndex('two_factor_methods_one_per_type')
    .on('two_factor_methods')
    .columns(['user_id', 'type'])
    .unique()
    .where(sql.ref('type'), 'in', sql`('email', 'totp')`)
    .execute();

  // A method being set up: the secret (encrypted) or address, until a correct code proves it.
  await db.schema
    .createTable('two_factor_setups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('method_id', 'text')
    .addColumn('name', 'text')
    .addColumn('email', 'text')
    .addColumn('secret_encrypted', 'text')
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('two_factor_setups_user')
    .on('two_factor_setups')
    .column('user_id')
    .execute();

  await db.schema
    .createTable('email_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('purpose', 'text', (c) => c.notNull())
    // The request the code belongs to (a pending sign-in or a set-up): never usable for another.
    .addColumn('request_id', 'text', (c) => c.notNull())
    .addColumn('email', 'text', (c) => c.notNull())
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('email_codes_request')
    .on('email_codes')
    .columns(['user_id', 'purpose', 'request_id'])
    .execute();

  await db.schema
    .createTable('recovery_codes')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('code_hash', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('used_at', 'bigint')
    .execute();
  await db.schema
    .createIndex('recovery_codes_user')
    .on('recovery_codes')
    .column('user_id')
    .execute();

  await db.schema
    .createTable('user_groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_normalized', 'text', (c) => c.notNull().unique())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('user_group_members')
    .addColumn('group_id', 'text', (c) =>
      c.notNull().references('user_groups.id').onDelete('cascade'),
    )
    .addColumn('user_id', 'text', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('added_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_group_members_pk', ['group_id', 'user_id'])
    .execute();
  await db.schema
    .createIndex('user_group_members_user')
    .on('user_group_members')
    .column('user_id')
    .execute();
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of [
    'user_group_members',
    'user_groups',
    'recovery_codes',
    'email_codes',
    'two_factor_setups',
    'two_factor_methods',
  ]) {
    await db.schema.dropTable(table).execute();
  }
}
