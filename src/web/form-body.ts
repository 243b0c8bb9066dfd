import { parse } from 'fast-querystring';

/** A form body no browser sends from the help center's forms: a 400 page, nothing stored. */
export class MalformedFormError extends Error {
  readonly statusCode = 400;
  readonly code = 'MALFORMED_FORM';
  constructor(reason = 'The form body is not valid percent-encoded UTF-8') {
    super(reason);
  }
}

/** The fields a form sends more than once: the groups ticked in the 2FA settings. */
const LISTS = new Set(['group']);

/**
 * Parses an `application/x-www-form-urlencoded` body (what @fastify/formbody does by default),
 * refusing one that a browser could not have sent: a `%` without two hex digits after it, or
 * escapes that are no UTF-8 (`%FF`, the overlong `%C0%80`). The default parser keeps such a
 * value as the literal text, so `name=%zz%` would be saved as a name "%zz%" with no error.
 * `decodeURIComponent` checks both in one pass, and only bodies with a `%` need it.
 */
export function parseFormBody(body: string): Record<string, unknown> {
  // The body arrives decoded as UTF-8, with U+FFFD for bytes that are none (raw bytes of
  // Latin-1, say). A browser percent-encodes every such character, so one here came from a
  // hand-made request, and would be saved as "�" in place of what was meant.
  if (body.includes('\uFFFD')) throw new MalformedFormError('The form body is not valid UTF-8');
  if (body.includes('%')) {
    try {
      decodeURIComponent(body);
    } catch {
      throw new MalformedFormError();
    }
  }
  const fields = parse(body) as Record<string, unknown>;
  refuseWhatNoFormSends(fields);
  return fields;
}

/**
 * A field given twice (`email=on&email=off`), or a value with a NUL character, comes from a
 * hand-made request. Read as a blank field, as the forms would read it, it did not fail the
 * save: it turned a method off, dropped a grace period (ending sessions) or emptied a text
 * that was not required. Refused whole instead, before any route reads it.
 */
function refuseWhatNoFormSends(fields: Record<string, unknown>): void {
  for (const [name, value] of Object.entries(fields)) {
    // (A nameless field is no form's, and read by none.)
    if (Array.isArray(value) && name !== '' && !LISTS.has(name))
      throw new MalformedFormError(`The form gives the field ${name} more than once`);
    const values: unknown[] = Array.isArray(value) ? value : [value];
    if (values.some((v) => typeof v === 'string' && v.includes('\0')))
      throw new MalformedFormError(`The form's field ${name} holds a NUL character`);
  }
}
