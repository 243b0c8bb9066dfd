import type { Kysely } from 'kysely';
import type { Database, EmailAddress, User } from '../db/schema.js';

export const NAME_MAX_LENGTH = 100;
export const EMAIL_MAX_LENGTH = 254;

export function normalizeEmail(email: string): string {
  return email.trim().toLowerCase();
}

/** Deliberately simple: one @, no spaces, a dot in the domain. The mail round-trip is the real test. */
export function isValidEmail(email: string): boolean {
  return email.length <= EMAIL_MAX_LENGTH && /^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email);
}

export async function findUserById(db: Kysely<Database>, id: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * The account an email address signs in to: the one that verified it, else the newest
 * unverified registration of it (so that person can be told to verify).
 */
export async function findAccountByEmail(
  db: Kysely<Database>,
  email: string,
): Promise<{ user: User; address: EmailAddress } | undefined> {
  const address = await db
    .selectFrom('email_addresses')
    .selectAll()
    .where('email_normalized', '=', normalizeEmail(email))
    .orderBy('verified_at', (ob) => ob.desc().nullsLast())
    .orderBy('created_at', 'desc')
    .executeTakeFirst();
  if (!address) return undefined;
  const user = await findUserById(db, address.user_id);
  return user ? { user, address } : undefined;
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
