import type { HtmlValue, SafeHtml } from '../../lib/html.js';
import { html } from '../../lib/html.js';
import type { PageContext } from './page-context.js';

export type FieldErrors = Record<string, string>;

export function csrfField(ctx: PageContext): SafeHtml {
  return html`<input type="hidden" name="_csrf" value="${ctx.csrfToken}" />`;
}

/**
 * Lists the errors at the top of a form, each linking to its field (WCAG 3.3.1). It takes the
 * focus when the page opens (without JavaScript), so the next Tab leads to the first error's
 * link, not through the header and menu again.
 */
export function errorSummary(ctx: PageContext, errors: FieldErrors): SafeHtml {
  const entries = Object.entries(errors);
  if (entries.length === 0) return html``;
  return html`<div
    class="error-summary"
    role="alert"
    aria-labelledby="error-summary-title"
    tabindex="-1"
    autofocus
  >
    <h2 id="error-summary-title">${ctx.t.common.errorSummary}</h2>
    <ul>
      ${entries.map(([field, message]) => html`<li><a href="#${field}">${message}</a></li>`)}
    </ul>
  </div>`;
}

/**
 * A refusal that belongs to no single field (a failed log-in, a code asked for too soon). It
 * takes the focus when the page opens, as the error summary does: a screen reader does not
 * always read an alert that is already on the page it loads.
 */
export function formError(message: string | null | undefined): SafeHtml {
  return message
    ? html`<div class="notice notice-error" role="alert" tabindex="-1" autofocus>${message}</div>`
    : html``;
}

/**
 * A message in the page as it opens: a notice left by the previous request, or "We sent a code
 * to …". Screen readers do not announce what a live region held from the start, so
 * public/notices.js hands the words to an empty one once the page has loaded (WCAG 4.1.3).
 * Without JavaScript the message is still seen, and read where it stands.
 */
export function announced(
  content: HtmlValue,
  options: {
    kind?: string;
    role?: 'status' | 'alert';
    element?: 'div' | 'p';
    /**
     * false: the message only stands on the page, as it did on the one before (a form sent
     * back with an error still says where the code went; that is not news to be read out
     * after the error).
     */
    announce?: boolean;
  } = {},
): SafeHtml {
  const role = options.role ?? 'status';
  const kind = options.kind ? ` notice-${options.kind}` : '';
  const announce = options.announce !== false;
  const attributes = announce ? html`role="${role}" data-announce` : html`role="${role}"`;
  const body =
    options.element === 'p'
      ? html`<p class="notice${kind}" ${attributes}>${content}</p>`
      : html`<div class="notice${kind}" ${attributes}>${content}</div>`;
  return announce
    ? html`${body}
        <script src="/assets/notices.js" defer></script>`
    : body;
}

/**
 * Whether a page's field may take the focus when it opens: not while a refusal or an error
 * summary above it does (one `autofocus` a page; the first would win anyway).
 */
export function fieldMayTakeFocus(state: {
  formError?: string | null;
  errors?: FieldErrors;
}): boolean {
  return !state.formError && Object.keys(state.errors ?? {}).length === 0;
}

export interface FieldOptions {
  name: string;
  label: string;
  type?: 'text' | 'email' | 'password' | 'date' | 'search';
  value?: string;
  errors?: FieldErrors;
  autocomplete?: string;
  /**
   * Announced by screen readers; no visual asterisk: nearly every field is required, and the
   * label must stay exactly the words of SPEC §2 (people and tests find fields by it).
   */
  required?: boolean;
  hint?: string;
  maxlength?: number;
  /** Code fields: numeric keyboard and one-time-code autofill (SPEC §7). */
  code?: boolean;
  pattern?: string;
  autofocus?: boolean;
  readonly?: boolean;
}

/** A labelled input with its hint and error tied to it through aria-describedby. */
export function field(options: FieldOptions): SafeHtml {
  const error = options.errors?.[options.name];
  const describedBy = [
    options.hint ? `${options.name}-hint` : '',
    error ? `${options.name}-error` : '',
  ]
    .filter(Boolean)
    .join(' ');
  const type = options.type ?? 'text';
  return html`<div class="${error ? 'field field-error' : 'field'}">
    <label for="${options.name}">${options.label}</label>
    ${options.hint ? html`<p class="hint" id="${options.name}-hint">${options.hint}</p>` : ''}
    ${error ? html`<p class="error-message" id="${options.name}-error">${error}</p>` : ''}
    <input
      id="${options.name}"
      name="${options.name}"
      type="${type}"
      ${type === 'password' ? '' : html`value="${options.value ?? ''}"`}
      ${options.autocomplete ? html`autocomplete="${options.autocomplete}"` : ''}
      ${options.required ? html`required` : ''}
      ${options.maxlength ? html`maxlength="${options.maxlength}"` : ''}
      ${options.code ? html`inputmode="numeric" autocomplete="one-time-code"` : ''}
      ${options.pattern ? html`pattern="${options.pattern}"` : ''}
      ${options.autofocus ? html`autofocus` : ''}
      ${options.readonly ? html`readonly` : ''}
      ${describedBy ? html`aria-describedby="${describedBy}"` : ''}
      ${error ? html`aria-invalid="true"` : ''}
    />
  </div>`;
}

export function button(
  label: string,
  options: { name?: string; value?: string; secondary?: boolean } = {},
): SafeHtml {
  return html`<button
    type="submit"
    class="${options.secondary ? 'button secondary' : 'button'}"
    ${options.name ? html`name="${options.name}" value="${options.value ?? ''}"` : ''}
  >
    ${label}
  </button>`;
}

export function form(
  ctx: PageContext,
  action: string,
  body: HtmlValue,
  options: { id?: string; className?: string; data?: Record<string, string> } = {},
): SafeHtml {
  return html`<form
    method="post"
    action="${action}"
    novalidate
    ${options.id ? html`id="${options.id}"` : ''}
    class="${options.className ?? 'stack'}"
    ${Object.entries(options.data ?? {}).map(([name, value]) => html` data-${name}="${value}"`)}
  >
    ${csrfField(ctx)} ${body}
  </form>`;
}

/**
 * How to reach the helpdesk (PORTICO_SUPPORT_CONTACT), under a text that tells people to
 * contact it; nothing when it is not configured.
 */
export function supportContactLine(ctx: PageContext): SafeHtml | '' {
  const contact = ctx.supportContact;
  if (!contact) return '';
  return html`<p class="hint support-contact">
    ${ctx.t.common.supportContact} <a href="${contact.href}">${contact.label}</a>
  </p>`;
}
