import type { Weakness } from './password-screen.js';

/** Outcomes of account operations; the web layer maps each to words in the user's language. */
export const AccountError = {
  INVALID_TOKEN: 'INVALID_TOKEN',
  EMAIL_TAKEN: 'EMAIL_TAKEN',
  WRONG_PASSWORD: 'WRONG_PASSWORD',
  TOO_MANY_ATTEMPTS: 'TOO_MANY_ATTEMPTS',
  /** The address has had its hour's verification links (`UNPROVEN_MAILS_PER_HOUR`). */
  TOO_MANY_MAILS: 'TOO_MANY_MAILS',
  NOT_FOUND: 'NOT_FOUND',
  LAST_VERIFIED_ADDRESS: 'LAST_VERIFIED_ADDRESS',
  PRIMARY_ADDRESS: 'PRIMARY_ADDRESS',
  NOT_VERIFIED: 'NOT_VERIFIED',
  ALREADY_ON_ACCOUNT: 'ALREADY_ON_ACCOUNT',
  TOO_MANY_ADDRESSES: 'TOO_MANY_ADDRESSES',
  REAUTHENTICATION_REQUIRED: 'REAUTHENTICATION_REQUIRED',
  /**
   * The new password is the current one. Storing it would change nothing, yet still end every
   * other session and mail the owner that the password was changed, so it is refused.
   */
  SAME_PASSWORD: 'SAME_PASSWORD',
  /** The new password is commonly used or easily guessed; `weakness` says how. */
  WEAK_PASSWORD: 'WEAK_PASSWORD',
} as const;

export type AccountErrorCode = (typeof AccountError)[keyof typeof AccountError];

export type Result<T = void> =
  { ok: true; value: T } | { ok: false; error: AccountErrorCode; weakness?: Weakness };

export const ok = <T>(value: T): Result<T> => ({ ok: true, value });
export const fail = (error: AccountErrorCode): Result<never> => ({ ok: false, error });
export const weakPassword = (weakness: Weakness): Result<never> => ({
  ok: false,
  error: AccountError.WEAK_PASSWORD,
  weakness,
});
