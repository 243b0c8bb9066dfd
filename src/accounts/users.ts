import type { Kysely } from 'kysely';
import { PostgresAdapter } from '../db/kysely.js';
import { literalLimit } from '../db/literal-limit.js';
import { firstRow, precompiled } from '../db/precompiled.js';
import type { Database, EmailAddress, User } from '../db/schema.js';
import type { PasswordHasher } from './passwords.js';

export const NAME_MAX_LENGTH = 100;
export const EMAIL_MAX_LENGTH = 254;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Control and format characters: zero-width spaces and joiners, bidi controls, soft hyphens. */
const INVISIBLE = /[\p{Cc}\p{Cf}]/u;

/** Deliberately simple: one @, no spaces, a dot in the domain. The mail round-trip is the real test. */
export function isValidEmail(email: string): boolean {
  return email.length <= EMAIL_MAX_LENGTH && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email);
}

/**
 * Whether a valid address may become an account's: letters of any script are welcome, but not
 * an address that Unicode would write otherwise (NFKC). A fullwidth "ｋｉｍ" or a Kelvin sign
 * "K" reads as kim@ to a person and, lower-cased, to this app, yet is another mailbox to a mail
 * server: whoever held that mailbox could verify an account for kim@ before Kim does. Nor an
 * address with an invisible character in it. Asked where an address is added to an account
 * (registration, Your email addresses, a new administrator), not where one is looked up, so an
 * address stored before this rule still finds its account.
 */
export function isPlainEmail(email: string): boolean {
  return !INVISIBLE.test(email) && email === email.normalize('NFKC') && !hasMailSyntax(email);
}

/**
 * Characters a mail header reads as syntax (a list, a display name, a group, a comment, a
 * quoted part): `root,att2@example.com` would be mailed to att2@, and one mailbox could be
 * verified on several accounts under different strings. No address people use has them.
 */
const MAIL_SYNTAX = /[<>()[\]\\,;:"]/;

export function hasMailSyntax(email: string): boolean {
  return MAIL_SYNTAX.test(email);
}

/**
 * Stores a password that was just verified again in the form `hasher.hash` writes now (with
 * the pepper, with the current parameters), when its stored hash is older. The same password:
 * the credential version stays, so nothing that depends on it ends. Nothing is written when
 * the password changed since `user` was read. Answers the hash stored, as far as this request
 * knows it.
 */
export async function renewPasswordHash(
  db: Kysely<Database>,
  hasher: PasswordHasher,
  user: Pick<User, 'id' | 'password_hash'>,
  password: string,
): Promise<string> {
  if (!hasher.needsRehash(user.password_hash)) return user.password_hash;
  const renewed = await hasher.hash(password);
  const result = await db
    .updateTable('users')
    .set({ password_hash: renewed })
    .where('id', '=', user.id)
    .where('password_hash', '=', user.password_hash)
    .executeTakeFirst();
  // Not written (changed or renewed meanwhile by another request): the one read is all we know.
  return Number(result.numUpdatedRows) === 1 ? renewed : user.password_hash;
}

/**
 * Holds the account's row until the transaction ends. The changes that read the account's
 * addresses, recovery codes or methods before they write take it first (docs/decisions.md,
 * "Sign-in as a state machine"), so two of them sent at once run one after the other, the
 * second seeing what the first did. On PostgreSQL each request has a connection of its own;
 * SQLite runs one write transaction at a time anyway. `FOR NO KEY UPDATE`, the lock an UPDATE
 * of the row takes: it leaves alone the key-share lock that adding a row for the account (a
 * session, a code) takes, where `FOR UPDATE` would wait on it, and the two on each other.
 */
export async function holdAccountRow(trx: Kysely<Database>, userId: string): Promise<void> {
  if (!(trx.getExecutor().adapter instanceof PostgresAdapter)) return;
  await trx.selectFrom('users').select('id').where('id', '=', userId).forNoKeyUpdate().execute();
}

/**
 * What decides whether something begun under an account still holds: its credentials'
 * version (a password or method change since) and whether it was disabled.
 */
export const accountStanding = precompiled((db, p: { userId: string }) =>
  db.selectFrom('users').select(['credential_version', 'disabled_at']).where('id', '=', p.userId),
);

/**
 * The language of a mail to this person (SPEC §7): their setting, else the language their
 * browser showed them at their last log-in; null (English) when neither is known.
 */
export function mailLocaleOf(user: Pick<User, 'locale' | 'browser_locale'>): string | null {
  return user.locale ?? user.browser_locale;
}

/**
 * Keeps the browser's language for the mails of someone whose setting is the browser's
 * language; a write only when it changed.
 */
export async function keepBrowserLocale(
  db: Kysely<Database>,
  user: Pick<User, 'id' | 'locale' | 'browser_locale'>,
  locale: string,
): Promise<void> {
  if (user.locale !== null || user.browser_locale === locale) return;
  await db.updateTable('users').set({ browser_locale: locale }).where('id', '=', user.id).execute();
}

export async function findUserById(db: Kysely<Database>, id: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/** An address and its account in one statement: every password sign-in runs it. */
const accountByEmail = precompiled((db, p: { emailNormalized: string }) =>
  db
    .selectFrom('email_addresses')
    .innerJoin('users', 'users.id', 'email_addresses.user_id')
    .selectAll('users')
    .select([
      'email_addresses.id as address_id',
      'email_addresses.email',
      'email_addresses.email_normalized',
      'email_addresses.verified_at',
      'email_addresses.is_primary',
      'email_addresses.created_at as address_created_at',
    ])
    .where('email_addresses.email_normalized', '=', p.emailNormalized)
    .orderBy('email_addresses.verified_at', (ob) => ob.desc().nullsLast())
    .orderBy('email_addresses.created_at', 'desc')
    .limit(literalLimit(1)),
);

/**
 * The account an email address signs in to: the one that verified it, else the newest
 * unverified registration of it (so that person can be told to verify).
 */
export async function findAccountByEmail(
  db: Kysely<Database>,
  email: string,
): Promise<{ user: User; address: EmailAddress } | undefined> {
  const row = firstRow(await accountByEmail(db, { emailNormalized: normalizeEmail(email) }));
  if (!row) return undefined;
  const {
    address_id,
    email: addressEmail,
    email_normalized,
    verified_at,
    is_primary,
    address_created_at,
    ...user
  } = row;
  const address: EmailAddress = {
    id: address_id,
    user_id: user.id,
    email: addressEmail,
    email_normalized,
    verified_at,
    is_primary,
    created_at: address_created_at,
  };
  return { user, address };
}

export async function findVerifiedAddress(
  db: Kysely<Database>,
  email: string,
): Promise<EmailAddress | undefined> {
  return db
    .selectFrom('email_addresses')
    .selectAll()
    .where('email_normalized', '=', normalizeEmail(email))
    .where('verified_at', 'is not', null)
    .executeTakeFirst();
}

/**
 * The registration an address is still waiting on: the newest account that holds the address
 * unverified and has verified no address at all, so cannot log in yet. An address added,
 * unverified, to an account that has a verified one is never such a registration.
 */
export async function findWaitingRegistration(
  db: Kysely<Database>,
  email: string,
): Promise<EmailAddress | undefined> {
  return db
    .selectFrom('email_addresses')
    .selectAll()
    .where('email_normalized', '=', normalizeEmail(email))
    .where('verified_at', 'is', null)
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('email_addresses as verified')
            .select('verified.id')
            .whereRef('verified.user_id', '=', 'email_addresses.user_id')
            .where('verified.verified_at', 'is not', null),
        ),
      ),
    )
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
}

/**
 * The address someone signed in with (`addressId`, from their session or pending sign-in)
 * while it is still one of their verified addresses; else their primary address.
 */
export async function signInAddressOf(
  db: Kysely<Database>,
  userId: string,
  addressId: string | null,
): Promise<EmailAddress | undefined> {
  if (addressId !== null) {
    const typed = await db
      .selectFrom('email_addresses')
      .selectAll()
      .where('id', '=', addressId)
      .where('user_id', '=', userId)
      .where('verified_at', 'is not', null)
      .executeTakeFirst();
    if (typed) return typed;
  }
  return primaryAddressOf(db, userId);
}

export async function primaryAddressOf(
  db: Kysely<Database>,
  userId: string,
): Promise<EmailAddress | undefined> {
  return db
    .selectFrom('email_addresses')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('is_primary', 'desc')
    .orderBy('created_at', 'asc')
    .executeTakeFirst();
}

export async function listAddresses(db: Kysely<Database>, userId: string): Promise<EmailAddress[]> {
  return db
    .selectFrom('email_addresses')
    .selectAll()
    .where('user_id', '=', userId)
    .orderBy('is_primary', 'desc')
    .orderBy('created_at', 'asc')
    .execute();
}
