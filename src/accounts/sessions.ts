import type { Kysely } from 'kysely';
import type { RequestMeta } from '../audit/audit.js';
import { firstRow, precompiled } from '../db/precompiled.js';
import type { Database, Session, User } from '../db/schema.js';
import { generateToken, hashToken } from '../security/tokens.js';

/** last_seen_at is written at most this often: a page view need not be a database write. */
export const SESSION_TOUCH_INTERVAL_MS = 60_000;
/** Step-up: sensitive changes need a sign-in at most this old (SPEC §4). */
export const RECENT_AUTHENTICATION_MS = 10 * 60_000;
/**
 * `authenticated_at` of a session whose log-in did not prove the person in full (a remembered
 * browser): the epoch, never within RECENT_AUTHENTICATION_MS of now, so every step-up asks.
 */
export const NEVER_AUTHENTICATED = 0;

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
    secondFactor?: boolean;
    /** When the person last proved who they are; defaults to now. */
    authenticatedAt?: number;
    /** The address typed at log-in, if known. */
    addressId?: string | null;
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
    second_factor: input.secondFactor ? 1 : 0,
    address_id: input.addressId ?? null,
  };
  await insertSession(db, session);
  return { token, session };
}

/**
 * Session and user in one query: this runs for every signed-in request, and each query costs
 * more in the query builder and driver than in the database (docs/performance.md).
 */
const sessionWithUser = precompiled((db, p: { idHash: string }) =>
  db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select([
      'sessions.id_hash',
      'sessions.user_id',
      'sessions.created_at as session_created_at',
      'sessions.last_seen_at',
      'sessions.expires_at',
      'sessions.authenticated_at',
      'sessions.ip',
      'sessions.user_agent',
      'sessions.second_factor',
      'sessions.address_id',
    ])
    .where('sessions.id_hash', '=', p.idHash),
);

const touchSession = precompiled((db, p: { idHash: string; now: number }) =>
  db.updateTable('sessions').set({ last_seen_at: p.now }).where('id_hash', '=', p.idHash),
);

const deleteSession = precompiled((db, p: { idHash: string }) =>
  db.deleteFrom('sessions').where('id_hash', '=', p.idHash),
);

const insertSession = precompiled((db, p: Session) =>
  db.insertInto('sessions').values({
    id_hash: p.id_hash,
    user_id: p.user_id,
    created_at: p.created_at,
    last_seen_at: p.last_seen_at,
    expires_at: p.expires_at,
    authenticated_at: p.authenticated_at,
    ip: p.ip,
    user_agent: p.user_agent,
    second_factor: p.second_factor,
    address_id: p.address_id,
  }),
);

/** The live session for a cookie value, or undefined when unknown, idle too long, or expired. */
export async function findActiveSession(
  db: Kysely<Database>,
  token: string,
  policy: SessionPolicy,
  now: number,
): Promise<ActiveSession | undefined> {
  const idHash = hashToken(token);
  const row = firstRow(await sessionWithUser(db, { idHash }));
  if (!row) return undefined;
  const {
    id_hash,
    user_id,
    session_created_at,
    last_seen_at,
    expires_at,
    authenticated_at,
    ip,
    user_agent,
    second_factor,
    address_id,
    ...user
  } = row;
  const session: Session = {
    id_hash,
    user_id,
    created_at: session_created_at,
    last_seen_at,
    expires_at,
    authenticated_at,
    ip,
    user_agent,
    second_factor,
    address_id,
  };
  // The absolute lifetime is checked against the setting too: one lowered since the session
  // began ends it then, not at the lifetime fixed at log-in.
  if (
    user.disabled_at !== null ||
    session.expires_at <= now ||
    session.created_at + policy.maxMs <= now ||
    session.last_seen_at + policy.idleMs <= now
  ) {
    await deleteSession(db, { idHash });
    return undefined;
  }
  // A page view is written at most once a minute, but never so rarely that an unwritten view
  // costs a noticeable part of the idle time: with PORTICO_SESSION_IDLE_MINUTES=1 a session
  // touched only every minute ended a minute after log-in however busy its owner was.
  if (now - session.last_seen_at >= Math.min(SESSION_TOUCH_INTERVAL_MS, policy.idleMs / 10)) {
    await touchSession(db, { idHash, now });
    session.last_seen_at = now;
  }
  return { session, user };
}

/**
 * A person's sessions that still let them in, by findActiveSession's rules (not expired, not
 * idle, not older than the lifetime set now), for the lists that show them; the caller selects.
 */
export function liveSessionsOf(
  db: Kysely<Database>,
  userId: string,
  policy: SessionPolicy,
  now: number,
) {
  return db
    .selectFrom('sessions')
    .where('user_id', '=', userId)
    .where('expires_at', '>', now)
    .where('created_at', '>', now - policy.maxMs)
    .where('last_seen_at', '>', now - policy.idleMs);
}

export function isRecentlyAuthenticated(session: Session, now: number): boolean {
  return now - session.authenticated_at <= RECENT_AUTHENTICATION_MS;
}

export async function revokeSession(db: Kysely<Database>, idHash: string): Promise<void> {
  await deleteSession(db, { idHash });
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
 * absolute expiry, by one UPDATE of its row. Returns the new cookie value, or null when the
 * session was ended meanwhile (it is never made again). `stepUp`: what the person proved now
 * (a step-up, which opens the window of SPEC §4 "step-up" again), or nothing that counts as
 * one (a password change, which a step-up came before), which leaves the window as it was.
 */
export async function rotateSession(
  db: Kysely<Database>,
  current: Session,
  now: number,
  stepUp: { secondFactor: boolean } | null,
): Promise<{ token: string; session: Session } | null> {
  const token = generateToken();
  const session: Session = {
    ...current,
    id_hash: hashToken(token),
    last_seen_at: now,
    ...(stepUp ? { authenticated_at: now, second_factor: stepUp.secondFactor ? 1 : 0 } : {}),
  };
  // One UPDATE of the row in place, never a DELETE and an INSERT: a session ended meanwhile
  // (signed out everywhere, a password change elsewhere, an administrator) is not made again
  // under a new id, and one ending it concurrently (its DELETE waits on this row) ends the
  // renewed row too, as PostgreSQL re-checks an updated row against the DELETE's WHERE.
  const replace = async (trx: Kysely<Database>) => {
    const renewed = await trx
      .updateTable('sessions')
      .set({
        id_hash: session.id_hash,
        last_seen_at: session.last_seen_at,
        authenticated_at: session.authenticated_at,
        second_factor: session.second_factor,
      })
      .where('id_hash', '=', current.id_hash)
      .executeTakeFirst();
    if (renewed.numUpdatedRows === 0n) return false;
    // A 2FA set-up under way belongs to the session (migration 0009) and goes with it: a
    // step-up between sending a code and typing it must not lose the code.
    await trx
      .updateTable('two_factor_setups')
      .set({ request_id: session.id_hash })
      .where('user_id', '=', current.user_id)
      .where('request_id', '=', current.id_hash)
      .execute();
    return true;
  };
  // Inside a caller's transaction (a finished step-up) it is part of that one.
  const done = await (db.isTransaction ? replace(db) : db.transaction().execute(replace));
  return done ? { token, session } : null;
}
