import type { RequestMeta } from '../audit/audit.js';
import { literalLimit } from '../db/literal-limit.js';
import type { Session, User } from '../db/schema.js';
import { hashToken } from '../security/tokens.js';
import type { AccountDeps } from './deps.js';
import { liveSessionsOf, revokeOtherSessions } from './sessions.js';
import { holdAccountRow } from './users.js';

/** More than anyone signs in from at once; the oldest beyond it are not listed. */
export const SESSIONS_LISTED = 50;

/** One of a person's live sessions, as Your account shows it. */
export interface SessionSummary {
  /** Names the session in forms; its id (or the id's hash) never leaves the server. */
  handle: string;
  createdAt: number;
  lastSeenAt: number;
  ip: string;
  userAgent: string;
  current: boolean;
}

/** A handle is a one-way hash of the stored id hash (256 bits, base64url): it opens nothing. */
const HANDLE = /^[A-Za-z0-9_-]{43}$/;

export function sessionHandle(idHash: string): string {
  return hashToken(`session-handle:${idHash}`);
}

/**
 * Where a person is signed in, and signing out of one of those places or all but this one.
 * Ending a session only takes access away, so it needs no recent sign-in: someone who sees a
 * session they do not know should be able to end it at once.
 */
export function createSessionList(deps: AccountDeps) {
  const { db, clock, audit, sessionIdleMs, sessionMaxMs } = deps;

  /** Live sessions only: the others are gone at their next use anyway. */
  async function liveSessions(userId: string): Promise<Session[]> {
    const policy = { idleMs: sessionIdleMs, maxMs: sessionMaxMs };
    return liveSessionsOf(db, userId, policy, clock.now())
      .selectAll()
      .orderBy('last_seen_at', 'desc')
      .orderBy('created_at', 'desc')
      .limit(literalLimit(SESSIONS_LISTED))
      .execute();
  }

  /** This browser's session first, then the others, the most recently active first. */
  async function list(user: User, current: Session): Promise<SessionSummary[]> {
    const sessions = await liveSessions(user.id);
    const summaries = sessions.map((session) => {
      const isCurrent = session.id_hash === current.id_hash;
      return {
        handle: sessionHandle(session.id_hash),
        createdAt: session.created_at,
        // Activity is written at most once a minute; this request is activity now.
        lastSeenAt: isCurrent ? clock.now() : session.last_seen_at,
        ip: session.ip,
        userAgent: session.user_agent,
        current: isCurrent,
      };
    });
    return summaries.sort((a, b) => Number(b.current) - Number(a.current));
  }

  /**
   * Ends another of the person's sessions: `gone` when the handle names none of their live
   * sessions (someone else's, one already ended, or no handle at all), `current` when it names
   * this browser's own (that is "Log out").
   */
  async function end(
    user: User,
    current: Session,
    handle: string,
    meta: RequestMeta,
  ): Promise<'ended' | 'current' | 'gone'> {
    if (!HANDLE.test(handle)) return 'gone';
    const target = (await liveSessions(user.id)).find((s) => sessionHandle(s.id_hash) === handle);
    if (!target) return 'gone';
    if (target.id_hash === current.id_hash) return 'current';
    const ended = await db
      .deleteFrom('sessions')
      .where('id_hash', '=', target.id_hash)
      .where('user_id', '=', user.id)
      .executeTakeFirst();
    if (ended.numDeletedRows === 0n) return 'gone';
    await audit.record({
      event: 'session.ended',
      actorUserId: user.id,
      targetUserId: user.id,
      meta,
      details: { ip: target.ip },
    });
    return 'ended';
  }

  /**
   * Ends every session of the person but the current one; answers how many live ones ended
   * (expired and idle rows, which nothing lets in any more, go too, uncounted).
   */
  async function endOthers(user: User, current: Session, meta: RequestMeta): Promise<number> {
    const live = await liveSessions(user.id);
    // The account's row first, as a password change that renews this session holds it.
    await db.transaction().execute(async (trx) => {
      await holdAccountRow(trx, user.id);
      await revokeOtherSessions(trx, user.id, current.id_hash);
    });
    const count = live.filter((session) => session.id_hash !== current.id_hash).length;
    if (count === 0) return 0;
    await audit.record({
      event: 'session.others_ended',
      actorUserId: user.id,
      targetUserId: user.id,
      meta,
      details: { sessions: count },
    });
    return count;
  }

  return { list, end, endOthers };
}

export type SessionList = ReturnType<typeof createSessionList>;
