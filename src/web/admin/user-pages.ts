import type { UserDetail, UserSummary } from '../../admin/user-directory.js';
import { isLockedUntilReset } from '../../two-factor/constants.js';
import { formatEndTime } from '../../i18n/index.js';
import type { SafeHtml } from '../../lib/html.js';
import { html } from '../../lib/html.js';
import { deviceLabel } from '../user-agent.js';
import { csrfField, errorSummary } from '../views/components.js';
import type { PageContext } from '../views/page-context.js';
import {
  accountStatusBadges,
  breakableEmail,
  eventLabel,
  methodTypeLabel,
  pagination,
  queryString,
  scrollTable,
  shortDate,
  when,
} from './admin-components.js';
import { adminLayout } from './admin-layout.js';
import { actorCell, agentCell, detailsList, ipCell, person } from './audit-pages.js';

export function usersPage(
  ctx: PageContext,
  data: {
    query: string;
    /** Only those without a second factor (`2fa=none`). */
    withoutTwoFactor?: boolean;
    page: number;
    pages: number;
    total: number;
    users: UserSummary[];
    /** Why the search was not run (a search given twice in the address). */
    error?: string;
  },
): SafeHtml {
  const { t } = ctx;
  const u = t.admin.usersPage;
  const error = data.error;
  return adminLayout(ctx, {
    section: 'users',
    sectionIndex: true,
    wide: true,
    title: u.heading,
    main: html`<h1>${u.heading}</h1>
      ${error ? errorSummary(ctx, { q: error }) : ''}
      <form method="get" action="/admin/users" class="search-form admin-search" role="search">
        <label for="q" class="visually-hidden">${u.searchLabel}</label>
        <input
          type="search"
          id="q"
          name="q"
          value="${data.query}"
          placeholder="${u.searchLabel}"
          maxlength="200"
          ${error ? html`aria-describedby="q-error" aria-invalid="true"` : ''}
        />
        ${data.withoutTwoFactor ? html`<input type="hidden" name="2fa" value="none" />` : ''}
        <button type="submit" class="button">${u.search}</button>
      </form>
      ${error ? html`<p class="error-message" id="q-error">${error}</p>` : ''}
      <p role="status">
        ${data.withoutTwoFactor && !error ? u.withoutTwoFactorFilter : ''}
        ${error ? '' : data.query && data.total === 0 ? u.noMatch(data.query) : u.count(data.total)}
        ${data.query || data.withoutTwoFactor || error ? html` <a href="/admin/users">${u.clear}</a>` : ''}
      </p>
      ${
        data.users.length === 0
          ? ''
          : html`${scrollTable(
              u.heading,
              html` <table class="table">
                <thead>
                  <tr>
                    <th scope="col">${u.name}</th>
                    <th scope="col">${u.email}</th>
                    <th scope="col">${u.twoFactor}</th>
                    <th scope="col">${u.status}</th>
                    <th scope="col">${u.created}</th>
                  </tr>
                </thead>
                <tbody>
                  ${data.users.map(
                    (user) =>
                      html`<tr>
                        <td><a href="/admin/users/${user.id}">${user.name}</a></td>
                        <td class="email-cell">${user.email ? breakableEmail(user.email) : ''}</td>
                        <td>
                          ${
                            user.methods.length === 0
                              ? html`<span class="badge badge-muted">${u.notSetUp}</span>`
                              : user.methods.map(
                                  (m) =>
                                    html`<span class="badge badge-success"
                                      >${methodTypeLabel(t, m)}</span
                                    > `,
                                )
                          }
                        </td>
                        <td>${accountStatusBadges(t, user)}</td>
                        <td>${shortDate(ctx, user.createdAt)}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>`,
            )}`
      }
      ${pagination(
        ctx,
        data.page,
        data.pages,
        (page) =>
          `/admin/users${queryString({ q: data.query, ...(data.withoutTwoFactor ? { '2fa': 'none' } : {}), page })}`,
      )}`,
  });
}

function postButton(
  ctx: PageContext,
  action: string,
  label: string,
  options: { danger?: boolean; secondary?: boolean } = {},
): SafeHtml {
  const className = options.danger
    ? 'button danger'
    : options.secondary
      ? 'button secondary'
      : 'button';
  return html`<form method="post" action="${action}" class="inline-form">
    ${csrfField(ctx)}
    <button type="submit" class="${className}">${label}</button>
  </form>`;
}

/** A user's page (SPEC §2.7, issue "Administration"): who they are and what can be done. */
/**
 * The audit log filtered to this account: by a verified address, or, for an account that has
 * verified none, by its first address together with its id (such an address alone finds no
 * one: anyone may put an address on an account).
 */
function auditQuery(
  userId: string,
  addresses: ReadonlyArray<{ email: string; verified_at: number | null }>,
): string {
  const verified = addresses.find((address) => address.verified_at !== null);
  if (verified) return queryString({ user: verified.email });
  return queryString({ user: addresses[0]?.email, account: userId });
}

export function userPage(
  ctx: PageContext,
  data: { detail: UserDetail; self: boolean; required: boolean; now: number },
): SafeHtml {
  const { t } = ctx;
  const p = t.admin.userPage;
  const a = t.twoFactor.admin;
  const { user, addresses, groups, methods, sessions, trustedDevices, events } = data.detail;
  const base = `/admin/users/${user.id}`;
  const locked =
    user.second_factor_locked_until !== null && user.second_factor_locked_until > data.now;
  return adminLayout(ctx, {
    section: 'users',
    title: user.name,
    main: html`<p><a href="/admin/users">${t.admin.usersPage.heading}</a></p>
      <h1>${user.name}</h1>
      <p class="badges">
        ${accountStatusBadges(t, {
          isAdmin: user.is_admin === 1,
          disabled: user.disabled_at !== null,
          emailVerified: addresses.some((address) => address.verified_at !== null),
        })}
      </p>

      <h2>${p.addresses}</h2>
      <ul class="plain-list">
        ${addresses.map(
          (address) =>
            html`<li>
              ${address.email}
              ${address.is_primary === 1 ? html`<span class="badge">${p.primary}</span>` : ''}
              ${address.verified_at !== null ? html`<span class="badge badge-success">${p.verified}</span>` : html`<span class="badge badge-warning">${p.unverified}</span>`}
            </li>`,
        )}
      </ul>

      <h2>${p.groups}</h2>
      ${
        groups.length === 0
          ? html`<p>${p.noGroups}</p>`
          : html`<ul class="plain-list">
              ${groups.map((g) => html`<li><a href="/admin/groups/${g.id}">${g.name}</a></li>`)}
            </ul>`
      }

      <h2>${p.methods}</h2>
      <p>${data.required ? p.required : p.notRequired}</p>
      ${
        locked && user.second_factor_locked_until
          ? html`<p class="notice notice-error">
                ${
                  isLockedUntilReset(user.second_factor_locked_until)
                    ? p.lockedUntilReset
                    : p.lockedUntil(formatEndTime(ctx.locale, user.second_factor_locked_until))
                }
              </p>
              ${
                data.self
                  ? ''
                  : html`<p class="hint">${p.unlockHint}</p>
                      <div class="actions">
                        ${postButton(ctx, `${base}/unlock-2fa`, p.unlockButton, { secondary: true })}
                      </div>`
              }`
          : ''
      }
      ${
        methods.length === 0
          ? html`<p>${p.noMethods}</p>`
          : html`${scrollTable(
                p.methods,
                html` <table class="table">
                  <thead>
                    <tr>
                      <th scope="col">${p.methodName}</th>
                      <th scope="col">${p.methodType}</th>
                      <th scope="col">${p.methodCreated}</th>
                      <th scope="col">${p.methodLastUsed}</th>
                    </tr>
                  </thead>
                  <tbody>
                    ${methods.map(
                      (m) =>
                        html`<tr>
                          <td>
                            ${m.name}${m.email ? html`<br /><span class="hint">${m.email}</span>` : ''}
                          </td>
                          <td>${methodTypeLabel(t, m.type)}</td>
                          <td>${when(ctx, m.createdAt)}</td>
                          <td>${when(ctx, m.lastUsedAt)}</td>
                        </tr>`,
                    )}
                  </tbody>
                </table>`,
              )}
              <p>${p.recoveryLeft(data.detail.recoveryCodesLeft)}</p>`
      }

      <section class="admin-action" aria-labelledby="reset-heading">
        <h2 id="reset-heading">${a.resetHeading}</h2>
        ${
          data.self
            ? html`<p>${a.cannotResetSelf}</p>`
            : methods.length === 0
              ? html`<p>${p.nothingToReset}</p>`
              : html`<p>
                    ${p.resetIntro} ${data.required ? p.resetThenRequired : p.resetThenOptional}
                  </p>
                  <p><a class="button danger" href="${base}/reset-2fa">${a.resetButton}</a></p>`
        }
      </section>

      <h2>${p.sessions}</h2>
      ${
        sessions.length === 0
          ? html`<p>${p.noSessions}</p>`
          : html`${scrollTable(
              p.sessions,
              html` <table class="table">
                <thead>
                  <tr>
                    <th scope="col">${p.sessionStarted}</th>
                    <th scope="col">${p.sessionLastSeen}</th>
                    <th scope="col">${p.ipAddress}</th>
                    <th scope="col">${p.browser}</th>
                    <th scope="col">${p.withSecondFactor}</th>
                  </tr>
                </thead>
                <tbody>
                  ${sessions.map(
                    (s) =>
                      html`<tr>
                        <td>${when(ctx, s.createdAt)}</td>
                        <td>${when(ctx, s.lastSeenAt)}</td>
                        <td>${s.ip}</td>
                        <td class="user-agent">${agentCell(ctx, s.userAgent)}</td>
                        <td>${s.secondFactor ? t.admin.common.yes : t.admin.common.no}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>`,
            )}`
      }
      ${sessions.length > 0 ? html`<div class="actions">${postButton(ctx, `${base}/sign-out`, p.signOutEverywhere, { secondary: true })}</div>` : ''}

      <h2>${p.trustedDevices}</h2>
      ${
        trustedDevices.length === 0
          ? html`<p>${p.noTrustedDevices}</p>`
          : scrollTable(
              p.trustedDevices,
              html`<table class="table">
                <thead>
                  <tr>
                    <th scope="col">${p.browser}</th>
                    <th scope="col">${p.firstUsed}</th>
                    <th scope="col">${p.lastUsed}</th>
                    <th scope="col">${p.trustedUntil}</th>
                  </tr>
                </thead>
                <tbody>
                  ${trustedDevices.map(
                    (d) =>
                      html`<tr>
                        <td>${deviceLabel(ctx.t, d.userAgent)}</td>
                        <td>${when(ctx, d.createdAt)}, ${d.createdIp}</td>
                        <td>${when(ctx, d.lastUsedAt)}, ${d.lastUsedIp}</td>
                        <td>${when(ctx, d.expiresAt)}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>`,
            )
      }

      <h2>${p.events}</h2>
      ${
        events.length === 0
          ? html`<p>${p.noEvents}</p>`
          : html`${scrollTable(
              p.events,
              html` <table class="table">
                <thead>
                  <tr>
                    <th scope="col">${t.admin.auditPage.when}</th>
                    <th scope="col">${t.admin.auditPage.what}</th>
                    <th scope="col">${t.admin.auditPage.actor}</th>
                    <th scope="col">${t.admin.auditPage.ip}</th>
                  </tr>
                </thead>
                <tbody>
                  ${events.map(
                    (e) =>
                      html`<tr>
                        <td>${when(ctx, e.created_at)}</td>
                        <td>
                          ${eventLabel(t, e.event)}
                          ${
                            // Done by this person to someone else: say to whom.
                            e.target_user_id && e.target_user_id !== user.id
                              ? html`<br /><span class="hint"
                                    >${t.admin.auditPage.target}:
                                    ${person(ctx, e.target_user_id, e.target_name, null)}</span
                                  >`
                              : ''
                          }
                          ${detailsList(ctx, e.details)}
                        </td>
                        <td>${actorCell(ctx, e)}</td>
                        <td>${ipCell(ctx, e)}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>`,
            )}`
      }
      <p><a href="/admin/audit${auditQuery(user.id, addresses)}">${p.allEvents}</a></p>

      <section class="danger-zone" aria-labelledby="account-heading">
        <h2 id="account-heading">${p.account}</h2>
        ${
          data.self
            ? html`<p>${p.errors.SELF}</p>`
            : html`<p>${p.disableNote}</p>
                <div class="actions">
                  ${
                    user.disabled_at === null
                      ? html`<a class="button danger" href="${base}/disable">${p.disable}</a>`
                      : postButton(ctx, `${base}/enable`, p.enable)
                  }
                </div>
                ${user.is_admin === 1 ? '' : html`<p>${p.makeAdminNote}</p>`}
                <div class="actions">
                  ${
                    user.is_admin === 1
                      ? html`<a class="button danger" href="${base}/revoke-admin"
                          >${p.revokeAdmin}</a
                        >`
                      : html`<a class="button secondary" href="${base}/grant-admin"
                          >${p.makeAdmin}</a
                        >`
                  }
                </div>`
        }
      </section>`,
  });
}

/**
 * The step before a 2FA reset. `required` is whether the policy requires 2FA of this user:
 * only then are they made to set it up again, so only then may the page say so.
 */
export function resetConfirmPage(
  ctx: PageContext,
  user: { id: string; name: string; is_admin: number },
  required: boolean,
): SafeHtml {
  const { t } = ctx;
  const a = t.twoFactor.admin;
  const p = t.admin.userPage;
  return adminLayout(ctx, {
    section: 'users',
    title: t.admin.userPage.resetConfirmHeading(user.name),
    main: html`<h1>${t.admin.userPage.resetConfirmHeading(user.name)}</h1>
      <p>
        ${p.resetConfirmText} ${required ? p.resetThenRequired : p.resetThenOptional}
        ${user.is_admin === 1 ? p.resetStopsApiKeys : ''}
      </p>
      <form method="post" action="/admin/users/${user.id}/reset-2fa" class="actions">
        ${csrfField(ctx)}
        <button type="submit" class="button danger">${a.resetButton}</button>
        <a class="button secondary" href="/admin/users/${user.id}">${t.admin.common.cancel}</a>
      </form>`,
  });
}

/** Account changes that take effect at once for someone else, so they are asked about first. */
export type ConfirmedAccountChange = 'disable' | 'grant-admin' | 'revoke-admin';

/** The step before disabling an account or changing its administrator rights. */
export function accountChangeConfirmPage(
  ctx: PageContext,
  user: { id: string; name: string },
  change: ConfirmedAccountChange,
): SafeHtml {
  const { t } = ctx;
  const p = t.admin.userPage;
  const words = {
    disable: {
      heading: p.disableConfirmHeading(user.name),
      text: p.disableConfirmText,
      button: p.disable,
    },
    'grant-admin': {
      heading: p.makeAdminConfirmHeading(user.name),
      text: p.makeAdminNote,
      button: p.makeAdmin,
    },
    'revoke-admin': {
      heading: p.revokeAdminConfirmHeading(user.name),
      text: p.revokeAdminConfirmText,
      button: p.revokeAdmin,
    },
  }[change];
  const base = `/admin/users/${user.id}`;
  return adminLayout(ctx, {
    section: 'users',
    title: words.heading,
    main: html`<h1>${words.heading}</h1>
      <p>${words.text}</p>
      <form method="post" action="${base}/${change}" class="actions">
        ${csrfField(ctx)}
        <button type="submit" class="button${change === 'grant-admin' ? '' : ' danger'}">
          ${words.button}
        </button>
        <a class="button secondary" href="${base}">${t.admin.common.cancel}</a>
      </form>`,
  });
}
