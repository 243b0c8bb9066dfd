import { createHash } from 'node:crypto';
import type { SafeHtml } from '../../lib/html.js';
import { html } from '../../lib/html.js';

/**
 * An editor page carries, in hidden `opened_<field>` fields, what each field held in the
 * version it was opened from. A save refused because someone else saved meanwhile comes back
 * with what this person changed, and with the saved value in every field they did not change:
 * the form used to come back as it was sent, and saving again, as the page advises, put back
 * unseen what the other person had changed (another URL name, category or text).
 */
const OPENED = 'opened_';
/**
 * Each opened value starts with this mark, so that a field that was empty ('=') is told from a
 * form that carried no opened values at all ('').
 */
const MARK = '=';

export const openedName = (field: string) => `${OPENED}${field}`;
export const isOpenedName = (name: string) => name.startsWith(OPENED);

/** A long field (an article's text) is carried as a digest of its value. */
export function digest(value: string): string {
  return createHash('sha256').update(value.replace(/\r\n/g, '\n')).digest('base64url');
}

/** The `opened_` values for a page showing `saved`; `long` fields as their digests. */
export function openedValues(
  saved: Record<string, string>,
  long: readonly string[] = [],
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(saved).map(([field, value]) => [
      openedName(field),
      MARK + (long.includes(field) ? digest(value) : value),
    ]),
  );
}

/** A form showing `saved` as it is: the values, and the same as the opened ones. */
export function asOpened(
  saved: Record<string, string>,
  long: readonly string[] = [],
): Record<string, string> {
  return { ...saved, ...openedValues(saved, long) };
}

/** The names `formValues` reads for these fields' opened values. */
export function openedNames(fields: readonly string[]): string[] {
  return fields.map(openedName);
}

/**
 * After a refused save: the typed values, but in each field the person left as the page had
 * it, the saved value; and the saved values as the new `opened_` ones. A form without opened
 * values (a page from before they were carried) comes back as it was typed.
 */
export function rebase(
  typed: Record<string, string>,
  saved: Record<string, string>,
  long: readonly string[] = [],
): Record<string, string> {
  const values = { ...typed };
  for (const [field, now] of Object.entries(saved)) {
    const left = typed[field] ?? '';
    const asOpened = MARK + (long.includes(field) ? digest(left) : left);
    if (typed[openedName(field)] === asOpened) values[field] = now;
  }
  return { ...values, ...openedValues(saved, long) };
}

/** The hidden fields for the `opened_` values among `values`. */
export function openedFields(values: Record<string, string>): SafeHtml {
  return html`${Object.entries(values)
    .filter(([name, value]) => isOpenedName(name) && value.startsWith(MARK))
    .map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}" />`)}`;
}
