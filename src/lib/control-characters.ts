/**
 * Control characters no text of ours needs: C0 except tab, line feed and carriage return; DEL;
 * C1. HTML counts each in a page as a parse error ("control-character-in-input-stream"), XML
 * 1.0 forbids them, PostgreSQL refuses NUL in text, and a NUL can cut a page short for a
 * reader written in C. None can be typed on a keyboard; they arrive in crafted requests.
 */
export const CONTROL_CHARACTER_RANGES =
  '\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f';

const CONTROL_CHARACTERS = new RegExp(`[${CONTROL_CHARACTER_RANGES}]`, 'g');
const CONTROL_CHARACTER = new RegExp(`[${CONTROL_CHARACTER_RANGES}]`);

/** Whether the text holds a control character (tab and line breaks are not). */
export function hasControlCharacter(value: string): boolean {
  return CONTROL_CHARACTER.test(value);
}

/** The text with every control character taken out (tab and line breaks stay). */
export function withoutControlCharacters(value: string): string {
  return value.replace(CONTROL_CHARACTERS, '');
}

/**
 * Bidirectional embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069): invisible,
 * and they reorder the text after them ("Trojan Source"), so a name can show as another.
 */
export const BIDI_CONTROL_RANGES = '\\u202a-\\u202e\\u2066-\\u2069';

const NOT_ONE_LINE = new RegExp(`[\\t\\r\\n${CONTROL_CHARACTER_RANGES}${BIDI_CONTROL_RANGES}]`);

/** Whether the text is one line without tabs, other control characters or bidi controls. */
export function isOneLine(value: string): boolean {
  return !NOT_ONE_LINE.test(value);
}

const NOT_PRINTABLE = new RegExp(`[${CONTROL_CHARACTER_RANGES}${BIDI_CONTROL_RANGES}]`, 'g');

/**
 * The text with every control character (but tab and line breaks) and bidi control shown as
 * U+FFFD, visible where it was: for text a terminal may print (an escape sequence would act).
 */
export function withEscapesShown(value: string): string {
  return value.replace(NOT_PRINTABLE, '\ufffd');
}

/**
 * Text for one line of a terminal: tabs and line breaks as spaces, and every other control
 * character or bidi control as U+FFFD, visible where it was. An escape sequence in a stored
 * name would otherwise act on the operator's terminal (retitle it, recolour it, move the
 * cursor), and a line break would fake a line of output.
 */
export function forTerminal(value: string): string {
  return withEscapesShown(value.replace(/[\t\r\n]/g, ' '));
}

/**
 * Text with nothing to see: format characters (zero-width space and joiners, soft hyphen, byte
 * order mark), spaces, and the blanks that are letters (Hangul fillers, the braille blank) or
 * marks (variation selectors, Mongolian ones too, Khmer's invisible vowels). Shown as a name,
 * it would be a blank in every list and log. The marks stand alone: in one class with other
 * characters they would read as combined.
 */
const NOTHING_TO_SEE =
  /^(?:[\p{Cf}\p{White_Space}\u115f\u1160\u2800\u3164\uffa0]|\u034f|[\u17b4\u17b5]|[\u180b-\u180d\u180f]|[\ufe00-\ufe0f]|[\u{e0100}-\u{e01ef}])*$/u;

/** Whether the text is empty or shows nothing (see above). */
export function isBlank(value: string): boolean {
  return NOTHING_TO_SEE.test(value);
}
