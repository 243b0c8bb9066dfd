import {
  BIDI_CONTROL_RANGES,
  isBlank,
  isOneLine,
  withoutControlCharacters,
} from '../lib/control-characters.js';
import { hasMailSyntax, isPlainEmail, isValidEmail, EMAIL_MAX_LENGTH } from '../accounts/users.js';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../accounts/passwords.js';
import type { Weakness } from '../accounts/password-screen.js';
import type { Messages } from '../i18n/index.js';
import type { FieldErrors } from './views/components.js';

/**
 * Reads one text field of a parsed form; anything but a single string (arrays, objects) reads
 * as ''. So does a string with a NUL character: no form field needs one, and PostgreSQL
 * refuses it in text (an error, not a 4xx, if it got that far).
 */
export function text(body: unknown, name: string): string {
  const value = singleString(body, name);
  return value !== undefined && !value.includes('\0') ? value : '';
}

/**
 * A search or filter value from a query string, its control characters dropped. Not `text`,
 * which reads a value with a NUL as empty: for a filter, empty means "everything", so a NUL
 * typed into the address would widen a search that was asked for to all of it.
 */
export function filterText(query: unknown, name: string): string {
  const value = singleString(query, name);
  // Echoed on the page it answers: a line break would split its heading, and a bidi control
  // would show it reordered ("Trojan Source"). Neither is typed into a search box.
  return value === undefined
    ? ''
    : withoutControlCharacters(value).replace(LINE_BREAKS, ' ').replace(BIDI_CONTROLS, '');
}

const LINE_BREAKS = /[\t\r\n]/g;
const BIDI_CONTROLS = new RegExp(`[${BIDI_CONTROL_RANGES}]`, 'g');

/** Whether a query string gives a field more than once (`?event=a&event=b`). */
export function isRepeated(query: unknown, name: string): boolean {
  if (typeof query !== 'object' || query === null) return false;
  return Array.isArray((query as Record<string, unknown>)[name]);
}

/** A field of a parsed form or query string when it is one string (not repeated, not nested). */
function singleString(source: unknown, name: string): string | undefined {
  if (typeof source !== 'object' || source === null) return undefined;
  const value = (source as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

const TAB = /\t/g;
const BIDI_ISOLATES = /[\u2066-\u2069]/g;

/** Collects field errors in form order; the first message per field wins. */
export class Validator {
  readonly errors: FieldErrors = {};
  constructor(private readonly t: Messages) {}

  get ok(): boolean {
    return Object.keys(this.errors).length === 0;
  }

  fail(name: string, message: string): void {
    this.errors[name] ??= message;
  }

  /**
   * A one-line field (a name, a title, an address, a code). What a paste brings along is
   * tidied: a tab (from a spreadsheet) becomes a space, and bidi isolates (which chat apps put
   * around names; invisible, and harmless once dropped) go. Then it is trimmed, and refused as
   * empty when nothing of it can be seen, or when it still holds a line break, a control
   * character or a bidi embedding or override. A browser's text field sends no line breaks; a
   * crafted request can, and they would reach the pages others read, a terminal through the
   * command line, or a CSV export (U+202E shows a name backwards, an escape sequence retitles
   * a terminal). Unicode's two ways of writing an accented letter (one character, or a letter
   * and a mark) become one (NFC), so a name is found and compared however it was typed.
   */
  required(name: string, label: string, value: string, max: number): string {
    return this.oneLine(name, label, value, max, true);
  }

  /**
   * A one-line field taken as typed, without the NFC step: an email address to look up, which
   * a mail server, and an address stored before, may hold in either form.
   */
  asTyped(name: string, label: string, value: string, max: number): string {
    return this.oneLine(name, label, value, max, false);
  }

  private oneLine(name: string, label: string, value: string, max: number, nfc: boolean): string {
    const tidied = value.replace(TAB, ' ').replace(BIDI_ISOLATES, '').trim();
    // Normalised before the length is checked: NFC can lengthen a text.
    const trimmed = nfc ? tidied.normalize('NFC') : tidied;
    if (isBlank(trimmed)) this.fail(name, this.t.errors.required(label));
    else if (trimmed.length > max) this.fail(name, this.t.errors.tooLong(label, max));
    else if (!isOneLine(trimmed)) this.fail(name, this.t.errors.oneLine(label));
    return trimmed;
  }

  /**
   * An email address, as typed: not normalised, since a mail server may hold the two ways of
   * writing a letter as two mailboxes (`newEmail` refuses such an address for an account).
   */
  email(name: string, label: string, value: string): string {
    const trimmed = this.asTyped(name, label, value, EMAIL_MAX_LENGTH);
    if (trimmed !== '' && !isValidEmail(trimmed)) this.fail(name, this.t.errors.invalidEmail);
    return trimmed;
  }

  /** An address to be added to an account: also plain (`isPlainEmail`). */
  newEmail(name: string, label: string, value: string): string {
    const email = this.email(name, label, value);
    if (email !== '' && hasMailSyntax(email)) this.fail(name, this.t.errors.invalidEmail);
    else if (email !== '' && !isPlainEmail(email)) this.fail(name, this.t.errors.unusualEmail);
    return email;
  }

  /** Passwords are taken as typed (no trimming); length bounds apply before any hashing. */
  newPassword(name: string, value: string): string {
    if (value.length < PASSWORD_MIN_LENGTH)
      this.fail(name, this.t.errors.passwordTooShort(PASSWORD_MIN_LENGTH));
    else if (value.length > PASSWORD_MAX_LENGTH)
      this.fail(name, this.t.errors.passwordTooLong(PASSWORD_MAX_LENGTH));
    return value;
  }

  password(name: string, label: string, value: string): string {
    if (value === '') this.fail(name, this.t.errors.required(label));
    else if (value.length > PASSWORD_MAX_LENGTH)
      this.fail(name, this.t.errors.passwordTooLong(PASSWORD_MAX_LENGTH));
    return value;
  }
}

/** The words for a password the screen refused (`AccountError.WEAK_PASSWORD`). */
export function weakPasswordMessage(t: Messages, failure: { weakness?: Weakness }): string {
  return t.errors.passwordWeak[failure.weakness ?? 'guessable'];
}
