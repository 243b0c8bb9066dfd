import type { RequestMeta } from '../audit/audit.js';
import { MINUTE_MS } from '../clock.js';
import { isForeignKeyViolation, isUniqueViolation } from '../db/unique-violation.js';
import type { User } from '../db/schema.js';
import type { Messages } from '../i18n/index.js';
import { formatDateTime } from '../i18n/index.js';
import { addressAddedMail, addressesChangedMail, verifyEmailMail } from '../mail/templates.js';
import { consumeRateLimit } from '../security/rate-limit.js';
import { mayMailUnproven } from './mail-limits.js';
import { hashToken, newId } from '../security/tokens.js';
import type { AccountDeps } from './deps.js';
import { absoluteUrl } from './deps.js';
import type { Result } from './error-codes.js';
import { AccountError, fail, ok } from './error-codes.js';
import { lockAddressClaims, markAddressVerified } from './address-proof.js';
import { checkAccountPassword } from './credentials.js';
import {
  consumeToken,
  findLiveToken,
  issueToken,
  revokeTokens,
  VERIFY_EMAIL_TTL_MS,
} from './email-tokens.js';
import { holdAccountRow, listAddresses, mailLocaleOf, normalizeEmail } from './users.js';

export const MAX_ADDRESSES_PER_USER = 10;
const RESEND_WINDOW_MS = MINUTE_MS;

export function createEmailAddresses(deps: AccountDeps) {
  const { db, clock, postman, audit } = deps;

  /**
   * Mails an address its verification link, and waits for the relay's answer: the person is
   * signed in and waiting for the link, so a failure is said (whether the address is theirs
   * is no secret to them). False when the relay refused it.
   */
  async function sendVerification(
    user: User,
    addressId: string,
    email: string,
    added: boolean,
  ): Promise<boolean> {
    const { token } = await issueToken(db, {
      userId: user.id,
      purpose: 'verify_email',
      emailAddressId: addressId,
      now: clock.now(),
      ttlMs: VERIFY_EMAIL_TTL_MS,
    });
    const url = absoluteUrl(deps.publicUrl, `/verify-email?token=${token}`);
    const ctx = postman.context(email, null, mailLocaleOf(user));
    const delivery = await postman.sendNow(
      added ? addressAddedMail(ctx, url) : verifyEmailMail(ctx, url),
    );
    return delivery !== 'failed';
  }

  /**
   * Tells each verified address of the account, and `removed` (an address just taken off it),
   * what changed: whoever holds a session could otherwise add their own address, make it the
   * primary one and reset the password through it, unseen by the owner.
   */
  async function notifyChange(
    user: Pick<User, 'id' | 'name' | 'locale' | 'browser_locale'>,
    body: (m: Messages, when: string) => string,
    removed?: string,
  ) {
    const verified = (await listAddresses(db, user.id))
      .filter((a) => a.verified_at !== null)
      .map((a) => a.email);
    const now = clock.now();
    for (const to of new Set(removed ? [...verified, removed] : verified)) {
      const ctx = postman.context(to, user.name, mailLocaleOf(user));
      postman.sendLater(
        addressesChangedMail(
          ctx,
          (m) => body(m, formatDateTime(ctx.locale, now)),
          to === removed && !verified.includes(to),
        ),
      );
    }
  }

  /**
   * What the page of a verification link asks for: nothing works (`dead`), the button alone
   * (the account the address was claimed for is signed in here), or the account's password too;
   * and the address it is for.
   */
  async function confirmation(
    token: string,
    signedInUserId: string | null,
  ): Promise<
    { asks: 'dead' } | { asks: 'verified' } | { asks: 'button' | 'password'; email: string }
  > {
    if (!token) return { asks: 'dead' };
    if (await alreadyVerified(token)) return { asks: 'verified' };
    const record = await findLiveToken(db, 'verify_email', token, clock.now());
    if (!record?.emailAddressId) return { asks: 'dead' };
    // The page names the address: whoever holds the link was mailed it there.
    const address = await db
      .selectFrom('email_addresses')
      .select('email')
      .where('id', '=', record.emailAddressId)
      .executeTakeFirst();
    if (!address) return { asks: 'dead' };
    return {
      asks: record.userId === signedInUserId ? 'button' : 'password',
      email: address.email,
    };
  }

  /**
   * Whether a link was for an address its account has verified since (the link opened again,
   * or a second mail's after the first): that is worth saying, not "this link does not work",
   * and nothing is left to confirm.
   */
  async function alreadyVerified(token: string): Promise<boolean> {
    const row = await db
      .selectFrom('tokens')
      .innerJoin('email_addresses', 'email_addresses.id', 'tokens.email_address_id')
      .select('email_addresses.verified_at')
      .where('tokens.token_hash', '=', hashToken(token))
      .where('tokens.purpose', '=', 'verify_email')
      .executeTakeFirst();
    return row !== undefined && row.verified_at !== null;
  }

  /**
   * Proves an address through its link. The first account to prove an address owns it; other
   * unproven claims of it are dropped, with accounts that then have no address at all. An
   * address added to an account that has a verified one already is told to all of them.
   *
   * The mailbox alone does not choose the account: anyone may register, or add to their own
   * account, an address that is not theirs, and its owner would then press "Verify" in a mail
   * that looks like any other, handing their address to an account whose password a stranger
   * chose. So the link also needs the account's password, unless that account is signed in
   * where the link is opened. A wrong password leaves the link as it was.
   */
  async function verify(
    token: string,
    proof: { signedInUserId: string | null; password: string },
    meta: RequestMeta,
  ): Promise<Result<{ userId: string }>> {
    const record = token ? await findLiveToken(db, 'verify_email', token, clock.now()) : undefined;
    if (!record?.emailAddressId) return fail(AccountError.INVALID_TOKEN);
    if (record.userId !== proof.signedInUserId) {
      const account = await db
        .selectFrom('users')
        .select(['id', 'password_hash'])
        .where('id', '=', record.userId)
        .executeTakeFirst();
      if (!account) return fail(AccountError.INVALID_TOKEN);
      const checked = await checkAccountPassword(deps, account, proof.password, {
        where: 'verification_link',
        meta,
      });
      if (!checked.ok) return checked;
    }
    const result = await proveAddress(token, record.emailAddressId, meta);
    if (!result.ok) return result;
    const { userId, added } = result.value;
    const user = added
      ? await db
          .selectFrom('users')
          .select(['id', 'name', 'locale', 'browser_locale'])
          .where('id', '=', userId)
          .executeTakeFirst()
      : undefined;
    if (added && user)
      await notifyChange(user, (m, when) => m.mail.addressVerifiedBody(added, when));
    return ok({ userId });
  }

  /** `added`: the address, when the account had a verified one before it. */
  async function proveAddress(
    token: string,
    emailAddressId: string,
    meta: RequestMeta,
  ): Promise<Result<{ userId: string; added: string | null }>> {
    const now = clock.now();
    try {
      return await db.transaction().execute(async (trx) => {
        await lockAddressClaims(trx, emailAddressId);
        const record = await consumeToken(trx, 'verify_email', token, now);
        if (!record?.emailAddressId) return fail(AccountError.INVALID_TOKEN);
        const address = await trx
          .selectFrom('email_addresses')
          .selectAll()
          .where('id', '=', record.emailAddressId)
          .executeTakeFirst();
        if (!address) return fail(AccountError.INVALID_TOKEN);
        if (address.verified_at !== null) return ok({ userId: address.user_id, added: null });
        if (!(await markAddressVerified(trx, audit, address, now, meta)))
          return fail(AccountError.EMAIL_TAKEN);
        const earlier = await trx
          .selectFrom('email_addresses')
          .select('id')
          .where('user_id', '=', address.user_id)
          .where('id', '!=', address.id)
          .where('verified_at', 'is not', null)
          .executeTakeFirst();
        return ok({ userId: address.user_id, added: earlier ? address.email : null });
      });
    } catch (error) {
      // Should two accounts' proofs of one address still meet, the unique index decides.
      if (isUniqueViolation(error)) return fail(AccountError.EMAIL_TAKEN);
      throw error;
    }
  }

  async function add(
    user: User,
    email: string,
    meta: RequestMeta,
  ): Promise<Result<{ email: string; mailed: boolean; linkLater: boolean }>> {
    const normalized = normalizeEmail(email);
    const existing = await listAddresses(db, user.id);
    if (existing.some((a) => a.email_normalized === normalized))
      return fail(AccountError.ALREADY_ON_ACCOUNT);
    if (existing.length >= MAX_ADDRESSES_PER_USER) return fail(AccountError.TOO_MANY_ADDRESSES);
    const limit = await consumeRateLimit(
      db,
      `email-add:${user.id}`,
      10,
      60 * MINUTE_MS,
      clock.now(),
    );
    if (!limit.allowed) return fail(AccountError.TOO_MANY_ATTEMPTS);
    // Past the address's links of the hour it is still added (whoever used them up cannot keep
    // its owner from adding it), and the link waits for "Send the link again".
    const linkNow = await mayMailUnproven(db, email, clock.now());
    const id = newId();
    // Checked again with the account's row held: two adds at once (a double click, two tabs)
    // each saw the other's address missing, and ten at once passed the limit of ten.
    const refusal = await db.transaction().execute(async (trx) => {
      await holdAccountRow(trx, user.id);
      const current = await listAddresses(trx, user.id);
      if (current.some((a) => a.email_normalized === normalized))
        return AccountError.ALREADY_ON_ACCOUNT;
      if (current.length >= MAX_ADDRESSES_PER_USER) return AccountError.TOO_MANY_ADDRESSES;
      await trx
        .insertInto('email_addresses')
        .values({
          id,
          user_id: user.id,
          email: email.trim(),
          email_normalized: normalized,
          verified_at: null,
          is_primary: 0,
          created_at: clock.now(),
        })
        .execute();
      return null;
    });
    if (refusal) return fail(refusal);
    await audit.record({
      event: 'email.added',
      actorUserId: user.id,
      meta,
      details: { email: email.trim() },
    });
    if (!linkNow) return ok({ email: email.trim(), mailed: false, linkLater: true });
    try {
      const mailed = await sendVerification(user, id, email.trim(), true);
      // A link that went out is the minute's one: "Send link again" pressed at once would send
      // a second. One that did not go out leaves the minute to that button.
      if (mailed)
        await consumeRateLimit(db, `verify-resend:${id}`, 1, RESEND_WINDOW_MS, clock.now());
      return ok({ email: email.trim(), mailed, linkLater: false });
    } catch (error) {
      // Gone before its link was made: another account proved the address meanwhile, which
      // drops every other claim of it (proveAddress), this one too.
      if (isForeignKeyViolation(error)) return fail(AccountError.NOT_FOUND);
      throw error;
    }
  }

  async function resend(
    user: User,
    addressId: string,
  ): Promise<Result<{ email: string; mailed: boolean }>> {
    const address = await db
      .selectFrom('email_addresses')
      .selectAll()
      .where('id', '=', addressId)
      .where('user_id', '=', user.id)
      .executeTakeFirst();
    if (!address || address.verified_at !== null) return fail(AccountError.NOT_FOUND);
    const limit = await consumeRateLimit(
      db,
      `verify-resend:${address.id}`,
      1,
      RESEND_WINDOW_MS,
      clock.now(),
    );
    if (!limit.allowed) return fail(AccountError.TOO_MANY_ATTEMPTS);
    if (!(await mayMailUnproven(db, address.email, clock.now())))
      return fail(AccountError.TOO_MANY_MAILS);
    try {
      const mailed = await sendVerification(user, address.id, address.email, true);
      return ok({ email: address.email, mailed });
    } catch (error) {
      // Removed while its link was being made (Remove pressed beside Send link again).
      if (isForeignKeyViolation(error)) return fail(AccountError.NOT_FOUND);
      throw error;
    }
  }

  async function makePrimary(
    user: User,
    addressId: string,
    meta: RequestMeta,
  ): Promise<Result<{ email: string; codesGoTo: string | null }>> {
    const result = await db.transaction().execute(async (trx) => {
      await holdAccountRow(trx, user.id);
      const address = await trx
        .selectFrom('email_addresses')
        .selectAll()
        .where('id', '=', addressId)
        .where('user_id', '=', user.id)
        .executeTakeFirst();
      if (!address) return fail(AccountError.NOT_FOUND);
      if (address.verified_at === null) return fail(AccountError.NOT_VERIFIED);
      // Sign-in codes go to the email method's own address, which the primary one is not.
      const method = await trx
        .selectFrom('two_factor_methods')
        .select('email')
        .where('user_id', '=', user.id)
        .where('type', '=', 'email')
        .executeTakeFirst();
      const codesGoTo =
        method?.email && normalizeEmail(method.email) !== address.email_normalized
          ? method.email
          : null;
      await trx
        .updateTable('email_addresses')
        .set({ is_primary: 0 })
        .where('user_id', '=', user.id)
        .execute();
      await trx
        .updateTable('email_addresses')
        .set({ is_primary: 1 })
        .where('id', '=', address.id)
        .execute();
      await audit.record(
        {
          event: 'email.made_primary',
          actorUserId: user.id,
          meta,
          details: { email: address.email },
        },
        trx,
      );
      return ok({ email: address.email, changed: address.is_primary !== 1, codesGoTo });
    });
    if (!result.ok) return result;
    const { email, changed, codesGoTo } = result.value;
    if (changed) {
      await notifyChange(user, (m, when) =>
        codesGoTo
          ? m.mail.addressMadePrimaryCodesElsewhereBody(email, when, codesGoTo)
          : m.mail.addressMadePrimaryBody(email, when),
      );
    }
    return ok({ email, codesGoTo });
  }

  async function remove(
    user: User,
    addressId: string,
    meta: RequestMeta,
  ): Promise<Result<{ email: string }>> {
    const result = await db.transaction().execute(async (trx) => {
      await holdAccountRow(trx, user.id);
      const addresses = await listAddresses(trx, user.id);
      const address = addresses.find((a) => a.id === addressId);
      if (!address) return fail(AccountError.NOT_FOUND);
      if (address.is_primary) return fail(AccountError.PRIMARY_ADDRESS);
      const verifiedOthers = addresses.filter((a) => a.id !== address.id && a.verified_at !== null);
      if (address.verified_at !== null && verifiedOthers.length === 0) {
        return fail(AccountError.LAST_VERIFIED_ADDRESS);
      }
      await trx.deleteFrom('email_addresses').where('id', '=', address.id).execute();
      // An address goes because its mailbox is no longer the owner's: a reset link already
      // mailed there must not outlive it. Links are not tied to their address, so all go.
      if (address.verified_at !== null)
        await revokeTokens(trx, user.id, 'reset_password', clock.now());
      await audit.record(
        { event: 'email.removed', actorUserId: user.id, meta, details: { email: address.email } },
        trx,
      );
      return ok({ email: address.email, verified: address.verified_at !== null });
    });
    if (!result.ok) return result;
    const { email, verified } = result.value;
    // An address never verified proved nothing and is told nothing.
    if (verified)
      await notifyChange(user, (m, when) => m.mail.addressRemovedBody(email, when), email);
    return ok({ email });
  }

  return {
    confirmation,
    verify,
    add,
    resend,
    makePrimary,
    remove,
    list: (userId: string) => listAddresses(db, userId),
  };
}

export type EmailAddressService = ReturnType<typeof createEmailAddresses>;
