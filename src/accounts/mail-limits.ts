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

/**
 * Mails to the address of a registration per hour: at registering (a link, or "someone tried
 * to register" to an owner), and at log-ins before it is verified. Without a cap the form would
 * mail any mailbox as often as someone submits it. Counted for new and taken addresses alike,
 * and never told in an answer, so the cap says nothing about which addresses have accounts; it
 * is kept apart from `UNPROVEN_MAILS_PER_HOUR`, whose refusal an adder sees: a log-in with the
 * right password would otherwise show in that count whether the address is free.
 */
export const REGISTRATION_MAILS_PER_HOUR = 3;

export function registrationMailKey(email: string): string {
  return `register-mail:${hashToken(normalizeEmail(email))}`;
}

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
