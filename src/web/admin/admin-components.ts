import type { MethodType } from '../../db/schema.js';
import type { Messages } from '../../i18n/index.js';
import { formatDateTime } from '../../i18n/index.js';
import type { SafeHtml } from '../../lib/html.js';
import { html } from '../../lib/html.js';
import type { PageContext } from '../views/page-context.js';

/** A time for people, or "Never" when there is none. */
export function when(ctx: PageContext, ms: number | null): string {
  return ms === null ? ctx.t.admin.common.never : formatDateTime(ctx.locale, ms);
}

export function methodTypeLabel(t: Messages, type: MethodType): string {
  const words = t.admin.userPage;
  return type === 'totp' ? words.typeTotp : type === 'email' ? words.typeEmail : words.typeWebauthn;
}

/** The name of an audit event type in the reader's language; its code when it has none. */
export function eventLabel(t: Messages, event: string): string {
  const names: Record<string, string | undefined> = t.admin.events;
  return names[event] ?? event;
}

/**
 * "Previous / Page n of m / Next" under a list. The links keep the list's filters: `hrefFor`
 * builds the address of a page.
 */
export function pagination(
  ctx: PageContext,
  page: number,
  pages: number,
  hrefFor: (page: number) => string,
): SafeHtml {
  if (pages <= 1) return html``;
  const t = ctx.t.admin.common;
  return html`<nav class="pagination" aria-label="${t.paginationLabel}">
    ${page > 1 ? html`<a href="${hrefFor(page - 1)}" rel="prev">${t.previous}</a>` : ''}
    <span aria-current="page">${t.pageOf(page, pages)}</span>
    ${page < pages ? html`<a href="${hrefFor(page + 1)}" rel="next">${t.next}</a>` : ''}
  </nav>`;
}

/** A query string from the filters that are set (empty ones are left out). */
export function queryString(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  const query = params.toString();
  return query ? `?${query}` : '';
}

/** The page number of a list from its query (1 when missing or nonsense). */
export function pageNumber(raw: string): number {
  const page = /^\d{1,6}$/.test(raw) ? Number(raw) : 1;
  return Math.max(1, page);
}
