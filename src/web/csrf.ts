import type { FastifyInstance, FastifyRequest } from 'fastify';
import { safeEqual } from '../security/tokens.js';
import { text } from './form-input.js';
import { csrfTokenFor } from './request-context.js';

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** Web forms send only these; anything else (JSON, text/plain) has no business on a form route. */
const FORM_TYPES = ['application/x-www-form-urlencoded', 'multipart/form-data'];

export class UnsupportedBodyError extends Error {
  readonly statusCode = 415;
  readonly code = 'UNSUPPORTED_BODY';
  constructor() {
    super('Only form posts are accepted here');
    this.name = 'UnsupportedBodyError';
  }
}

export class CsrfError extends Error {
  readonly statusCode = 403;
  constructor(readonly reason: string) {
    super(`CSRF check failed: ${reason}`);
    this.name = 'CsrfError';
  }
}

/** Whether an origin is this site's: PUBLIC_URL's, or the one the request was made to. */
export function isOwnOrigin(
  request: FastifyRequest,
  origin: string,
  publicOrigin: string,
): boolean {
  return origin === publicOrigin || origin === `${request.protocol}://${request.host}`;
}

/** The browser's own word on where a request came from, when it gives one. */
export function checkRequestOrigin(request: FastifyRequest, publicOrigin: string): string | null {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none')
    return `Sec-Fetch-Site ${site}`;
  const origin = request.headers.origin;
  if (typeof origin === 'string' && !isOwnOrigin(request, origin, publicOrigin))
    return 'foreign Origin';
  return null;
}

/**
 * Every state-changing request of the web apps needs both: a browser that does not say it
 * came from elsewhere (Origin, Sec-Fetch-Site), and the form token bound to this browser's
 * CSRF cookie (signed double submit, OWASP CSRF cheat sheet). The JSON API, authenticated by
 * bearer keys and never by cookies, is outside this rule.
 */
export function registerCsrfProtection(
  app: FastifyInstance,
  options: { key: Buffer; publicOrigin: string },
): void {
  app.addHook('preHandler', (request, _reply, done) => {
    // No route, nothing to change: the not-found handler answers 404 or 405.
    if (SAFE_METHODS.has(request.method) || request.url.startsWith('/api/') || request.is404)
      return done();
    const originProblem = checkRequestOrigin(request, options.publicOrigin);
    if (originProblem) return done(new CsrfError(originProblem));
    const type = request.headers['content-type'];
    if (type !== undefined && !FORM_TYPES.some((form) => type.toLowerCase().startsWith(form)))
      return done(new UnsupportedBodyError());
    const expected = csrfTokenFor(request.csrfSecret, options.key);
    const sent = text(request.body, '_csrf');
    if (!expected || !sent || !safeEqual(sent, expected)) {
      return done(new CsrfError('missing or wrong token'));
    }
    done();
  });
}
