import type { Kysely } from 'kysely';
import { HOUR_MS } from '../clock.js';
import type { Database } from '../db/schema.js';
import { consumeSlidingLimit } from '../security/sliding-limit.js';
import { hashToken } from '../security/tokens.js';
import { normalizeEmail } from './users.js';

/**
 * Verification links mailed to one address that no account has verified, in any hour, whoever
 * asks. Anyone may add a stranger's address to their account and press "Send the link again"
 * every minute, from as many accounts as they like: the count is the mailbox's own.
 */
export const UNPROVEN_MAILS_PER_HOUR = 5;

/**
 * Mails to the address of a registration in any hour: at registering (a link, or "someone tried
 * to register" to an owner), and at log-ins before it is verified. Without a cap the form would
 * mail any mailbox as often as someone submits it. Counted for new and taken addresses alike,
 * and never told in an answer, so the cap says nothing about which addresses have accounts; it
 * is kept apart from `UNPROVEN_MAILS_PER_HOUR`, whose refusal an adder sees: a log-in with the
 * right password would otherwise show in that count whether the address is free.
 */
export const REGISTRATION_MAILS_PER_HOUR = 3;

/** Counts one more mail of `kind` to `email`; false when its hour's mails are used up. */
async function countMail(
  db: Kysely<Database>,
  kind: 'register-mail' | 'unproven-mail',
  email: string,
  now: number,
): Promise<boolean> {
  const limit = await consumeSlidingLimit(
    db,
    `${kind}:${hashToken(normalizeEmail(email))}`,
    kind === 'register-mail' ? REGISTRATION_MAILS_PER_HOUR : UNPROVEN_MAILS_PER_HOUR,
    HOUR_MS,
    now,
  );
  return limit.allowed;
}

/** Counts one more link to an added address (`UNPROVEN_MAILS_PER_HOUR`). */
export const mayMailUnproven = (db: Kysely<Database>, email: string, now: number) =>
  countMail(db, 'unproven-mail', email, now);

/** Counts one more mail to a registration's address (`REGISTRATION_MAILS_PER_HOUR`). */
export const mayMailRegistration = (db: Kysely<Database>, email: string, now: number) =>
  countMail(db, 'register-mail', email, now);
