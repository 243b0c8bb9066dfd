import { API_KEY_ACTOR_PREFIX } from '../../api-keys/api-keys.js';
import type { AuditDetailKey, RequestMeta } from '../../audit/audit.js';
import { CLI_ACTOR, CLI_META, START_META, SYSTEM_ACTOR } from '../../audit/audit.js';
import type { AuditRow } from '../../audit/audit-query.js';
import { DAY_MS } from '../../clock.js';
import type { Locale, Messages } from '../../i18n/index.js';
import { formatDate, formatDateTime, formatEndTime } from '../../i18n/index.js';
import type { SafeHtml } from '../../lib/html.js';
import { html } from '../../lib/html.js';
import { errorSummary, field } from '../views/components.js';
import type { FieldErrors } from '../views/components.js';
import type { PageContext } from '../views/page-context.js';
import {
  eventLabel,
  methodTypeLabel,
  pagination,
  queryString,
  scrollTable,
  when,
} from './admin-components.js';
import { browserName, deviceLabel } from '../user-agent.js';
import { adminLayout } from './admin-layout.js';

type EventSource = Pick<AuditRow, 'actor_label' | 'ip' | 'user_agent'>;

/**
 * Portico's own act (the start that ships the knowledge base or makes the first administrator,
 * or the command line), known by its actor label, which only code sets: a request could send
 * the same address or user agent, and is shown as it came.
 */
function ownAct(e: EventSource): 'start' | 'cli' | null {
  const is = (label: string, meta: RequestMeta) =>
    e.actor_label === label && e.ip === meta.ip && e.user_agent === meta.userAgent;
  return is(SYSTEM_ACTOR, START_META) ? 'start' : is(CLI_ACTOR, CLI_META) ? 'cli' : null;
}

/** An event's network address; Portico's own acts, from this server, in words. */
export function ipCell(ctx: PageContext, e: EventSource): string {
  return ownAct(e) ? ctx.t.admin.auditPage.thisServer : (e.ip ?? '');
}

/** An event's browser; Portico's own acts in words. */
function eventAgentCell(ctx: PageContext, e: EventSource): SafeHtml | string {
  const own = ownAct(e);
  const a = ctx.t.admin.auditPage;
  return own === 'start' ? a.startUp : own === 'cli' ? a.commandLine : agentCell(ctx, e.user_agent);
}

/**
 * A person an event names, linked to their page; an account removed since (the log outlives
 * it) as words, with its id for searching the log, not as a link to a missing page.
 */
export function person(
  ctx: PageContext,
  id: string,
  name: string | null,
  email: string | null,
): SafeHtml {
  if (name === null) {
    return html`${ctx.t.admin.auditPage.removedAccount}<br /><span class="hint">${id}</span>`;
  }
  return html`<a href="/admin/users/${id}">${name}</a>
    ${email ? html`<br /><span class="hint">${email}</span>` : ''}`;
}

/** Who did it: a person (with the API key they used, if any), or a label such as "cli". */
export function actorCell(ctx: PageContext, e: AuditRow): SafeHtml {
  const a = ctx.t.admin.auditPage;
  const viaKey = e.actor_label?.startsWith(API_KEY_ACTOR_PREFIX)
    ? a.viaApiKey(e.actor_label.slice(API_KEY_ACTOR_PREFIX.length))
    : null;
  if (e.actor_user_id) {
    return html`${person(ctx, e.actor_user_id, e.actor_name, e.actor_email)}
    ${viaKey ? html`<br /><span class="hint">${viaKey}</span>` : ''}`;
  }
  if (viaKey) return html`${viaKey}`;
  if (e.actor_label === SYSTEM_ACTOR) return html`${a.system}`;
  if (e.actor_label === CLI_ACTOR) return html`${a.commandLine}`;
  if (e.actor_label) return html`<code>${e.actor_label}</code>`;
  return html`${ctx.t.admin.common.none}`;
}

/**
 * The browser in words ("Edge on Windows"), the whole User-Agent on hover and in the CSV; a
 * string no browser sends (a script's, "cli") as it is.
 */
export function agentCell(ctx: PageContext, userAgent: string | null): SafeHtml | string {
  if (!userAgent) return '';
  const { browser, system } = browserName(userAgent);
  return browser || system
    ? html`<span title="${userAgent}">${deviceLabel(ctx.t, userAgent)}</span>`
    : userAgent;
}

function targetCell(ctx: PageContext, e: AuditRow): SafeHtml {
  if (!e.target_user_id) return html`${ctx.t.admin.common.none}`;
  return person(ctx, e.target_user_id, e.target_name, e.target_email);
}

/**
 * Details that are moments, stored as epoch milliseconds (`two_factor.policy_changed`
 * graceUntil, `two_factor.locked` until), and how people read them. The settings page stores
 * the end of a grace period as the first moment after the day it was given, so a whole day is
 * shown as that day, as on the set-up screen; a moment set through the API keeps its time.
 */
const TIME_DETAILS = new Map<string, (locale: Locale, ms: number) => string>([
  [
    'graceUntil',
    (locale, ms) => (ms % DAY_MS === 0 ? formatDate(locale, ms - 1) : formatDateTime(locale, ms)),
  ],
  // A lock's end, rounded up as the user's page and the mails write it.
  ['until', formatEndTime],
]);

interface DetailTables {
  names: Map<string, string>;
  /** Words for the codes a detail holds, by the detail's name. */
  codes: Map<string, Map<string, string>>;
}

const tablesByLanguage = new WeakMap<Messages, DetailTables>();

/**
 * The words for details, in a language: the audit log's own (`auditDetails`), and those the
 * console already has for the same things, taken from where they are: the two-factor
 * settings' labels, the method types, an article's states. Made once per language; as maps,
 * so a name read from the database never finds an inherited property.
 */
function detailTables(t: Messages): DetailTables {
  const known = tablesByLanguage.get(t);
  if (known) return known;
  const own = t.admin.auditDetails;
  const settings = t.twoFactor.admin;
  const names = {
    ...own.names,
    totp: settings.appMethod,
    webauthn: settings.securityKeysMethod,
    require: settings.requireLegend,
    graceUntil: settings.graceLabel,
  } satisfies Record<AuditDetailKey, string>;
  const method = {
    totp: methodTypeLabel(t, 'totp'),
    email: methodTypeLabel(t, 'email'),
    webauthn: methodTypeLabel(t, 'webauthn'),
    ...own.values.method,
  };
  const codes: Record<string, Record<string, string>> = {
    ...own.values,
    method,
    // Details whose codes are worded as another detail's are.
    kind: method,
    type: method,
    methods: method,
    require: { nobody: settings.nobody, groups: settings.selectedGroups, all: settings.allUsers },
    status: { draft: t.kbAdmin.draft, published: t.kbAdmin.published },
  };
  const tables: DetailTables = {
    names: new Map(Object.entries(names)),
    codes: new Map(
      Object.entries(codes).map(([name, words]) => [name, new Map(Object.entries(words))]),
    ),
  };
  tablesByLanguage.set(t, tables);
  return tables;
}

/** A detail's name; `email` of the two-factor settings says whether that method is on. */
function detailName(ctx: PageContext, key: string, value: unknown): string {
  if (key === 'email' && typeof value === 'boolean') return ctx.t.twoFactor.admin.emailMethod;
  return detailTables(ctx.t).names.get(key) ?? key;
}

function detailValue(ctx: PageContext, key: string, value: unknown): string {
  const { common } = ctx.t.admin;
  if (value === null || value === undefined || value === '') return common.none;
  if (typeof value === 'boolean' && key !== 'untilReset') return value ? common.yes : common.no;
  const time = TIME_DETAILS.get(key);
  if (typeof value === 'number' && time) return time(ctx.locale, value);
  if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
    return JSON.stringify(value);
  }
  const codes = detailTables(ctx.t).codes.get(key);
  if (!codes) return String(value);
  // A list of codes, such as the methods an administrator's reset removed.
  if (key === 'methods' && typeof value === 'string') {
    return value
      .split(',')
      .map((code) => codes.get(code) ?? code)
      .join(', ');
  }
  return codes.get(String(value)) ?? String(value);
}

/**
 * The event's details, one per line as "Name: value" in the reader's language (they never hold
 * secrets): codes in words, moments as dates. Details recorded as something else than an
 * object are shown as they were.
 */
export function detailsList(ctx: PageContext, details: string | null): SafeHtml | string {
  if (!details) return '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(details);
  } catch {
    return details;
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) return details;
  return html`<ul class="audit-details">
    ${Object.entries(parsed).map(
      ([key, value]) =>
        html`<li>${detailName(ctx, key, value)}: ${detailValue(ctx, key, value)}</li>`,
    )}
  </ul>`;
}

export interface AuditFilterForm {
  user: string;
  /**
   * The account the address belongs to, when the link came from that account's page: then an
   * address it has not verified finds it too. Ignored for another address.
   */
  account: string;
  event: string;
  from: string;
  to: string;
}

export function auditPage(
  ctx: PageContext,
  data: {
    filters: AuditFilterForm;
    eventTypes: string[];
    errors: FieldErrors;
    page: number;
    pages: number;
    total: number;
    events: AuditRow[];
  },
): SafeHtml {
  const { t } = ctx;
  const a = t.admin.auditPage;
  const f = data.filters;
  const filterQuery = { user: f.user, account: f.account, event: f.event, from: f.from, to: f.to };
  // A type that has not happened yet can still be asked for; one that does not exist is not
  // offered (its error says so).
  const types =
    data.eventTypes.includes(f.event) || !f.event || data.errors.event
      ? data.eventTypes
      : [...data.eventTypes, f.event];
  return adminLayout(ctx, {
    section: 'audit',
    sectionIndex: true,
    wide: true,
    title: a.heading,
    main: html`<h1>${a.heading}</h1>
      <p class="lead">${a.intro}</p>
      ${errorSummary(ctx, data.errors)}
      <form
        method="get"
        action="/admin/audit"
        class="audit-filters"
        aria-label="${a.filtersLabel}"
        novalidate
      >
        ${field({ name: 'user', label: a.user, type: 'email', value: f.user, errors: data.errors, hint: a.userHint, autocomplete: 'off' })}
        ${f.account ? html`<input type="hidden" name="account" value="${f.account}" />` : ''}
        <div class="${data.errors.event ? 'field field-error' : 'field'}">
          <label for="event">${a.event}</label>
          ${data.errors.event ? html`<p class="error-message" id="event-error">${data.errors.event}</p>` : ''}
          <select
            id="event"
            name="event"
            ${data.errors.event ? html`aria-describedby="event-error" aria-invalid="true"` : ''}
          >
            <option value="">${a.allEvents}</option>
            ${types.map(
              (type) =>
                html`<option value="${type}" ${type === f.event ? html`selected` : ''}>
                  ${eventLabel(t, type)}
                </option>`,
            )}
          </select>
        </div>
        ${field({ name: 'from', label: a.from, type: 'date', value: f.from, errors: data.errors, hint: a.dateHint })}
        ${field({ name: 'to', label: a.to, type: 'date', value: f.to, errors: data.errors, hint: a.dateHint })}
        <div class="actions audit-filter-actions">
          <button type="submit" class="button">${a.filter}</button>
          <a href="/admin/audit">${a.clear}</a>
          <a href="/admin/audit.csv${queryString(filterQuery)}" download>${a.download}</a>
        </div>
      </form>
      <p role="status">${data.total === 0 ? a.noEvents : a.count(data.total)}</p>
      ${
        data.events.length === 0
          ? ''
          : html`${scrollTable(
              a.heading,
              html` <table class="table audit-table">
                <thead>
                  <tr>
                    <th scope="col">${a.when}</th>
                    <th scope="col">${a.what}</th>
                    <th scope="col">${a.actor}</th>
                    <th scope="col">${a.target}</th>
                    <th scope="col">${a.ip}</th>
                    <th scope="col">${a.userAgent}</th>
                    <th scope="col">${a.details}</th>
                  </tr>
                </thead>
                <tbody>
                  ${data.events.map(
                    (e) =>
                      html`<tr>
                        <td>${when(ctx, e.created_at)}</td>
                        <td>${eventLabel(t, e.event)}<br /><code class="hint">${e.event}</code></td>
                        <td>${actorCell(ctx, e)}</td>
                        <td>${targetCell(ctx, e)}</td>
                        <td>${ipCell(ctx, e)}</td>
                        <td class="user-agent">${eventAgentCell(ctx, e)}</td>
                        <td>${detailsList(ctx, e.details)}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>`,
            )}`
      }
      ${pagination(ctx, data.page, data.pages, (page) => `/admin/audit${queryString({ ...filterQuery, page })}`)}`,
  });
}
