import type { Kysely } from 'kysely';
import { sql } from '../db/kysely.js';
import { isUniqueViolation } from '../db/unique-violation.js';
import type { RequestMeta } from '../audit/audit.js';
import { HOUR_MS, MINUTE_MS } from '../clock.js';
import type { Database, Session, User } from '../db/schema.js';
import { formatDateTime } from '../i18n/index.js';
import {
  passwordChangedMail,
  passwordResetMail,
  waitingRegistrationResetMail,
} from '../mail/templates.js';
import { clientNetwork } from '../security/client-network.js';
import {
  clearRateLimit,
  consumeRateLimit,
  countFailure,
  endFailureRun,
} from '../security/rate-limit.js';
import { consumeSlidingLimit } from '../security/sliding-limit.js';
import { hashToken } from '../security/tokens.js';
import type { AccountDeps } from './deps.js';
import { absoluteUrl } from './deps.js';
import type { Result } from './error-codes.js';
import { loginAddressKey } from './known-browser.js';
import { AccountError, fail, ok, weakPassword } from './error-codes.js';
import { consumeToken, findLiveToken, issueResetToken, revokeTokens } from './email-tokens.js';
import { personalWords } from './password-screen.js';
import { revokeAllSessions, revokeOtherSessions, rotateSession } from './sessions.js';
import { LOGIN_FAILURES_IN_A_ROW } from './sign-in.js';
import { lockAddressClaims, markAddressVerified } from './address-proof.js';
import {
  findVerifiedAddress,
  findWaitingRegistration,
  holdAccountRow,
  keepBrowserLocale,
  mailLocaleOf,
  primaryAddressOf,
  renewPasswordHash,
} from './users.js';

const PASSWORD_CHECKS_PER_WINDOW = 10;
const PASSWORD_CHECK_WINDOW_MS = 15 * MINUTE_MS;
/**
 * Wrong passwords in a row, across windows, that end every session: the log-in's bound (NIST
 * SP 800-63B 5.2.2), one rule for both places a password is guessed.
 */
export const PASSWORD_CHECK_FAILURES_IN_A_ROW = LOGIN_FAILURES_IN_A_ROW;

/** Where a known account's password was checked, as its audit entry says. */
export type PasswordCheck = 'reauthentication' | 'password_change' | 'verification_link';

/**
 * Checks an account's password where the person already holds something of the account (a
 * session, a link mailed to it), rate limited per account in the database. A wrong one is
 * audited, as at log-in. A right password stored in an older form is stored again
 * (`renewPasswordHash`), unless the caller is about to replace it anyway.
 */
export async function checkAccountPassword(
  deps: Pick<AccountDeps, 'db' | 'hasher' | 'clock' | 'audit'>,
  user: Pick<User, 'id' | 'password_hash'>,
  password: string,
  check: { where: PasswordCheck; meta: RequestMeta; renew?: boolean },
): Promise<Result> {
  deps.hasher.admit();
  const key = `password-check:${user.id}`;
  const limit = await consumeRateLimit(
    deps.db,
    key,
    PASSWORD_CHECKS_PER_WINDOW,
    PASSWORD_CHECK_WINDOW_MS,
    deps.clock.now(),
  );
  if (!limit.allowed) return fail(AccountError.TOO_MANY_ATTEMPTS);
  if (!(await deps.hasher.verify(user.password_hash, password))) {
    await deps.audit.record({
      event: 'password.check_failed',
      targetUserId: user.id,
      meta: check.meta,
      details: { where: check.where },
    });
    // The window alone would let a stolen session guess on, ten tries every 15 minutes, for
    // as long as it lives. After PASSWORD_CHECK_FAILURES_IN_A_ROW wrong ones in a row, every
    // session of the account ends: guessing on takes a log-in, which takes the password.
    if ((await countFailure(deps.db, key)) >= PASSWORD_CHECK_FAILURES_IN_A_ROW) {
      await deps.db.transaction().execute(async (trx) => {
        await revokeAllSessions(trx, user.id);
        await clearRateLimit(trx, key);
      });
      await deps.audit.record({
        event: 'user.signed_out_everywhere',
        targetUserId: user.id,
        meta: check.meta,
        details: { wrongPasswordsInARow: PASSWORD_CHECK_FAILURES_IN_A_ROW },
      });
    }
    return fail(AccountError.WRONG_PASSWORD);
  }
  await endFailureRun(deps.db, key);
  const renew = check.renew ?? true;
  if (renew) await renewPasswordHash(deps.db, deps.hasher, user, password);
  return ok(undefined);
}
const RESET_REQUESTS_PER_HOUR = 5;
/** Reset requests from one client address (an IPv4 address, an IPv6 /64) an hour. */
export const RESET_REQUESTS_PER_IP_PER_HOUR = 20;

/**
 * Stores a new password's hash and moves the credential version on, which ends every pending
 * sign-in; a browser remembered while the old password was in use must give a second factor
 * again. Sessions are the caller's to end (a change keeps its own).
 */
async function writePassword(trx: Kysely<Database>, userId: string, hash: string, now: number) {
  await trx
    .updateTable('users')
    .set({ password_hash: hash, credential_version: sql`credential_version + 1`, updated_at: now })
    .where('id', '=', userId)
    .execute();
  await trx.deleteFrom('pending_sign_ins').where('user_id', '=', userId).execute();
  await trx.deleteFrom('trusted_devices').where('user_id', '=', userId).execute();
}

/** Thrown to roll a password change back when its own session ended meanwhile. */
class SessionEnded extends Error {}

/** Password change, password reset and re-authentication: the flows that touch credentials. */
export function createCredentials(deps: AccountDeps) {
  const { db, clock, hasher, postman, audit, passwordScreen } = deps;

  /** Why `password` may not become this person's password, or null when it may. */
  async function weaknessOf(userId: string, name: string, password: string) {
    const address = await primaryAddressOf(db, userId);
    return passwordScreen.screen(
      password,
      personalWords(name, address?.email ?? '', deps.siteName),
    );
  }

  /** Checks the signed-in user's password (`checkAccountPassword`). */
  const checkPassword = (
    user: User,
    password: string,
    check: { where: PasswordCheck; meta: RequestMeta; renew?: boolean },
  ) => checkAccountPassword(deps, user, password, check);

  /** `greet`: false for a mailbox not known to be the account's when the name was typed. */
  async function notifyPasswordChanged(user: User, how: 'changed' | 'reset', greet = true) {
    const address = await primaryAddressOf(db, user.id);
    if (!address) return;
    const ctx = postman.context(address.email, greet ? user.name : null, mailLocaleOf(user));
    postman.sendLater(passwordChangedMail(ctx, formatDateTime(ctx.locale, clock.now()), how));
  }

  /**
   * Sets a new password and bumps the credential version, which kills pending sign-ins;
   * sessions other than `keep` end. With `keep`: its renewed session's token, or null (and
   * nothing changed) when that session was ended meanwhile. Without: undefined.
   */
  async function storeNewPassword(
    user: User,
    newPassword: string,
    keep: Session | null,
  ): Promise<{ token: string } | null | undefined> {
    const hash = await hasher.hash(newPassword);
    const now = clock.now();
    return db
      .transaction()
      .execute(async (trx) => {
        // The account's row first, as every other writer of it does (admin reset, disable).
        await holdAccountRow(trx, user.id);
        // The session that asks must still be live: one signed out meanwhile changes nothing.
        const renewed = keep ? await rotateSession(trx, keep, now, null) : undefined;
        if (renewed === null) throw new SessionEnded();
        await writePassword(trx, user.id, hash, now);
        if (renewed) await revokeOtherSessions(trx, user.id, renewed.session.id_hash);
        else await revokeAllSessions(trx, user.id);
        await revokeTokens(trx, user.id, 'reset_password', now);
        return renewed ? { token: renewed.token } : undefined;
      })
      .catch((error: unknown) => {
        if (error instanceof SessionEnded) return null;
        throw error;
      });
  }

  async function changePassword(
    user: User,
    session: Session,
    current: string,
    next: string,
    meta: RequestMeta,
  ): Promise<Result<{ sessionToken: string }>> {
    // The current password first: comparing the new one before it would let a session guess
    // the password outside the rate limit of `checkPassword`.
    const checked = await checkPassword(user, current, {
      where: 'password_change',
      meta,
      renew: false,
    });
    if (!checked.ok) return checked;
    if (await hasher.verify(user.password_hash, next)) return fail(AccountError.SAME_PASSWORD);
    const weakness = await weaknessOf(user.id, user.name, next);
    if (weakness) return weakPassword(weakness);
    // The session gets a new id, but no new step-up window: that needs the second factor too.
    const rotated = await storeNewPassword(user, next, session);
    if (!rotated) return fail(AccountError.REAUTHENTICATION_REQUIRED);
    await audit.record({ event: 'password.changed', actorUserId: user.id, meta });
    await notifyPasswordChanged(user, 'changed');
    return ok({ sessionToken: rotated.token });
  }

  /**
   * Answers alike for every address; mails a link only when the address belongs to an account:
   * an account that verified it, or a registration still waiting for its link (which verified
   * no address, so the link is its only way in: the verification link asks for the password).
   * Never to an address only added, unverified, to an account that has a verified one: anyone
   * may type someone else's address there, and its mailbox would get the account. Refused
   * (TOO_MANY_ATTEMPTS) only for the client's own count, which every address adds to alike:
   * one client could otherwise ask about any number of addresses, each a counter row and, for
   * a real one, a mail.
   */
  async function requestReset(email: string, meta: RequestMeta): Promise<Result> {
    const now = clock.now();
    // The client's count first: past it, nothing else is written, not even the address's count.
    const fromHere = await consumeRateLimit(
      db,
      `reset:ip:${clientNetwork(meta.ip)}`,
      RESET_REQUESTS_PER_IP_PER_HOUR,
      HOUR_MS,
      now,
    );
    if (!fromHere.allowed) return fail(AccountError.TOO_MANY_ATTEMPTS);
    const forAddress = await consumeSlidingLimit(
      db,
      `reset:${hashToken(email.trim().toLowerCase())}`,
      RESET_REQUESTS_PER_HOUR,
      HOUR_MS,
      now,
    );
    if (!forAddress.allowed) return ok(undefined);
    // Whether the address has an account is looked up after the answer: a known address
    // would otherwise answer a few milliseconds later (a token written, an audit row).
    postman.composeLater('password reset', async () => {
      const verified = await findVerifiedAddress(db, email);
      const address = verified ?? (await findWaitingRegistration(db, email));
      if (!address) return null;
      const user = await db
        .selectFrom('users')
        .selectAll()
        .where('id', '=', address.user_id)
        .executeTakeFirst();
      if (!user || user.disabled_at !== null) return null;
      const { token } = await issueResetToken(db, {
        userId: user.id,
        // A waiting registration's link names its address, which using the link verifies.
        ...(verified ? {} : { emailAddressId: address.id }),
        now,
      });
      await audit.record({ event: 'password.reset_requested', targetUserId: user.id, meta });
      const url = absoluteUrl(deps.publicUrl, `/password/reset?token=${token}`);
      // The mailbox of a waiting registration is not known to be the account's yet: the mail
      // does not greet with the name whoever registered typed (`Postman.context`).
      return verified
        ? passwordResetMail(postman.context(address.email, user.name, mailLocaleOf(user)), url)
        : waitingRegistrationResetMail(
            postman.context(address.email, null, mailLocaleOf(user)),
            url,
          );
    });
    return ok(undefined);
  }

  async function isResetTokenLive(token: string): Promise<boolean> {
    return (await findLiveToken(db, 'reset_password', token, clock.now())) !== undefined;
  }

  /** Sets the password from a reset link. Never signs in, never touches 2FA, ends every session. */
  async function resetPassword(
    token: string,
    newPassword: string,
    meta: RequestMeta,
  ): Promise<Result> {
    const live = await findLiveToken(db, 'reset_password', token, clock.now());
    if (!live) return fail(AccountError.INVALID_TOKEN);
    // Only the holder of a live link learns that the new password is the current one; the link
    // stays usable for a different password.
    const current = await db
      .selectFrom('users')
      .select(['password_hash', 'name', 'disabled_at'])
      .where('id', '=', live.userId)
      .executeTakeFirst();
    // A link issued before (or despite) a disable never sets a disabled account's password.
    if (!current || current.disabled_at !== null) return fail(AccountError.INVALID_TOKEN);
    if (await hasher.verify(current.password_hash, newPassword))
      return fail(AccountError.SAME_PASSWORD);
    const weakness = await weaknessOf(live.userId, current.name, newPassword);
    if (weakness) return weakPassword(weakness);
    const hash = await hasher.hash(newPassword);
    const now = clock.now();
    const reset = async (trx: Kysely<Database>): Promise<string | null> => {
      if (live.emailAddressId !== null) await lockAddressClaims(trx, live.emailAddressId);
      // Then the account, before its link, as removing an address takes them.
      await holdAccountRow(trx, live.userId);
      const record = await consumeToken(trx, 'reset_password', token, now);
      if (!record) return null;
      // A link mailed to a registration still waiting for its link proves that mailbox, as the
      // verification link would, and its reader has just chosen the password: no one else's
      // password comes with the account. Another account that verified the address since has
      // taken it (its claim dropped this one, and the link with it, but for a race).
      if (record.emailAddressId !== null) {
        const address = await trx
          .selectFrom('email_addresses')
          .selectAll()
          .where('id', '=', record.emailAddressId)
          .where('user_id', '=', record.userId)
          .executeTakeFirst();
        if (!address) return null;
        if (
          address.verified_at === null &&
          !(await markAddressVerified(trx, audit, address, now, meta))
        )
          return null;
      }
      await writePassword(trx, record.userId, hash, now);
      await revokeAllSessions(trx, record.userId);
      await revokeTokens(trx, record.userId, 'reset_password', now);
      // A reset proves the mailbox: browsers new to the person's addresses may try again, also
      // after a hundred wrong passwords in a row. Verified addresses only: anyone can put
      // someone else's address on their own account, unverified, and reset their own password.
      const addresses = await trx
        .selectFrom('email_addresses')
        .select('email_normalized')
        .where('user_id', '=', record.userId)
        .where('verified_at', 'is not', null)
        .execute();
      if (addresses.length > 0)
        await trx
          .deleteFrom('rate_limits')
          .where(
            'key',
            'in',
            addresses.map((a) => loginAddressKey(a.email_normalized)),
          )
          .execute();
      await audit.record({ event: 'password.reset', actorUserId: record.userId, meta }, trx);
      return record.userId;
    };
    const userId = await db
      .transaction()
      .execute(reset)
      .catch((error: unknown) => {
        // Another account proving the same address at the same moment: the unique index of
        // verified addresses decides, and this link has nothing left to give.
        if (isUniqueViolation(error)) return null;
        throw error;
      });
    if (!userId) return fail(AccountError.INVALID_TOKEN);
    const user = await db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', userId)
      .executeTakeFirst();
    // A registration that was still waiting for its link has a name whoever registered typed:
    // its first mail to the mailbox greets without it, as the reset mail did.
    if (user) await notifyPasswordChanged(user, 'reset', live.emailAddressId === null);
    return ok(undefined);
  }

  /**
   * `browserLocale`: the language the browser's pages will be in, kept for mails when the
   * setting is the browser's language.
   */
  async function updateProfile(
    user: User,
    input: { name: string; locale: string | null; browserLocale?: string },
    meta: RequestMeta,
  ) {
    const browserLocale = input.locale === null ? input.browserLocale : undefined;
    // Saved as it was: nothing to write, and no change for the audit log to report.
    if (input.name === user.name && input.locale === user.locale) {
      if (browserLocale !== undefined) await keepBrowserLocale(db, user, browserLocale);
      return;
    }
    await db
      .updateTable('users')
      .set({
        name: input.name,
        locale: input.locale,
        ...(browserLocale !== undefined ? { browser_locale: browserLocale } : {}),
        updated_at: clock.now(),
      })
      .where('id', '=', user.id)
      .execute();
    await audit.record({ event: 'profile.updated', actorUserId: user.id, meta });
  }

  return {
    checkPassword,
    changePassword,
    requestReset,
    isResetTokenLive,
    resetPassword,
    updateProfile,
    storeNewPassword,
  };
}

export type CredentialService = ReturnType<typeof createCredentials>;
