import type { ExpressionBuilder, Kysely } from 'kysely';
import type { AdminResult } from '../admin/error-codes.js';
import { AdminError, adminFail, adminOk } from '../admin/error-codes.js';
import type { Audit, RequestMeta } from '../audit/audit.js';
import type { Clock } from '../clock.js';
import { MINUTE_MS } from '../clock.js';
import type { RateLimitResult } from '../security/rate-limit.js';
import { consumeRateLimit, peekRateLimit } from '../security/rate-limit.js';
import type { ApiKey, Database, User } from '../db/schema.js';
import { generateToken, hashToken, newId } from '../security/tokens.js';
import { clientNetwork } from '../security/client-network.js';

/** Recognisable in logs and by secret scanners; the rest is 256 random bits. */
export const API_KEY_PREFIX = 'ptk_';

export const API_KEY_NAME_MAX_LENGTH = 80;
/** How audit events name the key an action came through: `api-key:<name>`. */
export const API_KEY_ACTOR_PREFIX = 'api-key:';
const DISPLAY_PREFIX_LENGTH = API_KEY_PREFIX.length + 6;
const TOKEN_PATTERN = /^ptk_[A-Za-z0-9_-]{43}$/;
/**
 * Refused keys per network address before the API stops looking keys up for it. A key cannot
 * be guessed, so this is defence in depth: a client stuck on a revoked key, or someone trying
 * leaked ones, is slowed down instead of costing a lookup and an audit row per request.
 */
export const API_KEY_FAILURES_PER_IP = 20;
export const API_KEY_FAILURE_WINDOW_MS = 15 * MINUTE_MS;

export interface ApiPrincipal {
  key: ApiKey;
  /** The administrator who created the key: its rights are theirs. */
  user: User;
  /** Who to name in audit events for what the key does. */
  actor: { actorUserId: string; actorLabel: string; meta: RequestMeta };
}

/**
 * Why a key that is not revoked does not work: its creator is no longer an active
 * administrator, or has no second factor (the console needs one of every administrator, and a
 * 2FA reset, perhaps of an account in the wrong hands, should stop what they made as well).
 * Both end when the creator is one again, or has set up a method again.
 */
export type ApiKeyStop = 'creator_not_admin' | 'creator_without_2fa';

export type ApiKeyListing = ApiKey & { created_by_name: string | null; stopped: ApiKeyStop | null };

/** Whether the user of the query has a second factor (any method), as a column. */
const hasMethod = (eb: ExpressionBuilder<Database, 'users'>) =>
  eb
    .exists(
      eb
        .selectFrom('two_factor_methods')
        .select('two_factor_methods.id')
        .whereRef('two_factor_methods.user_id', '=', 'users.id'),
    )
    .as('has_method');

function stopOf(
  creator: Pick<User, 'is_admin' | 'disabled_at'> | undefined,
  hasMethod: boolean,
): ApiKeyStop | null {
  if (!creator || creator.is_admin !== 1 || creator.disabled_at !== null) {
    return 'creator_not_admin';
  }
  return hasMethod ? null : 'creator_without_2fa';
}

/**
 * API keys (SPEC §2.7, §3): made by an administrator, shown once, stored as their SHA-256,
 * revocable, and every use audited. A key works only while its creator is an active
 * administrator with a second factor, so taking someone's rights away, or resetting their
 * 2FA, also stops their keys.
 *
 * A key is found by the hash of what was sent, not compared: a 256-bit random key cannot be
 * guessed byte by byte from lookup timing, because the attacker would need the hash's
 * preimage for each guess.
 */
export function createApiKeys(deps: { db: Kysely<Database>; clock: Clock; audit: Audit }) {
  const { db, clock, audit } = deps;

  async function create(
    name: string,
    creator: { userId: string; meta: RequestMeta },
  ): Promise<{ key: ApiKey; token: string }> {
    const token = API_KEY_PREFIX + generateToken();
    const key: ApiKey = {
      id: newId(),
      name: name.trim(),
      token_hash: hashToken(token),
      prefix: token.slice(0, DISPLAY_PREFIX_LENGTH),
      created_by: creator.userId,
      created_at: clock.now(),
      last_used_at: null,
      last_used_ip: null,
      revoked_at: null,
      revoked_by: null,
    };
    await db.transaction().execute(async (trx) => {
      await trx.insertInto('api_keys').values(key).execute();
      await audit.record(
        {
          event: 'api_key.created',
          actorUserId: creator.userId,
          meta: creator.meta,
          details: { key: key.name, prefix: key.prefix },
        },
        trx,
      );
    });
    return { key, token };
  }

  /** Every key, newest first, revoked ones too (the console shows when they were revoked). */
  async function list(): Promise<ApiKeyListing[]> {
    const rows = await db
      .selectFrom('api_keys')
      .leftJoin('users', 'users.id', 'api_keys.created_by')
      .selectAll('api_keys')
      .select(['users.name as created_by_name', 'users.is_admin', 'users.disabled_at'])
      .select(hasMethod)
      .orderBy('api_keys.created_at', 'desc')
      .orderBy('api_keys.id')
      .execute();
    return rows.map(({ is_admin, disabled_at, has_method, ...key }) => ({
      ...key,
      stopped:
        is_admin === null
          ? 'creator_not_admin'
          : stopOf({ is_admin, disabled_at }, Boolean(Number(has_method))),
    }));
  }

  /** One guarded UPDATE: a key is revoked once, by whoever comes first. */
  async function revoke(
    id: string,
    actor: { userId: string; meta: RequestMeta },
  ): Promise<AdminResult<ApiKey>> {
    const now = clock.now();
    return db.transaction().execute(async (trx) => {
      const key = await trx
        .updateTable('api_keys')
        .set({ revoked_at: now, revoked_by: actor.userId })
        .where('id', '=', id)
        .where('revoked_at', 'is', null)
        .returningAll()
        .executeTakeFirst();
      if (!key) return adminFail(AdminError.NOT_FOUND);
      await audit.record(
        {
          event: 'api_key.revoked',
          actorUserId: actor.userId,
          meta: actor.meta,
          details: { key: key.name, prefix: key.prefix },
        },
        trx,
      );
      return adminOk(key);
    });
  }

  /**
   * The principal behind a bearer key, or null. Each accepted use is audited with what it
   * asked for, unless `recordUse` is false (reads of the audit log itself); a known key that
   * is refused (revoked, or its creator no longer an active administrator) is audited too,
   * or, when `recordRefusal` is false (its address is past the limit of refused keys), once
   * per key and client network in that limit's window.
   * Unknown keys are not: they name no one, and writing them down would let anyone fill the
   * log.
   */
  async function authenticate(
    token: string,
    meta: RequestMeta,
    use: { method: string; route: string },
    {
      recordUse = true,
      recordRefusal = true,
      aboutUserId,
    }: {
      recordUse?: boolean;
      recordRefusal?: boolean;
      /** The user the request is about (`/users/{id}/…`): the entry names them as its target. */
      aboutUserId?: string;
    } = {},
  ): Promise<ApiPrincipal | null> {
    if (!TOKEN_PATTERN.test(token)) return null;
    const key = await db
      .selectFrom('api_keys')
      .selectAll()
      .where('token_hash', '=', hashToken(token))
      .executeTakeFirst();
    if (!key) return null;
    const label = API_KEY_ACTOR_PREFIX + key.name;
    const creator = await db
      .selectFrom('users')
      .selectAll('users')
      .select(hasMethod)
      .where('users.id', '=', key.created_by)
      .executeTakeFirst();
    let user: User | undefined;
    let creatorHasMethod = false;
    if (creator) {
      const { has_method, ...row } = creator;
      user = row;
      creatorHasMethod = Boolean(Number(has_method));
    }
    const refusal = key.revoked_at !== null ? 'revoked' : stopOf(user, creatorHasMethod);
    if (refusal || !user) {
      // Past its address's limit a refused key is audited once a window from each network, not
      // at every request: a client stuck on it does not fill the log, and a leaked key tried
      // from another network still shows (a slot per key alone would be taken by the first).
      if (
        recordRefusal ||
        (
          await consumeRateLimit(
            db,
            `api-key:refusal-audited:${key.id}:${clientNetwork(meta.ip)}`,
            1,
            API_KEY_FAILURE_WINDOW_MS,
            clock.now(),
          )
        ).allowed
      )
        await audit.record({
          event: 'api_key.refused',
          actorLabel: label,
          targetUserId: key.created_by,
          meta,
          details: { key: key.name, reason: refusal, ...use },
        });
      return null;
    }
    const now = clock.now();
    await db
      .updateTable('api_keys')
      .set({ last_used_at: now, last_used_ip: meta.ip })
      .where('id', '=', key.id)
      .execute();
    const actor = { actorUserId: user.id, actorLabel: label, meta };
    if (recordUse) {
      await audit.record({
        event: 'api_key.used',
        ...actor,
        ...(aboutUserId === undefined ? {} : { targetUserId: aboutUserId }),
        details: { key: key.name, ...use },
      });
    }
    return { key: { ...key, last_used_at: now, last_used_ip: meta.ip }, user, actor };
  }

  const failureKey = (meta: RequestMeta) => `api-key:refused:${clientNetwork(meta.ip)}`;

  /** Whether this address may still try keys (it has not sent too many refused ones). */
  function mayTry(meta: RequestMeta): Promise<RateLimitResult> {
    return peekRateLimit(
      db,
      failureKey(meta),
      API_KEY_FAILURES_PER_IP,
      API_KEY_FAILURE_WINDOW_MS,
      clock.now(),
    );
  }

  /** Counts a refused key against its address. */
  async function countRefusal(meta: RequestMeta): Promise<void> {
    await consumeRateLimit(
      db,
      failureKey(meta),
      API_KEY_FAILURES_PER_IP,
      API_KEY_FAILURE_WINDOW_MS,
      clock.now(),
    );
  }

  return { create, list, revoke, authenticate, mayTry, countRefusal };
}

export type ApiKeys = ReturnType<typeof createApiKeys>;
