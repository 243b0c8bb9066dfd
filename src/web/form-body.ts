import { parse } from 'fast-querystring';

/** A form body whose percent-encoding is broken: a 400 page, nothing stored. */
export class MalformedFormError extends Error {
  readonly statusCode = 400;
  readonly code = 'MALFORMED_FORM';
  constructor() {
    super('The form body is not valid percent-encoded UTF-8');
  }
}

/**
 * Parses an `application/x-www-form-urlencoded` body (what @fastify/formbody does by default),
 * refusing one that a browser could not have sent: a `%` without two hex digits after it, or
 * escapes that are no UTF-8 (`%FF`, the overlong `%C0%80`). The default parser keeps such a
 * value as the literal text, so `name=%zz%` would be saved as a name "%zz%" with no error.
 * `decodeURIComponent` checks both in one pass, and only bodies with a `%` need it.
 */
export function parseFormBody(body: string): Record<string, unknown> {
  if (body.includes('%')) {
    try {
      decodeURIComponent(body);
    } catch {
      throw new MalformedFormError();
    }
  }
  return parse(body) as Record<string, unknown>;
}
