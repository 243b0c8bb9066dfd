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
