import type { Kysely } from 'kysely';
import { HOUR_MS } from '../clock.js';
import type { Database } from '../db/schema.js';
import { consumeRateLimit } from '../security/rate-limit.js';
import { hashToken } from '../security/tokens.js';
import { normalizeEmail } from './users.js';

/**
 * Verification links mailed to one address that no account has verified, per hour, whoever
 * asks. Anyone may add a stranger's address to their account and press "Send the link again"
 * every minute, from as many accounts as they like: the count is the mailbox's own.
 */
export const UNPROVEN_MAILS_PER_HOUR = 5;

/** Counts one more link to `email`; false when its hour's links are used up. */
export async function mayMailUnproven(
  db: Kysely<Database>,
  email: string,
  now: number,
): Promise<boolean> {
  const limit = await consumeRateLimit(
    db,
    `unproven-mail:${hashToken(normalizeEmail(email))}`,
    UNPROVEN_MAILS_PER_HOUR,
    HOUR_MS,
    now,
  );
  return limit.allowed;
}
