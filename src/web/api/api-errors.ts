/**
 * Every JSON error of /api/v1 carries one of these codes; clients branch on the code, never on
 * the message (which is for people and may change).
 */
export const ApiErrorCode = {
  MISSING_API_KEY: 'MISSING_API_KEY',
  /** Unknown, malformed or revoked key, or one whose creator is no longer an administrator. */
  INVALID_API_KEY: 'INVALID_API_KEY',
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  NOT_FOUND: 'NOT_FOUND',
  /** The route exists, but not for this method; `Allow` names the methods it takes. */
  METHOD_NOT_ALLOWED: 'METHOD_NOT_ALLOWED',
  USER_NOT_FOUND: 'USER_NOT_FOUND',
  CANNOT_RESET_SELF: 'CANNOT_RESET_SELF',
  /** A 2FA reset of an administrator: done in the console or with the CLI, never with a key. */
  CANNOT_RESET_ADMIN: 'CANNOT_RESET_ADMIN',
  /** A 2FA reset for a user without a method. */
  NOTHING_TO_RESET: 'NOTHING_TO_RESET',
  CANNOT_UNLOCK_SELF: 'CANNOT_UNLOCK_SELF',
  /** An unlock of an administrator's second step: in the console or with the CLI only. */
  CANNOT_UNLOCK_ADMIN: 'CANNOT_UNLOCK_ADMIN',
  /** An unlock for a user whose second step is not locked. */
  NOT_LOCKED: 'NOT_LOCKED',
  AT_LEAST_ONE_METHOD: 'AT_LEAST_ONE_METHOD',
  GROUPS_REQUIRED: 'GROUPS_REQUIRED',
  UNKNOWN_GROUP: 'UNKNOWN_GROUP',
  /** A policy's `graceUntil` in the past, other than the one saved before. */
  GRACE_ENDED: 'GRACE_ENDED',
  UNSUPPORTED_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  BAD_REQUEST: 'BAD_REQUEST',
  /** Too many refused API keys from this address; `Retry-After` says when to try again. */
  TOO_MANY_REQUESTS: 'TOO_MANY_REQUESTS',
  INTERNAL_ERROR: 'INTERNAL_ERROR',
} as const;

export type ApiErrorCode = (typeof ApiErrorCode)[keyof typeof ApiErrorCode];

export interface ApiErrorDetail {
  in?: string;
  path: string;
  message: string;
}

/** Thrown by API handlers; the API's error handler turns it into `{ code, message }`. */
export class ApiError extends Error {
  constructor(
    readonly statusCode: number,
    readonly code: ApiErrorCode,
    message: string,
    readonly details?: ApiErrorDetail[],
  ) {
    super(message);
    this.name = 'ApiError';
  }
}
