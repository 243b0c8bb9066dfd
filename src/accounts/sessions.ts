import type { Kysely } from 'kysely';
import type { RequestMeta } from '../audit/audit.js';
import type { Database, Session, User } from '../db/schema.js';
import { generateToken, hashToken } from '../security/tokens.js';

/** last_seen_at is written at most this often: a page view need not be a database write. */
export const SESSION_TOUCH_INTERVAL_MS = 60_000;
/** Step-up: sensitive changes need a sign-in at most this old (SPEC §4). */
export const RECENT_AUTHENTICATION_MS = 10 * 60_000;

export interface SessionPolicy {
  idleMs: number;
  maxMs: number;
}

export interface ActiveSession {
  session: Session;
  user: User;
}

/** A new session with a fresh 256-bit id; the database keeps only its hash. */
export async function createSession(
  db: Kysely<Database>,
  input: {
    userId: string;
    meta: RequestMeta;
    now: number;
    maxMs: number;
    authenticatedAt?: number;
  },
): Promise<{ token: string; session: Session }> {
  const token = generateToken();
  const session: Session = {
    id_hash: hashToken(token),
    user_id: input.userId,
    created_at: input.now,
    last_seen_at: input.now,
    expires_at: input.now + input.maxMs,
    authenticated_at: input.authenticatedAt ?? input.now,
    ip: input.meta.ip,
    user_agent: input.meta.userAgent.slice(0, 512),
  };
  await db.insertInto('sessions').values(session).execute();
  return { token, session };
}

/** The live session for a cookie value, or undefined when unknown, idle too long, or expired. */
export async function findActiveSession(
  db: Kysely<Database>,
  token: string,
  policy: SessionPolicy,
  now: number,
): Promise<ActiveSession | undefined> {
  const idHash = hashToken(token);
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('sessions')
    .select([
      'users.name',
      'users.locale',
      'users.password_hash',
      'users.credential_version',
      'users.is_admin',
      'users.disabled_at',
      'users.created_at as user_created_at',
      'users.updated_at as user_updated_at',
    ])
    .where('sessions.id_hash', '=', idHash)
    .executeTakeFirst();
  if (!row) return undefined;
  if (
    row.expires_at <= now ||
    row.last_seen_at + policy.idleMs <= now ||
    row.disabled_at !== null
  ) {
    await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
    return undefined;
  }
  if (now - row.last_seen_at >= SESSION_TOUCH_INTERVAL_MS) {
    await db
      .updateTable('sessions')
      .set({ last_seen_at: now })
      .where('id_hash', '=', idHash)
      .execute();
    row.last_seen_at = now;
  }
  const session: Session = {
    id_hash: row.id_hash,
    user_id: row.user_id,
    created_at: row.created_at,
    last_seen_at: row.last_seen_at,
    expires_at: row.expires_at,
    authenticated_at: row.authenticated_at,
    ip: row.ip,
    user_agent: row.user_agent,
  };
  const user: User = {
    id: row.user_id,
    name: row.name,
    locale: row.locale,
    password_hash: row.password_hash,
    credential_version: row.credential_version,
    is_admin: row.is_admin,
    disabled_at: row.disabled_at,
    created_at: row.user_created_at,
    updated_at: row.user_updated_at,
  };
  return { session, user };
}

export function isRecentlyAuthenticated(session: Session, now: number): boolean {
  return now - session.authenticated_at <= RECENT_AUTHENTICATION_MS;
}

export async function revokeSession(db: Kysely<Database>, idHash: string): Promise<void> {
  await db.deleteFrom('sessions').where('id_hash', '=', idHash).execute();
}

export async function revokeOtherSessions(
  db: Kysely<Database>,
  userId: string,
  keepIdHash: string,
): Promise<void> {
  await db
    .deleteFrom('sessions')
    .where('user_id', '=', userId)
    .where('id_hash', '!=', keepIdHash)
    .execute();
}

export async function revokeAllSessions(db: Kysely<Database>, userId: string): Promise<void> {
  await db.deleteFrom('sessions').where('user_id', '=', userId).execute();
}

/**
 * Replaces a session with a new id after re-authentication (ASVS 5 §7.2.4), keeping its
 * absolute expiry. Returns the new cookie value.
 */
export async function rotateSession(
  db: Kysely<Database>,
  current: Session,
  now: number,
): Promise<{ token: string; session: Session }> {
  const token = generateToken();
  const session: Session = {
    ...current,
    id_hash: hashToken(token),
    last_seen_at: now,
    authenticated_at: now,
  };
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('sessions').where('id_hash', '=', current.id_hash).execute();
    await trx.insertInto('sessions').values(session).execute();
  });
  return { token, session };
}
