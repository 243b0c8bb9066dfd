import type { Locale } from '../i18n/index.js';
import { sql } from '../db/kysely.js';
import { holdAccountRow, mailLocaleOf } from '../accounts/users.js';
import type { Kysely } from 'kysely';
import type { PendingContext, SignIn } from '../accounts/sign-in.js';
import type { RequestMeta } from '../audit/audit.js';
import { firstRow, precompiled } from '../db/precompiled.js';
import { consumeRateLimit } from '../security/rate-limit.js';
import { HOUR_MS } from '../clock.js';
import type { Database, TwoFactorMethod, User } from '../db/schema.js';
import {
  ACCOUNT_MAX_FAILURES,
  isLockedUntilReset,
  LOCKED_UNTIL_RESET,
  LOCKOUT_MS,
  LOCKS_BEFORE_RESET,
  PENDING_MAX_FAILURES,
} from './constants.js';
import type { TwoFactorDeps } from './deps.js';
import type { EmailCodes } from './email/email-codes.js';
import { maskEmail } from './email/email-codes.js';
import type { TfResult, TwoFactorErrorCode } from './error-codes.js';
import { TwoFactorError, tfFail, tfOk } from './error-codes.js';
import type { Methods } from './methods.js';
import type { Notify } from './notifications.js';
import { emailCodeMail } from './notifications.js';
import type { Policy } from './policy.js';
import type { RecoveryCodes } from './recovery-codes/recovery-codes.js';
import { matchTotpStep } from './totp/totp.js';
import type { SecurityKeys } from './webauthn/security-keys.js';

export type ChallengeKind = 'totp' | 'email' | 'recovery' | 'webauthn';

export interface ChallengeState {
  methods: TwoFactorMethod[];
  lockedUntil: number | null;
  recoveryCodesLeft: number;
}

/**
 * The second step of a pending sign-in or step-up: verifies a code, counts failures in the
 * database, ends the pending sign-in after 5 wrong codes and locks the account's second
 * factor after 10 in a row (SPEC §4 "attempts").
 */
const countPendingTry = precompiled((db, p: { idHash: string; max: number }) =>
  db
    .updateTable('pending_sign_ins')
    .set({ failures: sql`failures + 1` })
    .where('id_hash', '=', p.idHash)
    .where('failures', '<', p.max)
    .returning('failures'),
);

const countAccountTry = precompiled((db, p: { userId: string; now: number }) =>
  db
    .updateTable('users')
    .set({ second_factor_failures: sql`second_factor_failures + 1` })
    .where('id', '=', p.userId)
    .where((eb) =>
      eb.or([
        eb('second_factor_locked_until', 'is', null),
        eb('second_factor_locked_until', '<=', p.now),
      ]),
    )
    .returning('second_factor_failures'),
);

/** Locks once (guarded as countAccountTry is); returns the locks in a row, this one included. */
const lockSecondFactor = precompiled((db, p: { userId: string; now: number; until: number }) =>
  db
    .updateTable('users')
    .set({
      second_factor_locked_until: p.until,
      second_factor_failures: 0,
      second_factor_locks: sql`second_factor_locks + 1`,
    })
    .where('id', '=', p.userId)
    .where((eb) =>
      eb.or([
        eb('second_factor_locked_until', 'is', null),
        eb('second_factor_locked_until', '<=', p.now),
      ]),
    )
    .returning(['id', 'second_factor_locks']),
);

/** After ten locks in a row the last one stays until an administrator's reset (constants.ts). */
const lockUntilReset = precompiled((db, p: { userId: string }) =>
  db
    .updateTable('users')
    .set({ second_factor_locked_until: LOCKED_UNTIL_RESET })
    .where('id', '=', p.userId),
);

const clearAccountTries = precompiled((db, p: { userId: string }) =>
  db
    .updateTable('users')
    .set({ second_factor_failures: 0, second_factor_locks: 0 })
    .where('id', '=', p.userId),
);

export function createChallenge(
  deps: TwoFactorDeps,
  parts: {
    methods: Methods;
    emailCodes: EmailCodes;
    recovery: RecoveryCodes;
    policy: Policy;
    notify: Notify;
    signIn: SignIn;
    securityKeys: SecurityKeys;
  },
) {
  const { db, clock, audit, postman } = deps;
  const { methods, emailCodes, recovery, notify, signIn, securityKeys } = parts;

  function lockedUntil(user: Pick<User, 'second_factor_locked_until'>, now: number): number | null {
    return user.second_factor_locked_until !== null && user.second_factor_locked_until > now
      ? user.second_factor_locked_until
      : null;
  }

  async function state(ctx: PendingContext): Promise<ChallengeState> {
    // Read afresh: the request that shows this page may be the one that just caused the lock.
    const account = await db
      .selectFrom('users')
      .select('second_factor_locked_until')
      .where('id', '=', ctx.user.id)
      .executeTakeFirst();
    return {
      methods: await methods.usable(ctx.user.id),
      lockedUntil: lockedUntil(account ?? ctx.user, clock.now()),
      recoveryCodesLeft: await recovery.remaining(ctx.user.id),
    };
  }

  /** Tries used so far, counting this one: on the account and on the pending sign-in. */
  interface Attempt {
    accountTries: number;
    pendingTries: number;
  }

  /**
   * One check of a code runs in one transaction (`trx`): the try is counted, the code checked
   * and the sign-in finished or the failure recorded, then all of it commits at once — a wrong
   * code is an outcome that commits, never an error that rolls the count back. Mails wait in
   * `later` until the outcome is committed.
   */
  interface Check {
    trx: Kysely<Database>;
    ctx: PendingContext;
    meta: RequestMeta;
    now: number;
    later: Array<() => Promise<void>>;
  }

  /**
   * Locks the account's second factor for 15 minutes, once: of concurrent requests only the
   * first sets the lock, audits it and mails the owner. Other pending sign-ins are left alone:
   * every try on them is refused while the lock lasts and all of them expire before it ends
   * (10 < 15 minutes), while ending them here would also end one whose right code, counted
   * before the lock, is still being checked (its recovery code would be spent for nothing).
   */
  async function lockAccount({ trx, ctx, meta, now, later }: Check): Promise<TfResult<never>> {
    let until = now + LOCKOUT_MS;
    const locked = firstRow(await lockSecondFactor(trx, { userId: ctx.user.id, now, until }));
    if (locked && locked.second_factor_locks >= LOCKS_BEFORE_RESET) {
      until = LOCKED_UNTIL_RESET;
      await lockUntilReset(trx, { userId: ctx.user.id });
    }
    if (locked) {
      await audit.record(
        {
          event: 'two_factor.locked',
          targetUserId: ctx.user.id,
          meta,
          // A lock only a reset ends has no time to show.
          details: isLockedUntilReset(until) ? { untilReset: true } : { until },
        },
        trx,
      );
      later.push(() => notify(ctx.user, { kind: 'locked', until }));
    }
    return tfFail(TwoFactorError.LOCKED);
  }

  /**
   * Counts one try before the code is checked, with one atomic increment on the pending
   * sign-in and one on the account: of a burst of parallel guesses only as many are checked
   * as the limits allow (a check-then-record counter lets them all through, umami#4205). A
   * wrong code keeps its try as a failure; a right one ends the pending sign-in and clears the
   * account's count.
   */
  async function reserveAttempt(check: Check): Promise<TfResult<Attempt>> {
    const { trx, ctx, now } = check;
    const pending = firstRow(
      await countPendingTry(trx, { idHash: ctx.pending.id_hash, max: PENDING_MAX_FAILURES }),
    );
    if (!pending) return tfFail(TwoFactorError.SIGN_IN_ENDED);
    const account = firstRow(await countAccountTry(trx, { userId: ctx.user.id, now }));
    if (!account) return tfFail(TwoFactorError.LOCKED);
    // Tries beyond the tenth are not checked at all: they lock at once.
    if (account.second_factor_failures > ACCOUNT_MAX_FAILURES) return lockAccount(check);
    return tfOk({ accountTries: account.second_factor_failures, pendingTries: pending.failures });
  }

  /** The wrong-code mail, at most one an hour for an account (after the outcome commits). */
  async function tellOfWrongCode(user: User): Promise<void> {
    const once = await consumeRateLimit(db, `wrong-code-mail:${user.id}`, 1, HOUR_MS, clock.now());
    if (once.allowed) await notify(user, { kind: 'wrong_code' });
  }

  /**
   * Records a wrong code whose try reserveAttempt already counted. Returns the error the
   * person should see.
   */
  async function fail(
    check: Check,
    kind: ChallengeKind,
    error: TwoFactorErrorCode,
    attempt: Attempt,
    name?: string,
  ): Promise<TfResult<never>> {
    const { trx, ctx, meta } = check;
    await audit.record(
      {
        event:
          error === TwoFactorError.CODE_ALREADY_USED ||
          error === TwoFactorError.KEY_COUNTER_WENT_BACK
            ? 'two_factor.code_replayed'
            : 'two_factor.challenge_failed',
        targetUserId: ctx.user.id,
        meta,
        details: {
          method: kind,
          reason: error,
          purpose: ctx.pending.purpose,
          ...(name === undefined ? {} : { name }),
        },
      },
      trx,
    );
    if (attempt.accountTries >= ACCOUNT_MAX_FAILURES) {
      await signIn.abandonById(ctx.pending.id_hash, trx);
      return lockAccount(check);
    }
    // A log-in that got the password right and the code wrong: the owner hears of it (once an
    // hour at most), as a lock would tell them only after ten. A step-up is the session's own.
    if (ctx.pending.purpose === 'sign_in') check.later.push(() => tellOfWrongCode(ctx.user));
    if (attempt.pendingTries >= PENDING_MAX_FAILURES) {
      await signIn.abandonById(ctx.pending.id_hash, trx);
      await audit.record(
        { event: 'two_factor.sign_in_ended', targetUserId: ctx.user.id, meta },
        trx,
      );
      return tfFail(TwoFactorError.SIGN_IN_ENDED);
    }
    return tfFail(error);
  }

  /**
   * Sends a sign-in code to the account's email method, bound to this pending sign-in; in
   * `locale`, the language of the page that asked for it (the account's, unless the browser
   * chose another with the language switch), or else the account's mail language.
   */
  async function sendEmailCode(
    ctx: PendingContext,
    meta: RequestMeta,
    locale?: Locale,
  ): Promise<TfResult<{ masked: string }>> {
    const now = clock.now();
    if (lockedUntil(ctx.user, now)) return tfFail(TwoFactorError.LOCKED);
    const method = (await methods.usable(ctx.user.id)).find((m) => m.type === 'email');
    if (!method?.email) return tfFail(TwoFactorError.METHOD_NOT_SET_UP);
    const mailContext = postman.context(
      method.email,
      ctx.user.name,
      locale ?? mailLocaleOf(ctx.user),
    );
    const sent = await emailCodes.send(
      {
        userId: ctx.user.id,
        purpose: 'sign_in',
        requestId: ctx.pending.id_hash,
        email: method.email,
      },
      now,
      (code) =>
        postman.sendNow(
          emailCodeMail(
            mailContext,
            ctx.pending.purpose === 'step_up' ? 'step_up' : 'sign_in',
            code,
          ),
        ),
    );
    if (!sent.ok) return sent;
    await audit.record({
      event: 'two_factor.email_code_sent',
      targetUserId: ctx.user.id,
      meta,
      details: { purpose: 'sign_in' },
    });
    return tfOk({ masked: maskEmail(method.email) });
  }

  /** Checks the code for one method; on success finishes the pending sign-in or step-up. */
  async function verify(
    ctx: PendingContext,
    kind: ChallengeKind,
    code: string,
    meta: RequestMeta,
  ): Promise<TfResult<{ sessionToken: string }>> {
    const now = clock.now();
    if (lockedUntil(ctx.user, now)) return tfFail(TwoFactorError.LOCKED);
    const usable = await methods.usable(ctx.user.id);
    const method = kind === 'recovery' ? usable[0] : usable.find((m) => m.type === kind);
    // Recovery codes stand in for the methods; they only work while one is usable.
    if (!method) return tfFail(TwoFactorError.METHOD_NOT_SET_UP);
    const later: Check['later'] = [];
    // One transaction, one commit: on SQLite each statement would otherwise commit on its own,
    // on PostgreSQL each would flush the log (docs/performance.md).
    const result = await db.transaction().execute(async (trx) => {
      // The account's row before the pending sign-in's: the order in which every other writer
      // of both takes them (admin reset, disable, password change and reset), so that none of
      // them waits on a pending sign-in this check holds while it waits on the account.
      await holdAccountRow(trx, ctx.user.id);
      return checkCode({ trx, ctx, meta, now, later }, kind, method, code);
    });
    for (const send of later) await send();
    return result;
  }

  async function checkCode(
    check: Check,
    kind: ChallengeKind,
    method: TwoFactorMethod,
    code: string,
  ): Promise<TfResult<{ sessionToken: string }>> {
    const { trx, ctx, meta, now } = check;
    let totpSecret = '';
    if (kind === 'totp') {
      const opened = methods.secretOf(method);
      // Sealed under another master key: the server's fault, not a wrong code, so it is
      // refused before the try is counted (the web layer logs it as an error).
      if (opened === null) return tfFail(TwoFactorError.SECRET_UNREADABLE);
      totpSecret = opened;
    }
    // A key's answer to a challenge this sign-in's page was given and that has since run out:
    // nothing guessable was tried, so no try is counted; the page offers a new challenge.
    if (
      kind === 'webauthn' &&
      (await securityKeys.challengeRanOut(trx, ctx.user.id, ctx.pending.id_hash, code))
    )
      return tfFail(TwoFactorError.CHALLENGE_RAN_OUT);
    const attempt = await reserveAttempt(check);
    if (!attempt.ok) return attempt;

    if (kind === 'totp') {
      const step = matchTotpStep(totpSecret, code, now);
      if (step === null) return fail(check, kind, TwoFactorError.INVALID_CODE, attempt.value);
      if (!(await methods.claimTotpStep(method.id, step, trx))) {
        return fail(check, kind, TwoFactorError.CODE_ALREADY_USED, attempt.value);
      }
    } else if (kind === 'webauthn') {
      // `code` is the browser's assertion (JSON); its challenge must be this pending sign-in's.
      const checked = await securityKeys.checkAssertion(
        check.trx,
        ctx.user.id,
        ctx.pending.id_hash,
        code,
      );
      if (!checked.ok) return fail(check, kind, checked.error, attempt.value, checked.name);
    } else if (kind === 'email') {
      const checked = await emailCodes.verify(
        { userId: ctx.user.id, purpose: 'sign_in', requestId: ctx.pending.id_hash },
        code,
        now,
        trx,
      );
      if (!checked.ok) return fail(check, kind, checked.error, attempt.value);
      await methods.touch(method.id, trx);
    } else {
      if (!(await recovery.consume(ctx.user.id, code, now, trx))) {
        const replayed = await recovery.wasUsed(ctx.user.id, code, trx);
        const error = replayed ? TwoFactorError.CODE_ALREADY_USED : TwoFactorError.INVALID_CODE;
        return fail(check, kind, error, attempt.value);
      }
      const remaining = await recovery.remaining(ctx.user.id, trx);
      await audit.record(
        {
          event: 'two_factor.recovery_code_used',
          actorUserId: ctx.user.id,
          meta,
          details: { remaining },
        },
        trx,
      );
      const stepUp = ctx.pending.purpose === 'step_up';
      check.later.push(() => notify(ctx.user, { kind: 'recovery_code_used', remaining, stepUp }));
    }

    const done = await signIn.complete(ctx.pending, meta, kind, {}, trx);
    if (!done) return tfFail(TwoFactorError.SIGN_IN_ENDED);
    await clearAccountTries(trx, { userId: ctx.user.id });
    return tfOk(done);
  }

  /** Whether this sign-in has an email code out that can still be used ("we sent a code"). */
  async function hasEmailCodeOut(ctx: PendingContext): Promise<boolean> {
    const address = await emailCodes.pendingAddress(
      { userId: ctx.user.id, purpose: 'sign_in', requestId: ctx.pending.id_hash },
      clock.now(),
    );
    return address !== undefined;
  }

  return { state, sendEmailCode, hasEmailCodeOut, verify };
}

export type Challenge = ReturnType<typeof createChallenge>;
