/** Outcomes of two-factor operations; tests assert on these, the UI maps them to words. */
export const TwoFactorError = {
  INVALID_CODE: 'INVALID_CODE',
  CODE_EXPIRED: 'CODE_EXPIRED',
  CODE_ALREADY_USED: 'CODE_ALREADY_USED',
  /** A security key's signature counter did not go up (a replay, or a copy of the key). */
  KEY_COUNTER_WENT_BACK: 'KEY_COUNTER_WENT_BACK',
  /** A security key answered a challenge of this sign-in that had run out (not counted). */
  CHALLENGE_RAN_OUT: 'CHALLENGE_RAN_OUT',
  /** The pending sign-in ended after too many wrong codes: the password is needed again. */
  SIGN_IN_ENDED: 'SIGN_IN_ENDED',
  /** Too many failures in a row: the account's second factor is locked for a while. */
  LOCKED: 'LOCKED',
  RESEND_TOO_SOON: 'RESEND_TOO_SOON',
  RESEND_LIMIT: 'RESEND_LIMIT',
  METHOD_DISABLED: 'METHOD_DISABLED',
  /** A second step asked for with a method the account does not have (a hand-made request). */
  METHOD_NOT_SET_UP: 'METHOD_NOT_SET_UP',
  METHOD_EXISTS: 'METHOD_EXISTS',
  /** Another of the person's security keys has this name (case aside). */
  NAME_TAKEN: 'NAME_TAKEN',
  NOT_FOUND: 'NOT_FOUND',
  SETUP_EXPIRED: 'SETUP_EXPIRED',
  /** The last method cannot go while 2FA is mandatory for the user. */
  LAST_METHOD_REQUIRED: 'LAST_METHOD_REQUIRED',
  MAIL_FAILED: 'MAIL_FAILED',
  /** A stored TOTP secret does not open: this process has another master key. */
  SECRET_UNREADABLE: 'SECRET_UNREADABLE',
} as const;

export type TwoFactorErrorCode = (typeof TwoFactorError)[keyof typeof TwoFactorError];

/** A refusal may name what it was about (a security key's name) for the audit log. */
export type TfResult<T = void> =
  { ok: true; value: T } | { ok: false; error: TwoFactorErrorCode; name?: string };

export const tfOk = <T>(value: T): TfResult<T> => ({ ok: true, value });
export const tfFail = (error: TwoFactorErrorCode, name?: string): TfResult<never> =>
  name === undefined ? { ok: false, error } : { ok: false, error, name };
