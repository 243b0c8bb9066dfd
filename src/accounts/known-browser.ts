import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { DAY_MS } from '../clock.js';

/**
 * A browser that gave an address's right password gets a cookie naming that address, and its
 * password attempts are counted apart from everyone else's (OWASP's device cookies). Then
 * someone who only knows the address, and spends its attempts on purpose, keeps strangers out
 * but not its owner on a browser they used before. The cookie is an HMAC of the address and a
 * random id under a key derived from the master key: it cannot be made up, nor moved to
 * another address. It holds no secret and grants nothing but a count of its own.
 */
export const KNOWN_BROWSER_MAX_AGE_MS = 180 * DAY_MS;

function mac(key: Buffer, email: string, id: string): Buffer {
  return createHmac('sha256', key).update(`known-browser:v1:${email}:${id}`).digest();
}

/** A new cookie value for a browser that gave the right password for `email` (normalized). */
export function knownBrowserToken(key: Buffer, email: string): string {
  const id = randomBytes(16).toString('base64url');
  return `${id}.${mac(key, email, id).toString('base64url')}`;
}

/** The browser's id when `token` was made for `email` (normalized) under `key`, else null. */
export function knownBrowserId(
  key: Buffer,
  email: string,
  token: string | undefined,
): string | null {
  if (!token || token.length > 200) return null;
  const [id, sent, ...rest] = token.split('.');
  if (!id || !sent || rest.length > 0) return null;
  const expected = mac(key, email, id);
  const given = Buffer.from(sent, 'base64url');
  return given.length === expected.length && timingSafeEqual(given, expected) ? id : null;
}
