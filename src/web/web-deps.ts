import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ActiveSession } from '../accounts/sessions.js';
import { isRecentlyAuthenticated } from '../accounts/sessions.js';
import type { Clock } from '../clock.js';
import type { Services } from '../services.js';
import type { WebTools } from './request-context.js';

/** What a route module gets: the domain services and the web helpers. Never the database. */
export interface WebDeps {
  services: Services;
  tools: WebTools;
  clock: Clock;
}

/** The longest way back (`next`) a page accepts. */
export const SAFE_NEXT_MAX_LENGTH = 500;

/**
 * Only local paths: an open redirect would turn the login page into a phishing aid. Browsers
 * drop tabs and newlines inside a URL and read a backslash as a slash, so `/\t/evil.example`
 * is another site: printable ASCII only, and no backslash.
 */
export function safeNext(value: unknown, fallback = '/'): string {
  if (typeof value !== 'string' || value.length > SAFE_NEXT_MAX_LENGTH) return fallback;
  if (!value.startsWith('/') || value.startsWith('//')) return fallback;
  // Printable ASCII only, no backslash: a browser drops control characters inside a URL and
  // reads a backslash as a slash, and a header cannot carry a character outside ASCII (a path
  // of this site's arrives percent-encoded).
  if (!/^[\x21-\x5b\x5d-\x7e]+$/.test(value)) return fallback;
  return value;
}

/**
 * Where the log-in leads back to: this page, or for a form sent after the session ended, the
 * page the form was on (its Referer; the CSRF check already held it to this site). The address
 * a form is sent to often takes posts only, and the log-in would lead to "Page not found".
 */
function wayBack(request: FastifyRequest): string {
  if (request.method === 'GET' || request.method === 'HEAD') return request.url;
  const referer = request.headers.referer;
  if (!referer) return '/';
  try {
    const url = new URL(referer);
    return safeNext(`${url.pathname}${url.search}`);
  } catch {
    return '/';
  }
}

/** The signed-in session, or a redirect to the login page that comes back here afterwards. */
export function requireSession(request: FastifyRequest, reply: FastifyReply): ActiveSession | null {
  if (request.auth) return request.auth;
  if (request.sessionEnded) reply.flashSessionEnded();
  void reply.redirect(`/login?next=${encodeURIComponent(wayBack(request))}`, 303);
  return null;
}

/**
 * The end of a log-in: its new session replaces the one the browser held (someone else's on a
 * shared computer, or its own from before) on the server too, not only in the cookie, so a
 * copy of the old cookie is worth nothing; a new CSRF secret; the pending sign-in forgotten.
 */
export async function startSession(
  { services, tools }: WebDeps,
  request: FastifyRequest,
  reply: FastifyReply,
  token: string,
): Promise<void> {
  if (request.auth) await services.accounts.sessions.revoke(request.auth.session.id_hash);
  tools.clearPending(reply);
  tools.rotateCsrf(reply);
  tools.setSession(reply, token);
}

export function sendHtml(reply: FastifyReply, page: { value: string }, status = 200): FastifyReply {
  return reply.code(status).type('text/html; charset=utf-8').send(page.value);
}

/**
 * Step-up (SPEC §4): adding, renaming or removing a method, new recovery codes, a new email
 * address or password need a sign-in (password and second factor, if any) from the last 10
 * minutes. Otherwise the person confirms it is them first and comes back to `back`.
 * `cancel`: where the re-authentication page's Cancel leads when that is not `back` (a page
 * that itself needs a recent sign-in would only send the person back to confirm).
 */
export function requireRecentSignIn(
  request: FastifyRequest,
  reply: FastifyReply,
  clock: Clock,
  back: string,
  cancel?: string,
): boolean {
  if (request.auth && isRecentlyAuthenticated(request.auth.session, clock.now())) return true;
  const also = cancel ? `&cancel=${encodeURIComponent(cancel)}` : '';
  void reply.redirect(`/reauth?next=${encodeURIComponent(back)}${also}`, 303);
  return false;
}
