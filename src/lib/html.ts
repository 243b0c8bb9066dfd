import { CONTROL_CHARACTER_RANGES } from './control-characters.js';

/**
 * A tagged template that escapes every interpolated value unless it is already SafeHtml.
 * Escaping is the default, so forgetting it is impossible rather than a review finding.
 */
export class SafeHtml {
  constructor(readonly value: string) {}
  toString(): string {
    return this.value;
  }
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

const SPECIALS = `[&<>"'${CONTROL_CHARACTER_RANGES}]`;
const SPECIAL = new RegExp(SPECIALS, 'g');
const HAS_SPECIAL = new RegExp(SPECIALS);

/**
 * Escapes markup and drops control characters: whatever reached a value (a query string, a
 * name saved before input was cleaned, an imported title), none is ever written into a page.
 * Most values hold nothing to escape; testing first returns them without a replace pass, which
 * halves the cost of a page's escaping (docs/performance.md, item 17).
 */
export function escapeHtml(value: string): string {
  return HAS_SPECIAL.test(value) ? value.replace(SPECIAL, (ch) => ESCAPES[ch] ?? '') : value;
}

export type HtmlValue = SafeHtml | string | number | null | undefined | false | HtmlValue[];

function render(value: HtmlValue): string {
  if (value === null || value === undefined || value === false) return '';
  if (value instanceof SafeHtml) return value.value;
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

/** A line break with the blank lines and indentation after it. */
const LINE_BREAK_AND_INDENT = /\n\s+/g;

const compacted = new WeakMap<TemplateStringsArray, readonly string[]>();

/**
 * A template's own text with the indentation of its source lines taken out, worked out once per
 * template (a call site's strings are one object for the life of the process). A line break
 * stays, so the page reads the same: outside `pre` and `textarea`, a browser shows any run of
 * white space as one. Interpolated values are never touched, so a text area's content and
 * rendered Markdown keep theirs. A quarter less to send for the signed-in page
 * (docs/performance.md, item 20).
 */
function compact(strings: TemplateStringsArray): readonly string[] {
  let parts = compacted.get(strings);
  if (!parts) {
    parts = strings.map((part) => part.replace(LINE_BREAK_AND_INDENT, '\n'));
    compacted.set(strings, parts);
  }
  return parts;
}

export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): SafeHtml {
  const parts = compact(strings);
  let out = parts[0] ?? '';
  for (let i = 0; i < values.length; i++) out += render(values[i]) + (parts[i + 1] ?? '');
  return new SafeHtml(out);
}

/** Marks trusted markup (for instance sanitised HTML) as safe. Never pass user input. */
export function unsafeRaw(markup: string): SafeHtml {
  return new SafeHtml(markup);
}
