import { sql } from 'kysely';
import type { PendingContext, SignIn } from '../accounts/sign-in.js';
import type { RequestMeta } from '../audit/audit.js';
import type { TwoFactorMethod, User } from '../db/schema.js';
import { ACCOUNT_MAX_FAILURES, LOCKOUT_MS, PENDING_MAX_FAILURES } from './constants.js';
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

export type ChallengeKind = 'totp' | 'email' | 'recovery';

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
export function createChallenge(
  deps: TwoFactorDeps,
  parts: {
    methods: Methods;
    emailCodes: EmailCodes;
    recovery: RecoveryCodes;
    policy: Policy;
    notify: Notify;
    signIn: SignIn;
  },
) {
  const { db, clock, audit, postman } = deps;
  const { methods, emailCodes, recovery, notify, signIn } = parts;

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
   * Locks the account's second factor for 15 minutes, once: of concurrent requests only the
   * first sets the lock, audits it and mails the owner. Other pending sign-ins are left alone:
   * every try on them is refused while the lock lasts and all of them expire before it ends
   * (10 < 15 minutes), while ending them here would also end one whose right code, counted
   * before the lock, is still being checked (its recovery code would be spent for nothing).
   */
  async function lockAccount(ctx: PendingContext, meta: RequestMeta): Promise<TfResult<never>> {
    const now = clock.now();
    const until = now + LOCKOUT_MS;
    const locked = await db
      .updateTable('users')
      .set({ second_factor_locked_until: until, second_factor_failures: 0 })
      .where('id', '=', ctx.user.id)
      .where((eb) =>
        eb.or([
          eb('second_factor_locked_until', 'is', null),
          eb('second_factor_locked_until', '<=', now),
        ]),
      )
      .returning('id')
      .executeTakeFirst();
    if (locked) {
      await audit.record({
        event: 'two_factor.locked',
        targetUserId: ctx.user.id,
        meta,
        details: { until },
      });
      await notify(ctx.user, { kind: 'locked', until });
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
  async function reserveAttempt(
    ctx: PendingContext,
    now: number,
    meta: RequestMeta,
  ): Promise<TfResult<Attempt>> {
    const pending = await db
      .updateTable('pending_sign_ins')
      .set({ failures: sql`failures + 1` })
      .where('id_hash', '=', ctx.pending.id_hash)
      .where('failures', '<', PENDING_MAX_FAILURES)
      .returning('failures')
      .executeTakeFirst();
    if (!pending) return tfFail(TwoFactorError.SIGN_IN_ENDED);
    const account = await db
      .updateTable('users')
      .set({ second_factor_failures: sql`second_factor_failures + 1` })
      .where('id', '=', ctx.user.id)
      .where((eb) =>
        eb.or([
          eb('second_factor_locked_until', 'is', null),
          eb('second_factor_locked_until', '<=', now),
        ]),
      )
      .returning('second_factor_failures')
      .executeTakeFirst();
    if (!account) return tfFail(TwoFactorError.LOCKED);
    // Tries beyond the tenth are not checked at all: they lock at once.
    if (account.second_factor_failures > ACCOUNT_MAX_FAILURES) return lockAccount(ctx, meta);
    return tfOk({ accountTries: account.second_factor_failures, pendingTries: pending.failures });
  }

  /**
   * Records a wrong code whose try reserveAttempt already counted. Returns the error the
   * person should see.
   */
  async function fail(
    ctx: PendingContext,
    kind: ChallengeKind,
    error: TwoFactorErrorCode,
    meta: RequestMeta,
    attempt: Attempt,
  ): Promise<TfResult<never>> {
    await audit.record({
      event:
        error === TwoFactorError.CODE_ALREADY_USED
          ? 'two_factor.code_replayed'
          : 'two_factor.challenge_failed',
      targetUserId: ctx.user.id,
      meta,
      details: { method: kind, reason: error, purpose: ctx.pending.purpose },
    });
    if (attempt.accountTries >= ACCOUNT_MAX_FAILURES) {
      await signIn.abandonById(ctx.pending.id_hash);
      return lockAccount(ctx, meta);
    }
    if (attempt.pendingTries >= PENDING_MAX_FAILURES) {
      await signIn.abandonById(ctx.pending.id_hash);
      await audit.record({ event: 'two_factor.sign_in_ended', targetUserId: ctx.user.id, meta });
      return tfFail(TwoFactorError.SIGN_IN_ENDED);
    }
    return tfFail(error);
  }

  /** Sends a sign-in code to the account's email method, bound to this pending sign-in. */
  async function sendEmailCode(
    ctx: PendingContext,
    meta: RequestMeta,
  ): Promise<TfResult<{ masked: string }>> {
    const now = clock.now();
    if (lockedUntil(ctx.user, now)) return tfFail(TwoFactorError.LOCKED);
    const method = (await methods.usable(ctx.user.id)).find((m) => m.type === 'email');
    if (!method?.email) return tfFail(TwoFactorError.METHOD_DISABLED);
    const issued = await emailCodes.issue(
      {
        userId: ctx.user.id,
        purpose: 'sign_in',
        requestId: ctx.pending.id_hash,
        email: method.email,
      },
      now,
    );
    if (!issued.ok) return issued;
    postman.sendLater(
      emailCodeMail(
        postman.context(method.email, ctx.user.name, ctx.user.locale),
        'sign_in',
        issued.value,
      ),
    );
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
    let usedMethod: TwoFactorMethod | undefined;

    if (kind === 'totp') {
      usedMethod = usable.find((m) => m.type === 'totp');
      if (!usedMethod) return tfFail(TwoFactorError.METHOD_DISABLED);
      const attempt = await reserveAttempt(ctx, now, meta);
      if (!attempt.ok) return attempt;
      const step = matchTotpStep(methods.secretOf(usedMethod), code, now);
      if (step === null) return fail(ctx, kind, TwoFactorError.INVALID_CODE, meta, attempt.value);
      if (!(await methods.claimTotpStep(usedMethod.id, step))) {
        return fail(ctx, kind, TwoFactorError.CODE_ALREADY_USED, meta, attempt.value);
      }
    } else if (kind === 'email') {
      usedMethod = usable.find((m) => m.type === 'email');
      if (!usedMethod) return tfFail(TwoFactorError.METHOD_DISABLED);
      const attempt = await reserveAttempt(ctx, now, meta);
      if (!attempt.ok) return attempt;
      const checked = await emailCodes.verify(
        { userId: ctx.user.id, purpose: 'sign_in', requestId: ctx.pending.id_hash },
        code,
        now,
      );
      if (!checked.ok) return fail(ctx, kind, checked.error, meta, attempt.value);
      await methods.touch(usedMethod.id);
    } else {
      // Recovery codes stand in for the methods; they only work while one is usable.
      if (usable.length === 0) return tfFail(TwoFactorError.METHOD_DISABLED);
      const attempt = await reserveAttempt(ctx, now, meta);
      if (!attempt.ok) return attempt;
      if (!(await recovery.consume(ctx.user.id, code, now))) {
        const replayed = await recovery.wasUsed(ctx.user.id, code);
        return fail(
          ctx,
          kind,
          replayed ? TwoFactorError.CODE_ALREADY_USED : TwoFactorError.INVALID_CODE,
          meta,
          attempt.value,
        );
      }
      const remaining = await recovery.remaining(ctx.user.id);
      await audit.record({
        event: 'two_factor.recovery_code_used',
        actorUserId: ctx.user.id,
        meta,
        details: { remaining },
      });
      await notify(ctx.user, { kind: 'recovery_code_used', remaining });
    }

    const done = await signIn.complete(ctx.pending, meta, kind);
    if (!done) return tfFail(TwoFactorError.SIGN_IN_ENDED);
    await db
      .updateTable('users')
      .set({ second_factor_failures: 0 })
      .where('id', '=', ctx.user.id)
      .execute();
    return tfOk(done);
  }

  return { state, sendEmailCode, verify };
}

export type Challenge = ReturnType<typeof createChallenge>;
