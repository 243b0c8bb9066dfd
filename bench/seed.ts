/**
 * Seeding for the benchmark: many verified users with an authenticator app, written straight
 * into the store in bulk (seeding through the web forms would take longer than the benchmark).
 * Rows are built with the app's own helpers (token hashing, AES-GCM sealing, sessions, recovery
 * codes) and typed by the schema, so a change of a table shows up here as a type error.
 */
import type { Kysely } from 'kysely';
import { createSession } from '../src/accounts/sessions.js';
import { PENDING_SIGN_IN_TTL_MS } from '../src/accounts/sign-in.js';
import type { Database, PendingSignIn } from '../src/db/schema.js';
import { encrypt } from '../src/security/encryption.js';
import type { Keys } from '../src/security/secret-key.js';
import { generateToken, hashToken, newId } from '../src/security/tokens.js';
import { createRecoveryCodes } from '../src/two-factor/recovery-codes/recovery-codes.js';
import { generateTotpSecret } from '../src/two-factor/totp/totp.js';

export const BENCH_PASSWORD = 'bench password that is long enough';
const META = { ip: '127.0.0.1', userAgent: 'portico-bench' };
/** Rows per INSERT: well below SQLite's and PostgreSQL's limits on bound parameters. */
const CHUNK = 400;

export interface SeededUser {
  id: string;
  email: string;
  /** The authenticator app's secret (base32), as the person's phone holds it. */
  secret: string;
}

function chunks<T>(items: T[]): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += CHUNK) out.push(items.slice(i, i + CHUNK));
  return out;
}

/**
 * Users `first`…`first + count - 1`, each with a verified primary address and an authenticator
 * app. They share one password hash: computing a real Argon2id hash per user would take
 * minutes, and the hash string carries its own parameters, so every sign-in still does the
 * full work.
 */
export async function seedUsers(
  db: Kysely<Database>,
  keys: Keys,
  options: { first: number; count: number; passwordHash: string; now: number },
): Promise<SeededUser[]> {
  const { now } = options;
  const users: SeededUser[] = [];
  for (let i = options.first; i < options.first + options.count; i++) {
    users.push({ id: newId(), email: `bench-${i}@example.com`, secret: generateTotpSecret() });
  }
  await db.transaction().execute(async (trx) => {
    for (const part of chunks(users)) {
      await trx
        .insertInto('users')
        .values(
          part.map((user, i) => ({
            id: user.id,
            name: `Bench User ${options.first + i}`,
            locale: 'en',
            password_hash: options.passwordHash,
            credential_version: 1,
            disabled_at: null,
            created_at: now,
            updated_at: now,
            second_factor_locked_until: null,
          })),
        )
        .execute();
      await trx
        .insertInto('email_addresses')
        .values(
          part.map((user) => ({
            id: newId(),
            user_id: user.id,
            email: user.email,
            email_normalized: user.email,
            verified_at: now,
            is_primary: 1,
            created_at: now,
          })),
        )
        .execute();
      await trx
        .insertInto('two_factor_methods')
        .values(
          part.map((user) => {
            const id = newId();
            return {
              id,
              user_id: user.id,
              type: 'totp' as const,
              name: 'Phone',
              email: null,
              // The associated data names the row, as src/two-factor/methods.ts seals it.
              secret_encrypted: encrypt(
                keys.encryption,
                Buffer.from(user.secret, 'utf8'),
                `totp-method:${id}`,
              ),
              last_used_step: null,
              created_at: now,
              last_used_at: null,
            };
          }),
        )
        .execute();
    }
  });
  return users;
}

/** Ten recovery codes each, as a first method would have given them. */
export async function seedRecoveryCodes(
  db: Kysely<Database>,
  keys: Keys,
  users: SeededUser[],
  now: number,
): Promise<void> {
  const recovery = createRecoveryCodes(db, keys.codes);
  for (const user of users) await recovery.replace(user.id, now);
}

/** One signed-in session per user (with the second factor); returns the cookie values. */
export async function seedSessions(
  db: Kysely<Database>,
  users: SeededUser[],
  now: number,
  maxMs: number,
): Promise<string[]> {
  const tokens: string[] = [];
  for (const user of users) {
    const { token } = await createSession(db, {
      userId: user.id,
      meta: META,
      now,
      maxMs,
      secondFactor: true,
    });
    tokens.push(token);
  }
  return tokens;
}

/**
 * One pending sign-in per user, as a correct password leaves it: waiting for the second
 * factor, bound to the user's credential version. Returns the cookie values.
 */
export async function seedPendingSignIns(
  db: Kysely<Database>,
  users: SeededUser[],
  now: number,
): Promise<string[]> {
  const tokens = users.map(() => generateToken());
  const rows: PendingSignIn[] = users.map((user, i) => ({
    id_hash: hashToken(tokens[i] as string),
    purpose: 'sign_in',
    session_id_hash: null,
    user_id: user.id,
    credential_version: 1,
    stage: 'second_factor',
    failures: 0,
    created_at: now,
    expires_at: now + PENDING_SIGN_IN_TTL_MS,
    ip: META.ip,
    user_agent: META.userAgent,
    address_id: null,
  }));
  await db.transaction().execute(async (trx) => {
    for (const part of chunks(rows))
      await trx.insertInto('pending_sign_ins').values(part).execute();
  });
  return tokens;
}
