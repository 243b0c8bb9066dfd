import { MINUTE_MS } from '../clock.js';

/** RFC 6238 with the parameters every authenticator app honours (SPEC §4 "TOTP"). */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** Accept one step either side for clock drift and typing time (RFC 6238 §5.2). */
export const TOTP_WINDOW_STEPS = 1;
export const TOTP_SECRET_BYTES = 20;

export const EMAIL_CODE_DIGITS = 6;
export const EMAIL_CODE_TTL_MS = 10 * MINUTE_MS;
export const EMAIL_CODE_COOLDOWN_MS = 60_000;
export const EMAIL_CODES_PER_HOUR = 5;

/** Wrong codes that end one pending sign-in (the password must be given again). */
export const PENDING_MAX_FAILURES = 5;
/** Failures in a row that lock an account's second factor, and for how long. */
export const ACCOUNT_MAX_FAILURES = 10;
export const LOCKOUT_MS = 15 * MINUTE_MS;
/**
 * Locks in a row (ACCOUNT_MAX_FAILURES wrong codes each, a hundred in all) after which the
 * second factor stays locked until an administrator resets it: NIST SP 800-63B 5.2.2 allows no
 * more than 100 failed attempts in a row on one account.
 */
export const LOCKS_BEFORE_RESET = 10;
/** second_factor_locked_until of a lock that only an administrator's reset ends. */
export const LOCKED_UNTIL_RESET = 8_640_000_000_000_000;
/** Whether a lock's end is LOCKED_UNTIL_RESET: no time to show, only a reset ends it. */
export const isLockedUntilReset = (until: number | null): boolean => until === LOCKED_UNTIL_RESET;

export const RECOVERY_CODE_COUNT = 10;
/** 80 bits each: 16 base32 characters (SPEC §4 "recovery codes"). */
export const RECOVERY_CODE_BYTES = 10;

/** A method being set up keeps its secret this long; wrong codes allowed per set-up. */
export const SETUP_TTL_MS = 30 * MINUTE_MS;
export const SETUP_MAX_FAILURES = 5;

export const METHOD_NAME_MAX_LENGTH = 60;

/** A security-key ceremony's challenge lives this long (and the browser waits as long). */
export const WEBAUTHN_CHALLENGE_TTL_MS = 5 * MINUTE_MS;
/** Challenges kept per ceremony and session or pending sign-in: the page open in a few tabs. */
export const WEBAUTHN_CHALLENGES_KEPT = 5;
/** A posted WebAuthn response larger than this is refused unread. */
export const WEBAUTHN_RESPONSE_MAX_LENGTH = 16 * 1024;

/**
 * An app or email code as people type it: six digits, spaces allowed (they are dropped), and
 * full-width digits read as the digits they are (NFKC: a Japanese or Chinese input method types
 * them). Null for anything else, which can never be a right code.
 */
export function sixDigitCode(input: string): string | null {
  const code = input.normalize('NFKC').replace(/\s+/g, '');
  return /^\d{6}$/.test(code) ? code : null;
}
