import { createRequire } from 'node:module';
import type * as OTPAuth from 'otpauth';
import {
  sixDigitCode,
  TOTP_DIGITS,
  TOTP_PERIOD_SECONDS,
  TOTP_SECRET_BYTES,
  TOTP_WINDOW_STEPS,
} from '../constants.js';

// Loaded at the first TOTP secret or code, not at start (docs/performance.md).
let loaded: typeof OTPAuth | null = null;
const otpauth = () => (loaded ??= createRequire(import.meta.url)('otpauth') as typeof OTPAuth);

/** A new 160-bit secret (RFC 4226 R6), base32 without padding. */
export function generateTotpSecret(): string {
  return new (otpauth().Secret)({ size: TOTP_SECRET_BYTES }).base32.replace(/=+$/, '');
}

function totpFor(secretBase32: string, issuer = '', account = ''): OTPAuth.TOTP {
  const { Secret, TOTP } = otpauth();
  return new TOTP({
    issuer,
    label: account,
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    secret: Secret.fromBase32(secretBase32),
  });
}

/**
 * The otpauth:// URI of the Key Uri Format: issuer as label prefix and parameter, secret
 * without padding, SHA1 / 6 digits / 30 s spelled out.
 */
export function totpUri(input: { issuer: string; account: string; secret: string }): string {
  return totpFor(input.secret, input.issuer, input.account).toString();
}

/** The setup key as people type it: groups of four. */
export function formatSetupKey(secretBase32: string): string {
  return secretBase32.replace(/(.{4})(?=.)/g, '$1 ');
}

/** The RFC 6238 time step of a moment. */
export function timeStep(nowMs: number): number {
  return Math.floor(nowMs / 1000 / TOTP_PERIOD_SECONDS);
}

/**
 * The time step whose code matches, within ±1 step of the server clock, or null. Comparison
 * is constant-time inside otpauth. Spaces are allowed in what people type.
 */
export function matchTotpStep(secretBase32: string, code: string, nowMs: number): number | null {
  const token = sixDigitCode(code);
  if (token === null) return null;
  const { Secret, TOTP } = otpauth();
  const delta = TOTP.validate({
    token,
    secret: Secret.fromBase32(secretBase32),
    algorithm: 'SHA1',
    digits: TOTP_DIGITS,
    period: TOTP_PERIOD_SECONDS,
    timestamp: nowMs,
    window: TOTP_WINDOW_STEPS,
  });
  return delta === null ? null : timeStep(nowMs) + delta;
}

/** The code an authenticator shows at a moment (tests and the benchmark use it). */
export function totpCodeAt(secretBase32: string, nowMs: number): string {
  return totpFor(secretBase32).generate({ timestamp: nowMs });
}
