import type { Kysely } from 'kysely';
import type { Database, EmailCodePurpose } from '../../db/schema.js';
import type { Delivery } from '../../mail/postman.js';
import { clearRateLimit, consumeRateLimit } from '../../security/rate-limit.js';
import { consumeSlidingLimit } from '../../security/sliding-limit.js';
import { generateNumericCode, hmac, newId, safeEqual } from '../../security/tokens.js';
import {
  EMAIL_CODE_COOLDOWN_MS,
  EMAIL_CODE_DIGITS,
  EMAIL_CODE_TTL_MS,
  EMAIL_CODES_PER_HOUR,
  sixDigitCode,
} from '../constants.js';
import type { TfResult } from '../error-codes.js';
import { TwoFactorError, tfFail, tfOk } from '../error-codes.js';

export interface EmailCodeRequest {
  userId: string;
  purpose: EmailCodePurpose;
  /** The pending sign-in or set-up this code belongs to; it is refused for any other. */
  requestId: string;
  email: string;
}

/**
 * The stored form of a code: a keyed hash over the code and what it is for, so a code is
 * worthless outside its purpose and request even to someone who reads the table.
 */
function codeHash(key: Buffer, request: EmailCodeRequest, code: string): string {
  return hmac(key, 'email-code', request.userId, request.purpose, request.requestId, code);
}

export function createEmailCodes(db: Kysely<Database>, key: Buffer) {
  /**
   * Mails a new code for one request. At most one per 60 s and five in any hour per user. The
   * code is stored once the relay has taken the mail, and then replaces every earlier code of
   * that purpose. A mail the relay surely did not take stores nothing, so the code sent before
   * stays the valid one, and does not count as the minute's code: the person may ask again at
   * once. A relay that did not answer in time may still send the mail: its code is stored, so
   * that it works if it arrives.
   */
  async function send(
    request: EmailCodeRequest,
    now: number,
    deliver: (code: string) => Promise<Delivery>,
  ): Promise<TfResult<void>> {
    const cooldownKey = `email-code:cooldown:${request.userId}`;
    const cooldown = await consumeRateLimit(db, cooldownKey, 1, EMAIL_CODE_COOLDOWN_MS, now);
    if (!cooldown.allowed) return tfFail(TwoFactorError.RESEND_TOO_SOON);
    const hourly = await consumeSlidingLimit(
      db,
      `email-code:hour:${request.userId}`,
      EMAIL_CODES_PER_HOUR,
      60 * 60_000,
      now,
    );
    if (!hourly.allowed) {
      // No code went out: the minute stays free, or the next try would be told "too soon"
      // instead of the hour's limit.
      await clearRateLimit(db, cooldownKey);
      return tfFail(TwoFactorError.RESEND_LIMIT);
    }
    const code = generateNumericCode(EMAIL_CODE_DIGITS);
    if ((await deliver(code)) === 'failed') {
      await clearRateLimit(db, cooldownKey);
      return tfFail(TwoFactorError.MAIL_FAILED);
    }
    await db.transaction().execute(async (trx) => {
      await trx
        .deleteFrom('email_codes')
        .where('user_id', '=', request.userId)
        .where('purpose', '=', request.purpose)
        .execute();
      await trx
        .insertInto('email_codes')
        .values({
          id: newId(),
          user_id: request.userId,
          purpose: request.purpose,
          request_id: request.requestId,
          email: request.email,
          code_hash: codeHash(key, request, code),
          created_at: now,
          expires_at: now + EMAIL_CODE_TTL_MS,
          used_at: null,
        })
        .execute();
    });
    return tfOk(undefined);
  }

  /** The address the live code of a request went to (to show "sent to l•••@…"). */
  async function pendingAddress(
    request: Omit<EmailCodeRequest, 'email'>,
    now: number,
  ): Promise<string | undefined> {
    const row = await db
      .selectFrom('email_codes')
      .select('email')
      .where('user_id', '=', request.userId)
      .where('purpose', '=', request.purpose)
      .where('request_id', '=', request.requestId)
      .where('used_at', 'is', null)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return row?.email;
  }

  /**
   * Checks a code against the newest code of its request and uses it up. The hash comparison
   * is constant-time; the use is one guarded UPDATE, so of two concurrent requests with the
   * same code exactly one succeeds.
   */
  async function verify(
    request: Omit<EmailCodeRequest, 'email'>,
    input: string,
    now: number,
    executor: Kysely<Database> = db,
  ): Promise<TfResult<{ email: string }>> {
    const code = sixDigitCode(input);
    const row = await executor
      .selectFrom('email_codes')
      .selectAll()
      .where('user_id', '=', request.userId)
      .where('purpose', '=', request.purpose)
      .where('request_id', '=', request.requestId)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    if (!row || code === null) return tfFail(TwoFactorError.INVALID_CODE);
    if (!safeEqual(codeHash(key, { ...request, email: row.email }, code), row.code_hash)) {
      return tfFail(TwoFactorError.INVALID_CODE);
    }
    if (row.used_at !== null) return tfFail(TwoFactorError.CODE_ALREADY_USED);
    if (row.expires_at <= now) return tfFail(TwoFactorError.CODE_EXPIRED);
    const used = await executor
      .updateTable('email_codes')
      .set({ used_at: now })
      .where('id', '=', row.id)
      .where('used_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    if (!used) return tfFail(TwoFactorError.CODE_ALREADY_USED);
    return tfOk({ email: row.email });
  }

  return { send, verify, pendingAddress };
}

export type EmailCodes = ReturnType<typeof createEmailCodes>;

/** "l•••@example.com": enough to recognise one's own address, not to learn someone else's. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at <= 0) return '•••';
  return `${email.slice(0, 1)}•••${email.slice(at)}`;
}
