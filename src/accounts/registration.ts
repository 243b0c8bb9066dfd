import type { RequestMeta } from '../audit/audit.js';
import { HOUR_MS } from '../clock.js';
import { accountExistsMail, verifyEmailMail } from '../mail/templates.js';
import { consumeRateLimit } from '../security/rate-limit.js';
import { mayMailRegistration } from './mail-limits.js';
import { newId } from '../security/tokens.js';
import type { AccountDeps } from './deps.js';
import type { Result } from './error-codes.js';
import { AccountError, fail, ok, weakPassword } from './error-codes.js';
import { absoluteUrl } from './deps.js';
import { issueResetToken, issueToken, VERIFY_EMAIL_TTL_MS } from './email-tokens.js';
import { personalWords } from './password-screen.js';
import { findVerifiedAddress, mailLocaleOf, normalizeEmail } from './users.js';
import { clientNetwork } from '../security/client-network.js';

/**
 * Registrations per client address and hour. Each one mails an address anyone can type, and
 * leaves an account until its link is used or expires: without a cap, one client could have the
 * help center mail thousands of mailboxes (and be listed as a spam source). An office behind one
 * address rarely registers more than a few people an hour.
 */
export const REGISTRATIONS_PER_IP_PER_HOUR = 20;

export interface Registration {
  name: string;
  email: string;
  password: string;
  locale: string;
}

export function createRegistration(deps: AccountDeps) {
  const { db, clock, hasher, postman, audit, passwordScreen } = deps;

  /**
   * Registers a new account, or tells the owner of an existing one by mail. The caller sees
   * the same answer either way, in the same time: both do the same work before it (the screen,
   * the counts, one password hash), and which of the two it is, with its writes, is settled
   * after it. A password that is easily guessed is refused first, whichever the address: the
   * refusal says nothing about the address.
   */
  async function register(input: Registration, meta: RequestMeta): Promise<Result> {
    const weakness = await screen(input);
    if (weakness) return weakPassword(weakness);
    const now = clock.now();
    // Counted for taken addresses alike, so the refusal says nothing about them.
    const fromHere = await consumeRateLimit(
      db,
      `register:ip:${clientNetwork(meta.ip)}`,
      REGISTRATIONS_PER_IP_PER_HOUR,
      HOUR_MS,
      now,
    );
    if (!fromHere.allowed) return fail(AccountError.TOO_MANY_ATTEMPTS);
    const passwordHash = await hasher.hash(input.password);
    const mailAllowed = await mayMailRegistration(db, input.email, now);
    // Whether the address has an account is looked up after the answer, as for a password
    // reset: a new account's writes (and an existing one's token) would otherwise answer about
    // a millisecond later for one kind of address than for the other (SPEC §4 "enumeration").
    postman.composeLater('registration', async () => {
      const existing = await findVerifiedAddress(db, input.email);
      if (existing) {
        if (!mailAllowed) return null;
        const owner = await db
          .selectFrom('users')
          .select(['name', 'locale', 'browser_locale', 'disabled_at'])
          .where('id', '=', existing.user_id)
          .executeTakeFirstOrThrow();
        // A disabled account gets no reset link, as "Forgot your password?" gives it none:
        // disabling it revoked its links so that nobody sets its password meanwhile.
        if (owner.disabled_at !== null) return null;
        const { token } = await issueResetToken(db, { userId: existing.user_id, now });
        // A link that sets the password, and ends one mailed before: audited as a reset asked
        // for through "Forgot your password?" is.
        await audit.record({
          event: 'password.reset_requested',
          targetUserId: existing.user_id,
          meta,
          details: { where: 'registration' },
        });
        return accountExistsMail(
          postman.context(existing.email, owner.name, mailLocaleOf(owner)),
          absoluteUrl(deps.publicUrl, `/password/reset?token=${token}`),
        );
      }
      const token = await createAccount(input, passwordHash, now, meta);
      // Over the cap the account is still made; logging in with it sends a new link later.
      if (!mailAllowed) return null;
      return verifyEmailMail(
        postman.context(input.email.trim(), null, input.locale),
        absoluteUrl(deps.publicUrl, `/verify-email?token=${token}`),
      );
    });
    return ok(undefined);
  }

  /** A new account with its unverified address; answers the verification link's token. */
  async function createAccount(
    input: Registration,
    passwordHash: string,
    now: number,
    meta: RequestMeta,
  ): Promise<string> {
    const userId = newId();
    const addressId = newId();
    return db.transaction().execute(async (trx) => {
      await trx
        .insertInto('users')
        .values({
          id: userId,
          name: input.name,
          locale: input.locale,
          password_hash: passwordHash,
          disabled_at: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await trx
        .insertInto('email_addresses')
        .values({
          id: addressId,
          user_id: userId,
          email: input.email.trim(),
          email_normalized: normalizeEmail(input.email),
          verified_at: null,
          is_primary: 1,
          created_at: now,
        })
        .execute();
      const issued = await issueToken(trx, {
        userId,
        purpose: 'verify_email',
        emailAddressId: addressId,
        now,
        ttlMs: VERIFY_EMAIL_TTL_MS,
      });
      await audit.record({ event: 'user.registered', actorUserId: userId, meta }, trx);
      return issued.token;
    });
  }

  /**
   * The screen alone, for a form that is refused for another field: the person learns of a
   * weak password in the same answer, not after mending the rest. It says nothing of the
   * address, as in `register`.
   */
  function screen(input: Pick<Registration, 'name' | 'email' | 'password'>) {
    return passwordScreen.screen(
      input.password,
      personalWords(input.name, input.email, deps.siteName),
    );
  }

  return { register, screen };
}

export type RegistrationService = ReturnType<typeof createRegistration>;
