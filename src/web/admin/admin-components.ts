import type { MethodType } from '../../db/schema.js';
import type { Messages } from '../../i18n/index.js';
import { formatDateTime, formatShortDate } from '../../i18n/index.js';
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
  // A number past any list's end goes on as the largest page asked for, which the lists send
  // to their last page; not as page 1.
  const page = /^\d+$/.test(raw) ? Math.min(Number(raw), 999_999) : 1;
  return Math.max(1, page);
}

/** The `page` of a link to the last page: none for a list of one page, as the first has none. */
export function lastPage(pages: number): number | undefined {
  return pages > 1 ? pages : undefined;
}

/** Every value of a repeated form field (checkboxes), strings only. */
export function values(body: unknown, name: string): string[] {
  if (typeof body !== 'object' || body === null) return [];
  const value = (body as Record<string, unknown>)[name];
  const all = Array.isArray(value) ? value : [value];
  return all.filter((v): v is string => typeof v === 'string' && !v.includes('\0'));
}

/** Ids the app makes are UUIDs; anything else in a path is no record of ours. */
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export type AdminNoticeKind =
  | 'groupCreated'
  | 'groupRenamed'
  | 'groupDeleted'
  | 'memberAdded'
  | 'memberAlreadyIn'
  | 'memberRemoved'
  | 'userDisabled'
  | 'userEnabled'
  | 'adminGranted'
  | 'adminRevoked'
  | 'signedOutEverywhere'
  | 'secondFactorUnlocked'
  | 'apiKeyRevoked'
  | 'kbArticleDeleted';

/** The flash argument of an admin notice: its kind and the name it mentions. */
export function adminNotice(kind: AdminNoticeKind, arg: string): string {
  return `${kind}:${arg}`;
}

/** The words of an admin notice left by the previous request (see `adminNotice`). */
export function adminNoticeText(t: Messages, raw: string): string {
  const at = raw.indexOf(':');
  const kind = raw.slice(0, at) as AdminNoticeKind;
  const arg = raw.slice(at + 1);
  const { groupsPage: g, userPage: u, apiKeysPage: k } = t.admin;
  switch (kind) {
    case 'groupCreated':
      return g.created(arg);
    case 'groupRenamed':
      return g.renamed(arg);
    case 'groupDeleted':
      return g.deleted(arg);
    case 'memberAdded':
      return g.memberAdded(arg);
    case 'memberAlreadyIn':
      return g.memberAlreadyIn(arg);
    case 'memberRemoved':
      return g.memberRemoved(arg);
    case 'userDisabled':
      return u.disabledNotice(arg);
    case 'userEnabled':
      return u.enabledNotice(arg);
    case 'adminGranted':
      return u.adminGranted(arg);
    case 'adminRevoked':
      return u.adminRevoked(arg);
    case 'signedOutEverywhere':
      return u.signedOutEverywhere(arg);
    case 'secondFactorUnlocked':
      return u.secondFactorUnlocked(arg);
    case 'apiKeyRevoked':
      return k.revokedNotice(arg);
    case 'kbArticleDeleted':
      return t.kbAdmin.articleDeleted(arg);
    default:
      return t.common.saved;
  }
}

/** A checkbox or radio button with its label after it. */
export function choice(options: {
  type: 'checkbox' | 'radio';
  id: string;
  name: string;
  value: string;
  label: string;
  checked: boolean;
  describedBy?: string;
}): SafeHtml {
  return html`<div class="choice">
    <input
      type="${options.type}"
      id="${options.id}"
      name="${options.name}"
      value="${options.value}"
      ${options.checked ? html`checked` : ''}
      ${options.describedBy ? html`aria-describedby="${options.describedBy}"` : ''}
    />
    <label for="${options.id}">${options.label}</label>
  </div>`;
}

/**
 * A wide table in a box that scrolls sideways on narrow screens. The box can take keyboard
 * focus and is a named region, so the part out of view can be reached without a mouse (WCAG
 * 2.1.1; axe "scrollable-region-focusable").
 */
export function scrollTable(label: string, table: SafeHtml): SafeHtml {
  return html`<div class="table-scroll" role="region" aria-label="${label}" tabindex="0">
    ${table}
  </div>`;
}

/**
 * An account's state as badges, the same on the user list and on a user's page: the
 * administrator badge when it applies, beside exactly one of Disabled, Email not verified (no
 * verified address, so it cannot log in yet) or Active.
 */
export function accountStatusBadges(
  t: Messages,
  account: { isAdmin: boolean; disabled: boolean; emailVerified: boolean },
): SafeHtml {
  const c = t.admin.common;
  const state = account.disabled
    ? html`<span class="badge badge-warning">${c.disabled}</span>`
    : account.emailVerified
      ? html`<span class="badge badge-success">${c.active}</span>`
      : html`<span class="badge badge-warning">${c.emailNotVerified}</span>`;
  return html`${account.isAdmin ? html`<span class="badge">${c.administrator}</span> ` : ''}${state}`;
}

/**
 * A day in a table column, in few characters and never broken over lines; the exact time is
 * in its `datetime` and title.
 */
export function shortDate(ctx: PageContext, ms: number): SafeHtml {
  return html`<time
    class="nowrap"
    datetime="${new Date(ms).toISOString()}"
    title="${formatDateTime(ctx.locale, ms)}"
    >${formatShortDate(ctx.locale, ms)}</time
  >`;
}

/**
 * An email address that may break before its "@" and its dots when its column is narrow:
 * unbroken, one long address widens a table past its box (`<wbr>` adds no character, so the
 * address copies and reads as it is).
 */
export function breakableEmail(email: string): SafeHtml {
  return html`${email.split(/(?=[@.])/).map((part, i) => (i === 0 ? part : html`<wbr />${part}`))}`;
}
