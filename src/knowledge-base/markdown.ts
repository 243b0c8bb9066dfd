import { createRequire } from 'node:module';
import type { Marked, Token, Tokens } from 'marked';
import type sanitizeHtml from 'sanitize-html';
import { withoutControlCharacters } from '../lib/control-characters.js';
import { escapeHtml } from '../lib/html.js';

// Loaded at the first article rendered, not at start: marked and sanitize-html (with its HTML
// and CSS parsers) are large modules and a start on a seeded database renders nothing
// (docs/performance.md). marked is an ES module only, hence the import().
let marked: Marked | null = null;
let sanitize: typeof sanitizeHtml | null = null;

const ALIGN_CLASSES = ['align-left', 'align-center', 'align-right'];

/** A table cell's `align` as a class of ALIGN_CLASSES; any class of its own is dropped. */
function alignAsClass(tagName: string, attribs: sanitizeHtml.Attributes): sanitizeHtml.Tag {
  const align = attribs.align?.toLowerCase();
  return {
    tagName,
    attribs:
      align === 'left' || align === 'center' || align === 'right'
        ? { class: `align-${align}` }
        : {},
  };
}

/**
 * Articles are Markdown written by administrators, but rendered to every visitor: whatever
 * an editor (or someone who stole an editor's session) types must not become script in a
 * reader's browser. Markdown allows raw HTML, so the rendered HTML goes through an allow-list
 * sanitiser; nothing outside the list survives (tags, attributes, URL schemes).
 */
const SANITIZE_OPTIONS: sanitizeHtml.IOptions = {
  allowedTags: [
    'h2',
    'h3',
    'h4',
    'h5',
    'h6',
    'p',
    'br',
    'hr',
    'blockquote',
    'ul',
    'ol',
    'li',
    'strong',
    'em',
    'del',
    'code',
    'pre',
    'kbd',
    'a',
    'img',
    // Only as what an image from elsewhere written as HTML leaves (its description), without
    // attributes: a discarded tag in its place would take the text after it along.
    'span',
    'table',
    'thead',
    'tbody',
    'tr',
    'th',
    'td',
  ],
  allowedAttributes: {
    a: ['href', 'title', 'rel'],
    img: ['src', 'alt', 'title', 'width', 'height'],
    ol: ['start'],
    th: ['class'],
    td: ['class'],
  },
  // A column's alignment (Markdown's `:--:`), as a class: HTML5 dropped the align attribute.
  allowedClasses: { th: ALIGN_CLASSES, td: ALIGN_CLASSES },
  allowedSchemes: ['http', 'https', 'mailto'],
  // Images come from this site only (isOwnImage): a path, never a scheme.
  allowedSchemesByTag: { img: [] },
  allowProtocolRelative: false,
  // The page has one h1, the article title: headings in the body start at h2.
  transformTags: {
    h1: 'h2',
    th: alignAsClass,
    td: alignAsClass,
    // An image from another site would be blocked by the pages' Content-Security-Policy
    // (images from this help center only: a reader's visit is nobody else's to count), and
    // show as a broken picture. Markdown's become links (imageFromElsewhere); one written as
    // HTML, which may stand in a link of its own, leaves its description as text.
    // An image written as HTML without a description is read as decoration (alt=""), not
    // announced by its file name; Markdown's ![description](src) gives one.
    img: (tagName, attribs): sanitizeHtml.Tag =>
      isOwnImage(attribs.src)
        ? { tagName, attribs: { ...attribs, alt: attribs.alt ?? '' } }
        : { tagName: 'span', attribs: {}, text: attribs.alt ?? '' },
    a: (tagName, attribs) => ({
      tagName,
      attribs: /^https?:/i.test(attribs.href ?? '')
        ? { ...attribs, rel: 'noopener noreferrer' }
        : attribs,
    }),
  },
  disallowedTagsMode: 'discard',
};

/**
 * Whether an image's address is this help center's own (a path on it), the only images its
 * pages load. Read as a browser reads it: tabs and line breaks dropped, backslashes as slashes.
 */
function isOwnImage(src: string | undefined): boolean {
  const url = (src ?? '')
    .replace(/[\t\n\r]/g, '')
    .replace(/\\/g, '/')
    .trim();
  return !/^[a-z][a-z0-9+.-]*:/i.test(url) && !url.startsWith('//');
}

type ImageToken = Tokens.Image & { inLink?: boolean };

/** Marks the images inside a Markdown link: there, one from elsewhere cannot be a link too. */
function markImagesInLinks(token: Token): void {
  if (token.type !== 'link') return;
  for (const child of token.tokens ?? [])
    if (child.type === 'image') (child as ImageToken).inLink = true;
}

/**
 * A Markdown image from another site: a link to it, named by its description (by its address
 * when it has none), or inside a link only its description. `false`: an image of this site,
 * rendered as usual.
 */
function imageFromElsewhere(token: Tokens.Image): string | false {
  if (isOwnImage(token.href)) return false;
  const name = escapeHtml(token.text.trim() || token.href);
  return (token as ImageToken).inLink ? name : `<a href="${escapeHtml(token.href)}">${name}</a>`;
}

/**
 * Text nested too deeply for the Markdown parser (quotes in quotes in quotes, a thousand
 * deep), which parses nesting by recursion and runs out of stack: refused as an editing
 * error, never a server error.
 */
export class MarkdownTooNestedError extends Error {
  constructor() {
    super('Markdown nested too deeply to parse');
  }
}

/**
 * The most a line may open with of quote marks, list markers and indentation. Nesting costs
 * the parser more than linear time (a list 400 levels deep took half a second, 800 levels five,
 * with the event loop blocked) and a quote 2,000 deep its stack; an article needs a handful.
 */
export const NESTING_PREFIX_MAX = 200;
const NESTING_PREFIX = /^(?:[ \t>]|[-*+](?=[ \t])|\d{1,9}[.)](?=[ \t]))*/gm;

/**
 * The most `_` and `*` marks a text may hold outside code. The parser pairs emphasis marks in
 * more than linear time: 10,000 of them took half a second, 95,000 (a text within the length
 * limit) most of a minute with the event loop blocked. 5,000 is under a fifth of a second, and
 * 2,500 words in bold; code, where the marks are no emphasis, is not counted.
 */
export const EMPHASIS_MARKS_MAX = 5000;
/**
 * The most HTML tags (a `<` and a letter, `/`, `!` or `?`) a text may hold, code included:
 * inside an HTML block a fence or backticks are no code, and what they hold reaches the
 * sanitizer as tags. The sanitizer tracks every element left open, in more than linear time:
 * 200,000 unclosed `<div>` (a text within the length limit) took 14 seconds with the event loop
 * blocked, 20,000 unclosed `<a>` almost half a second; 10,000 of the costliest is under a tenth,
 * and far more than any article's own HTML and code examples.
 */
export const HTML_TAGS_MAX = 10_000;

/**
 * Fenced code blocks, which hold no emphasis. Each run of marks and the rest of a fence's line
 * is taken whole (a lookahead's capture, matched again: JavaScript has no atomic groups), so a
 * long run of backticks or tildes is read once, not retried from each of its marks; a fence
 * left open takes the rest of the text, so no other opening scans it again.
 */
const FENCED_CODE =
  /^ {0,3}(?=(`{3,}|~{3,}))\1(?=([^\n]*))\2\n[\s\S]*?(?:^ {0,3}\1[ \t]*$|(?![\s\S]))/gm;

/**
 * The text without its code: fenced blocks, then code spans. A span runs from a run of
 * backticks to the next run of the same length (CommonMark); a run with none after it is text.
 * Found in two passes over the runs (each run's next of its length, from the end): a regex
 * that tried each opening to the end of the text took seconds on runs of many lengths, and
 * minutes (with the event loop blocked) on one run of 190,000 backticks.
 */
function withoutCode(markdown: string): string {
  const text = markdown.replace(FENCED_CODE, '');
  const runs = [...text.matchAll(/`+/g)].map((m) => ({
    start: m.index,
    end: m.index + m[0].length,
    length: m[0].length,
  }));
  // For each run, the index of the next run of its length (-1: none), read from the end.
  const nextOfLength: number[] = [];
  const later = new Map<number, number>();
  for (let i = runs.length - 1; i >= 0; i--) {
    const length = runs[i]?.length ?? 0;
    nextOfLength[i] = later.get(length) ?? -1;
    later.set(length, i);
  }
  let outside = '';
  let from = 0;
  for (let i = 0; i < runs.length; i++) {
    const closing = runs[nextOfLength[i] ?? -1];
    if (!closing) continue;
    outside += text.slice(from, runs[i]?.start);
    from = closing.end;
    i = nextOfLength[i] ?? i;
  }
  return outside + text.slice(from);
}

/**
 * Whether the text would cost the parser or the sanitizer too much (a cheap scan): a line
 * nesting deeper than NESTING_PREFIX_MAX, more than EMPHASIS_MARKS_MAX emphasis marks outside
 * code, or more than HTML_TAGS_MAX tags anywhere.
 */
export function isTooNested(markdown: string): boolean {
  for (const match of markdown.matchAll(NESTING_PREFIX))
    if (match[0].length > NESTING_PREFIX_MAX) return true;
  return htmlTags(markdown) > HTML_TAGS_MAX || emphasisMarks(markdown) > EMPHASIS_MARKS_MAX;
}

/** How many `_` and `*` the text holds outside code. */
export function emphasisMarks(markdown: string): number {
  let marks = 0;
  const outsideCode = withoutCode(markdown);
  for (let i = 0; i < outsideCode.length; i++) {
    const c = outsideCode.charCodeAt(i);
    if (c === 0x5f || c === 0x2a) marks++;
  }
  return marks;
}

const TAG = /<[A-Za-z/!?]/g;

/** How many HTML tags the text holds, code included (HTML_TAGS_MAX). */
export function htmlTags(markdown: string): number {
  let tags = 0;
  for (TAG.lastIndex = 0; TAG.exec(markdown) !== null;) tags++;
  return tags;
}

/** Markdown → HTML that is safe to insert into a page as it is. */
export async function renderMarkdown(markdown: string): Promise<string> {
  if (isTooNested(markdown)) throw new MarkdownTooNestedError();
  marked ??= new (await import('marked')).Marked({
    gfm: true,
    breaks: false,
    async: false,
    walkTokens: markImagesInLinks,
    renderer: { image: imageFromElsewhere },
  });
  let raw: string;
  try {
    // Control characters in an article (pasted, imported) would reach the page as they are:
    // the HTML is inserted unescaped (withoutControlCharacters).
    raw = marked.parse(withoutControlCharacters(markdown), { async: false });
  } catch (error) {
    if (error instanceof RangeError) throw new MarkdownTooNestedError();
    throw error;
  }
  sanitize ??= createRequire(import.meta.url)('sanitize-html') as typeof sanitizeHtml;
  return sanitize(raw, SANITIZE_OPTIONS);
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: ' ',
};

/**
 * The readable text of sanitised article HTML: what search indexes and snippets quote.
 * Block ends become line breaks so words of adjacent paragraphs do not run together; a line
 * break of the Markdown source inside a paragraph is a space, so a line is always a whole block
 * (a heading, a paragraph, a list item).
 */
export function htmlToText(safeHtml: string): string {
  return safeHtml
    .replace(/\s*\n\s*/g, ' ')
    .replace(/<(?:br|hr)\s*\/?>/gi, '\n')
    .replace(/<\/?(?:p|h[1-6]|ul|ol|li|blockquote|pre|table|tr|th|td)\b[^>]*>/gi, '\n')
    .replace(/<img\b[^>]*\balt="([^"]*)"[^>]*>/gi, ' $1 ')
    .replace(/<[^>]*>/g, '')
    .replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
      if (!name.startsWith('#')) return ENTITIES[name.toLowerCase()] ?? whole;
      const code = /^#x/i.test(name) ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    })
    .replace(/[ \t]+/g, ' ')
    .replace(/\s*\n\s*/g, '\n')
    .trim();
}
