import { DAY_MS } from '../clock.js';
import { generateToken, hashToken, hmac, safeEqual } from '../security/tokens.js';

/**
 * A browser that gave an address's right password gets a cookie naming that address, and its
 * password attempts are counted apart from everyone else's (OWASP's device cookies). Then
 * someone who only knows the address, and spends its attempts on purpose, keeps strangers out
 * but not its owner on a browser they used before. The cookie is an HMAC of the address, the
 * account's stored password hash and a random id under a key derived from the master key: it
 * cannot be made up, nor moved to another address, and a new password makes every browser a
 * stranger again (whoever learnt the old one could have made any number of browsers known).
 * It holds no secret and grants nothing but a count of its own.
 */
export const KNOWN_BROWSER_MAX_AGE_MS = 180 * DAY_MS;

const mac = (key: Buffer, email: string, passwordHash: string, id: string) =>
  hmac(key, 'known-browser', email, passwordHash, id);

/**
 * A new cookie value for a browser that gave the right password for `email` (normalized), of
 * an account whose password is stored as `passwordHash`.
 */
export function knownBrowserToken(key: Buffer, email: string, passwordHash: string): string {
  const id = generateToken(16);
  return `${id}.${mac(key, email, passwordHash, id)}`;
}

/**
 * The browser's id when `token` was made under `key` for `email` (normalized) of an account
 * whose password is still `passwordHash`, else null (null too for an address without one).
 */
export function knownBrowserId(
  key: Buffer,
  email: string,
  passwordHash: string | null,
  token: string | undefined,
): string | null {
  if (passwordHash === null || !token || token.length > 200) return null;
  const [id, sent, ...rest] = token.split('.');
  if (!id || !sent || rest.length > 0) return null;
  return safeEqual(sent, mac(key, email, passwordHash, id)) ? id : null;
}

/** The count of password attempts at an address (normalized) from browsers not known there. */
export function loginAddressKey(email: string): string {
  return `login:email:${hashToken(email)}`;
}

/** The count of password attempts at an address (normalized) from one known browser. */
export function loginBrowserKey(browserId: string, email: string): string {
  return `login:browser:${hashToken(`${browserId}:${email}`)}`;
}
