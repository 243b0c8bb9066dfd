import type { Kysely } from 'kysely';
import type { AuditDetails, RequestMeta } from '../audit/audit.js';
import { MINUTE_MS } from '../clock.js';
import { PostgresAdapter } from '../db/kysely.js';
import { firstRow, precompiled } from '../db/precompiled.js';
import type { Database, PendingSignIn, PendingStage, Session, User } from '../db/schema.js';
import { formatDateTime } from '../i18n/index.js';
import { passwordBlockedMail, verifyEmailMail } from '../mail/templates.js';
import { consumeRateLimit, consumeRateLimitPair, countFailure } from '../security/rate-limit.js';
import { generateToken, hashToken } from '../security/tokens.js';
import type { AccountDeps } from './deps.js';
import { issueToken, VERIFY_EMAIL_TTL_MS } from './email-tokens.js';
import { mayMailRegistration } from './mail-limits.js';
import { createSession, NEVER_AUTHENTICATED, rotateSession } from './sessions.js';
import {
  knownBrowserId,
  knownBrowserToken,
  loginAddressKey,
  loginBrowserKey,
} from './known-browser.js';
import {
  accountStanding,
  findAccountByEmail,
  keepBrowserLocale,
  mailLocaleOf,
  normalizeEmail,
  renewPasswordHash,
} from './users.js';
import { absoluteUrl } from './deps.js';
import { clientNetwork } from '../security/client-network.js';

/** A correct password buys this long to finish the second step (SPEC §4 "sign-in state"). */
export const PENDING_SIGN_IN_TTL_MS = 10 * MINUTE_MS;
/** Password attempts per address and per network address, counted in the database. */
export const LOGIN_ATTEMPTS_PER_EMAIL = 10;
export const LOGIN_ATTEMPTS_PER_IP = 100;
export const LOGIN_WINDOW_MS = 15 * MINUTE_MS;
/**
 * Wrong passwords in a row at one address (NIST SP 800-63B 5.2.2: at most 100), across the
 * windows: then only a browser that logged in there before may try, until a right password
 * from one, a password reset or the address's verification clears the count.
 */
export const LOGIN_FAILURES_IN_A_ROW = 100;
const UNVERIFIED_RESEND_WINDOW_MS = 5 * MINUTE_MS;

export type SecondFactorRequirement = 'none' | PendingStage;

/**
 * What stands between a correct password and a session. The two-factor module provides the
 * real gate; without it every user goes straight through.
 */
export interface SecondFactorGate {
  requirementFor(user: User, now: number): Promise<SecondFactorRequirement>;
  /** Whether the browser's trusted-device token lets this user skip the second step. */
  trustsDevice(user: User, token: string, meta: RequestMeta): Promise<boolean>;
}

export const noSecondFactor: SecondFactorGate = {
  requirementFor: () => Promise.resolve('none'),
  trustsDevice: () => Promise.resolve(false),
};

export type BeginSignInResult =
  | { outcome: 'invalid' }
  /** `untilCleared`: refused for wrong passwords in a row (LOGIN_FAILURES_IN_A_ROW). */
  | { outcome: 'rate_limited'; retryAfterMs: number; untilCleared: boolean }
  /** The right password for an account an administrator disabled. */
  | { outcome: 'disabled' }
  /** `knownBrowser`: the cookie value that counts this browser's attempts apart from now on. */
  | { outcome: 'pending'; pendingToken: string; stage: PendingStage; knownBrowser: string }
  | { outcome: 'signed_in'; sessionToken: string; knownBrowser: string };

export interface PendingContext {
  pending: PendingSignIn;
  user: User;
}

/** Pending sign-in and user in one query (docs/performance.md). */
const pendingWithUser = precompiled((db, p: { idHash: string }) =>
  db
    .selectFrom('pending_sign_ins')
    .innerJoin('users', 'users.id', 'pending_sign_ins.user_id')
    .selectAll('users')
    .select([
      'pending_sign_ins.id_hash',
      'pending_sign_ins.purpose',
      'pending_sign_ins.session_id_hash',
      'pending_sign_ins.user_id',
      'pending_sign_ins.credential_version as pending_credential_version',
      'pending_sign_ins.stage',
      'pending_sign_ins.failures',
      'pending_sign_ins.created_at as pending_created_at',
      'pending_sign_ins.expires_at',
      'pending_sign_ins.ip',
      'pending_sign_ins.user_agent',
      'pending_sign_ins.address_id',
    ])
    .where('pending_sign_ins.id_hash', '=', p.idHash),
);

/** Ends a live pending sign-in: one guarded DELETE, so only one request can finish it. */
const takePending = precompiled((db, p: { idHash: string; now: number }) =>
  db
    .deleteFrom('pending_sign_ins')
    .where('id_hash', '=', p.idHash)
    .where('expires_at', '>', p.now)
    .returning([
      'user_id',
      'credential_version',
      'purpose',
      'stage',
      'session_id_hash',
      'address_id',
    ]),
);

const deletePending = precompiled((db, p: { idHash: string }) =>
  db.deleteFrom('pending_sign_ins').where('id_hash', '=', p.idHash),
);

/** A pending sign-in's columns (from the stand-ins of a precompiled query too). */
const pendingRow = (p: PendingSignIn): PendingSignIn => ({
  id_hash: p.id_hash,
  purpose: p.purpose,
  session_id_hash: p.session_id_hash,
  user_id: p.user_id,
  credential_version: p.credential_version,
  stage: p.stage,
  failures: p.failures,
  created_at: p.created_at,
  expires_at: p.expires_at,
  ip: p.ip,
  user_agent: p.user_agent,
  address_id: p.address_id,
});

const insertPending = precompiled((db, p: PendingSignIn) =>
  db.insertInto('pending_sign_ins').values(pendingRow(p)),
);

/** A right password's count goes: its browser's when known there, else its address's. */
const clearCount = precompiled((db, p: { key: string }) =>
  db.deleteFrom('rate_limits').where('key', '=', p.key),
);

/**
 * And a known browser's right password ends the address's run of wrong ones (the strangers'
 * hundred in a row), but not their count of this window, which stays theirs.
 */
const endRun = precompiled((db, p: { key: string; addressKey: string }) =>
  db
    .updateTable('rate_limits')
    .set({ in_a_row: 0 })
    .where('key', '=', p.addressKey)
    .where('key', '!=', p.key),
);

/** PostgreSQL only: a data-modifying WITH, which SQLite does not have. */
const clearCountsAndInsertPending = precompiled(
  (db, p: PendingSignIn & { key: string; addressKey: string }) =>
    db
      .with('cleared', (qc) => qc.deleteFrom('rate_limits').where('key', '=', p.key))
      .with('run_ended', (qc) =>
        qc
          .updateTable('rate_limits')
          .set({ in_a_row: 0 })
          .where('key', '=', p.addressKey)
          .where('key', '!=', p.key),
      )
      .insertInto('pending_sign_ins')
      .values(pendingRow(p)),
);

/**
 * A right password's writes: its failure count goes (and, from a known browser, the address's
 * run of wrong ones ends) and the pending sign-in is made, in one commit. On PostgreSQL that is
 * one statement, one round trip instead of four or more (BEGIN, the writes, COMMIT); SQLite's
 * transaction has no round trips to save.
 */
async function insertPendingClearingCount(
  db: Kysely<Database>,
  pending: PendingSignIn,
  keys: { key: string; addressKey: string },
): Promise<void> {
  if (db.getExecutor().adapter instanceof PostgresAdapter) {
    await clearCountsAndInsertPending(db, { ...pending, ...keys });
    return;
  }
  await db.transaction().execute(async (trx) => {
    await clearCount(trx, keys);
    if (keys.key !== keys.addressKey) await endRun(trx, keys);
    await insertPending(trx, pending);
  });
}

export function createSignIn(deps: AccountDeps, gate: () => SecondFactorGate) {
  const { db, clock, hasher, audit } = deps;

  async function findPending(token: string): Promise<PendingContext | undefined> {
    const now = clock.now();
    const row = firstRow(await pendingWithUser(db, { idHash: hashToken(token) }));
    if (!row) return undefined;
    const {
      id_hash,
      purpose,
      session_id_hash,
      user_id,
      pending_credential_version,
      stage,
      failures,
      pending_created_at,
      expires_at,
      ip,
      user_agent,
      address_id,
      ...user
    } = row;
    const pending: PendingSignIn = {
      id_hash,
      purpose,
      session_id_hash,
      user_id,
      credential_version: pending_credential_version,
      stage,
      failures,
      created_at: pending_created_at,
      expires_at,
      ip,
      user_agent,
      address_id,
    };
    // The pending sign-in dies when it expires, or when the password or the methods changed
    // since the password was checked.
    if (
      pending.expires_at <= now ||
      user.credential_version !== pending.credential_version ||
      user.disabled_at !== null
    ) {
      await deletePending(db, { idHash: pending.id_hash });
      return undefined;
    }
    return { pending, user };
  }

  /**
   * Finishes a pending sign-in. The pending row is removed by one guarded DELETE, so it can be
   * completed once only. A log-in gets a new session; a step-up renews its session's id and
   * authentication time. `madeMethod`: a mandatory set-up created a method on the way, which
   * bumped the credential version once. `until`: the session ends then at the latest (set-up
   * postponed until a grace date).
   *
   * All of it is one transaction: the caller's (`executor`, when the second step's check runs
   * in one) or its own, so a crash never leaves a used-up sign-in without its session.
   */
  async function complete(
    pending: PendingSignIn,
    meta: RequestMeta,
    method: string,
    options: { madeMethod?: boolean; until?: number } = {},
    executor?: Kysely<Database>,
  ): Promise<{ sessionToken: string } | undefined> {
    if (!executor) {
      return db.transaction().execute((trx) => complete(pending, meta, method, options, trx));
    }
    const now = clock.now();
    const removed = firstRow(await takePending(executor, { idHash: pending.id_hash, now }));
    if (!removed) return undefined;
    const user = firstRow(await accountStanding(executor, { userId: removed.user_id }));
    // Exactly the set-up's own change is allowed: any other change meanwhile still ends it.
    const ownChanges = options.madeMethod && removed.stage === 'setup_required' ? 1 : 0;
    if (
      !user ||
      user.credential_version !== removed.credential_version + ownChanges ||
      user.disabled_at !== null
    ) {
      return undefined;
    }
    // A remembered browser stands in for the second step of this log-in only: its session
    // holds neither a second factor nor a recent authentication, so a step-up and the admin
    // console still ask for the password and the second factor (SPEC §4 step-up).
    const remembered = method === 'trusted_device';
    const secondFactor = method !== 'password' && !remembered;
    if (removed.purpose === 'step_up') {
      const session = removed.session_id_hash
        ? await executor
            .selectFrom('sessions')
            .selectAll()
            .where('id_hash', '=', removed.session_id_hash)
            .where('user_id', '=', removed.user_id)
            .executeTakeFirst()
        : undefined;
      if (!session) return undefined;
      const rotated = await rotateSession(executor, session, now, { secondFactor });
      if (!rotated) return undefined;
      await audit.record(
        { event: 'reauthenticated', actorUserId: removed.user_id, meta, details: { method } },
        executor,
      );
      return { sessionToken: rotated.token };
    }
    const { token } = await createSession(executor, {
      userId: removed.user_id,
      meta,
      now,
      maxMs:
        options.until === undefined
          ? deps.sessionMaxMs
          : Math.min(deps.sessionMaxMs, options.until - now),
      secondFactor,
      authenticatedAt: remembered ? NEVER_AUTHENTICATED : now,
      addressId: removed.address_id,
    });
    await audit.record(
      { event: 'sign_in.succeeded', actorUserId: removed.user_id, meta, details: { method } },
      executor,
    );
    return { sessionToken: token };
  }

  /** `from`: the address typed at log-in, or the session a step-up renews. */
  function newPending(
    user: User,
    stage: PendingStage,
    meta: RequestMeta,
    from: { addressId: string } | { stepUpSession: Session },
  ): { token: string; pending: PendingSignIn } {
    const stepUpSession = 'stepUpSession' in from ? from.stepUpSession : undefined;
    const now = clock.now();
    const token = generateToken();
    const pending: PendingSignIn = {
      id_hash: hashToken(token),
      purpose: stepUpSession ? 'step_up' : 'sign_in',
      session_id_hash: stepUpSession?.id_hash ?? null,
      user_id: user.id,
      credential_version: user.credential_version,
      stage,
      failures: 0,
      created_at: now,
      expires_at: now + PENDING_SIGN_IN_TTL_MS,
      ip: meta.ip,
      user_agent: meta.userAgent.slice(0, 512),
      // A step-up renews its session, which keeps its own.
      address_id: 'addressId' in from ? from.addressId : null,
    };
    return { token, pending };
  }

  async function createPending(
    user: User,
    stage: PendingStage,
    meta: RequestMeta,
    stepUpSession: Session,
  ): Promise<{ token: string; pending: PendingSignIn }> {
    const created = newPending(user, stage, meta, { stepUpSession });
    await insertPending(db, created.pending);
    return created;
  }

  /**
   * Step-up for a signed-in person (SPEC §4): the password was checked by the caller; with a
   * second factor a pending step-up is made, without one the session is renewed at once.
   */
  async function beginStepUp(
    auth: { user: User; session: Session },
    meta: RequestMeta,
  ): Promise<
    | { outcome: 'pending'; pendingToken: string }
    | { outcome: 'done'; sessionToken: string }
    | { outcome: 'ended' }
  > {
    const requirement = await gate().requirementFor(auth.user, clock.now());
    if (requirement === 'second_factor') {
      const { token } = await createPending(auth.user, 'second_factor', meta, auth.session);
      return { outcome: 'pending', pendingToken: token };
    }
    const rotated = await rotateSession(db, auth.session, clock.now(), { secondFactor: false });
    // Ended while the password was checked: nothing to renew.
    if (!rotated) return { outcome: 'ended' };
    await audit.record({
      event: 'reauthenticated',
      actorUserId: auth.user.id,
      meta,
      details: { method: 'password' },
    });
    return { outcome: 'done', sessionToken: rotated.token };
  }

  /**
   * The password step. What the browser brings:
   * - `deviceToken`: its trusted-device cookie, which lets a user whose second step it is skip
   *   it (never a step-up, never an administrator);
   * - `knownBrowser`: the cookie of a browser that gave this address's right password before,
   *   whose attempts are counted on their own (known-browser.ts);
   * - `locale`: the language its pages are in, kept for the mails of someone whose setting is
   *   the browser's language.
   */
  async function begin(
    email: string,
    password: string,
    meta: RequestMeta,
    browser: { deviceToken?: string; knownBrowser?: string; locale?: string } = {},
  ): Promise<BeginSignInResult> {
    const { deviceToken, knownBrowser } = browser;
    // Too many checks waiting: "busy", before anything is read or counted, for every address.
    hasher.admit();
    const now = clock.now();
    const normalized = normalizeEmail(email);
    // Read before the count (for unknown addresses alike): a browser is known to an account
    // under its present password only.
    const account = await findAccountByEmail(db, email);
    const browserId = knownBrowserId(
      deps.keys.knownBrowser,
      normalized,
      account?.user.password_hash ?? null,
      knownBrowser,
    );
    const addressKey = loginAddressKey(normalized);
    let emailKey = browserId ? loginBrowserKey(browserId, normalized) : addressKey;
    // Counted for unknown addresses too, so the limit says nothing about which accounts exist.
    // Both counters in one statement: one commit, one round trip.
    const counted = await consumeRateLimitPair(
      db,
      { key: emailKey, limit: LOGIN_ATTEMPTS_PER_EMAIL, inARow: LOGIN_FAILURES_IN_A_ROW },
      { key: `login:ip:${clientNetwork(meta.ip)}`, limit: LOGIN_ATTEMPTS_PER_IP },
      LOGIN_WINDOW_MS,
      now,
    );
    const perIp = counted[1];
    let perEmail = counted[0];
    if (emailKey !== addressKey && perEmail.untilCleared) {
      // A known browser that gave a hundred wrong passwords in a row is known no more: it tries
      // with everyone else, under the address's count (which a password reset clears).
      emailKey = addressKey;
      perEmail = await consumeRateLimit(
        db,
        addressKey,
        LOGIN_ATTEMPTS_PER_EMAIL,
        LOGIN_WINDOW_MS,
        now,
        LOGIN_FAILURES_IN_A_ROW,
      );
    }
    if (!perEmail.allowed || !perIp.allowed) {
      // The moment a limit is reached is a security event (someone guessing at an account, or
      // from one network); the refusals after it in the window are not, one by one.
      const reached = async (details: AuditDetails, targetUserId: string | null) =>
        audit.record({ event: 'sign_in.rate_limited', targetUserId, meta, details });
      if (perEmail.justReached) {
        await reached(
          { limit: 'address', ...(account ? {} : { address: normalized }) },
          account?.user.id ?? null,
        );
      }
      if (perIp.justReached)
        await reached({ limit: 'network', network: clientNetwork(meta.ip) }, null);
      return {
        outcome: 'rate_limited',
        retryAfterMs: Math.max(perEmail.retryAfterMs, perIp.retryAfterMs),
        untilCleared: perEmail.untilCleared === true,
      };
    }

    /**
     * A password that was checked and did not sign in: one more failure in a row at this
     * address (or from this known browser), counted for unknown addresses alike. At the
     * hundredth the address closes to browsers new to it, and its owner is told.
     */
    const failed = async <O extends 'invalid' | 'disabled'>(
      outcome: O,
      owner?: { user: User; email: string },
    ): Promise<{ outcome: O }> => {
      const run = await countFailure(db, emailKey);
      if (owner && emailKey === addressKey && run === LOGIN_FAILURES_IN_A_ROW) {
        deps.postman.composeLater('password log-in closed to new browsers', async () => {
          await audit.record({
            event: 'sign_in.password_blocked',
            targetUserId: owner.user.id,
            meta,
          });
          const ctx = deps.postman.context(owner.email, owner.user.name, mailLocaleOf(owner.user));
          return passwordBlockedMail(ctx, formatDateTime(ctx.locale, now));
        });
      }
      return { outcome };
    };

    if (!account) {
      await hasher.verifyDummy(password);
      return failed('invalid');
    }
    const { user, address } = account;
    // The one told when the address closes: its verified owner only.
    const owner = address.verified_at !== null ? { user, email: address.email } : undefined;
    const passwordOk = await hasher.verify(user.password_hash, password);
    if (!passwordOk || user.disabled_at !== null) {
      // Recorded after the answer: an unknown address writes no such row, and the answer must
      // not take a write longer for an address that has an account (SPEC §4 "enumeration").
      deps.postman.composeLater('failed password audit', async () => {
        await audit.record({
          event: 'sign_in.password_failed',
          targetUserId: user.id,
          meta,
          details: { reason: passwordOk ? 'disabled' : 'password' },
        });
        return null;
      });
      // Only the right password learns that the account is disabled (and whom to ask): a wrong
      // one reads as for any other account, so the answer still names no existing address.
      return failed(passwordOk ? 'disabled' : 'invalid', owner);
    }
    const storedHash = await renewPasswordHash(db, hasher, user, password);
    if (address.verified_at === null) {
      // The right password for an address nobody has verified. Anyone may register a free
      // address with a password of their choosing, so this must read, and count, as a wrong
      // password does: else registering and then logging in would tell which addresses have
      // an account (SPEC §4 "enumeration"). The one message says what to do after
      // registering; a new link goes out after the answer.
      deps.postman.composeLater('verification link at log-in', async () => {
        // After the answer, as a wrong password's record: no write makes this answer slower.
        await audit.record({ event: 'sign_in.unverified', targetUserId: user.id, meta });
        const resend = await consumeRateLimit(
          db,
          `verify-resend:${address.id}`,
          1,
          UNVERIFIED_RESEND_WINDOW_MS,
          now,
        );
        if (!resend.allowed) return null;
        // Counted with the registration's own mails to the address (mail-limits.ts says why).
        if (!(await mayMailRegistration(db, address.email, now))) return null;
        const { token } = await issueToken(db, {
          userId: user.id,
          purpose: 'verify_email',
          emailAddressId: address.id,
          now,
          ttlMs: VERIFY_EMAIL_TTL_MS,
        });
        return verifyEmailMail(
          deps.postman.context(address.email, null, mailLocaleOf(user)),
          absoluteUrl(deps.publicUrl, `/verify-email?token=${token}`),
        );
      });
      return failed('invalid');
    }

    // Before a code is mailed at the second step, so that it comes in the page's language.
    if (browser.locale !== undefined) await keepBrowserLocale(db, user, browser.locale);
    const requirement = await gate().requirementFor(user, now);
    const trusted =
      requirement === 'second_factor' &&
      deviceToken !== undefined &&
      (await gate().trustsDevice(user, deviceToken, meta));
    const { token: pendingToken, pending } = newPending(
      user,
      requirement === 'none' ? 'second_factor' : requirement,
      meta,
      { addressId: address.id },
    );
    await insertPendingClearingCount(db, pending, { key: emailKey, addressKey });
    // The right password: from now on this browser's attempts at this address are its own.
    const known = knownBrowserToken(deps.keys.knownBrowser, normalized, storedHash);
    if (requirement === 'none' || trusted) {
      const done = await complete(pending, meta, trusted ? 'trusted_device' : 'password');
      if (!done) return { outcome: 'invalid' };
      return { outcome: 'signed_in', sessionToken: done.sessionToken, knownBrowser: known };
    }
    return { outcome: 'pending', pendingToken, stage: requirement, knownBrowser: known };
  }

  async function abandon(token: string): Promise<void> {
    await db.deleteFrom('pending_sign_ins').where('id_hash', '=', hashToken(token)).execute();
  }

  async function abandonById(idHash: string, executor: Kysely<Database> = db): Promise<void> {
    await deletePending(executor, { idHash });
  }

  return { begin, beginStepUp, findPending, complete, abandon, abandonById, createPending };
}

export type SignIn = ReturnType<typeof createSignIn>;
