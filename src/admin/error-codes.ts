/** Outcomes of administration; tests and the JSON API use the codes, the console maps them to words. */
export const AdminError = {
  NOT_FOUND: 'NOT_FOUND',
  /** An administrator may not do this to their own account (reset 2FA, drop own rights, disable). */
  SELF: 'SELF',
  /** The last active administrator cannot lose their rights or be disabled. */
  LAST_ADMIN: 'LAST_ADMIN',
  /** Nothing to change (already disabled, already administrator, ...). */
  ALREADY: 'ALREADY',
  NAME_TAKEN: 'NAME_TAKEN',
  NO_SUCH_USER: 'NO_SUCH_USER',
  /** The 2FA policy requires this group: take it out of the policy before deleting it. */
  GROUP_IN_POLICY: 'GROUP_IN_POLICY',
  AT_LEAST_ONE_METHOD: 'AT_LEAST_ONE_METHOD',
  /** A 2FA reset of an administrator asked for where only other accounts may be reset (the API). */
  TARGET_IS_ADMIN: 'TARGET_IS_ADMIN',
  /** A 2FA reset for someone without a method: there is nothing to reset. */
  NOTHING_TO_RESET: 'NOTHING_TO_RESET',
  GROUPS_REQUIRED: 'GROUPS_REQUIRED',
  UNKNOWN_GROUP: 'UNKNOWN_GROUP',
  /** A grace period that ends in the past (and is not the one saved before). */
  GRACE_ENDED: 'GRACE_ENDED',
  /** A grace period that ends in the year 10000 or later: no four-digit date can show it. */
  GRACE_TOO_LATE: 'GRACE_TOO_LATE',
} as const;

export type AdminErrorCode = (typeof AdminError)[keyof typeof AdminError];

export type AdminResult<T = void> = { ok: true; value: T } | { ok: false; error: AdminErrorCode };

export const adminOk = <T>(value: T): AdminResult<T> => ({ ok: true, value });
export const adminFail = (error: AdminErrorCode): AdminResult<never> => ({ ok: false, error });
