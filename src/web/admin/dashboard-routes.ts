import type { FastifyInstance } from 'fastify';
import type { DashboardCounts } from '../../admin/dashboard.js';
import { formatPercent, graceEndText } from '../../i18n/index.js';
import type { SafeHtml } from '../../lib/html.js';
import { html } from '../../lib/html.js';
import type { Requirement } from '../../two-factor/policy.js';
import type { PageContext } from '../views/page-context.js';
import type { WebDeps } from '../web-deps.js';
import { sendHtml } from '../web-deps.js';
import { queryString } from './admin-components.js';
import { requireAdmin } from './admin-guard.js';
import { adminLayout } from './admin-layout.js';

function percent(ctx: PageContext, part: number, whole: number): string {
  return formatPercent(ctx.locale, whole === 0 ? 0 : part / whole);
}

function stat(label: string, value: string | number, extra?: SafeHtml | string): SafeHtml {
  return html`<div class="stat">
    <dt>${label}</dt>
    <dd>
      <span class="stat-value">${value}</span
      >${extra ? html`<span class="stat-extra">${extra}</span>` : ''}
    </dd>
  </div>`;
}

export function dashboardPage(
  ctx: PageContext,
  data: {
    counts: DashboardCounts;
    require: Requirement;
    /** The groups the policy names, when it requires the second factor of groups. */
    groupNames: string[];
    /** The end of a grace period still running, else null. */
    graceUntil: number | null;
  },
): SafeHtml {
  const { t } = ctx;
  const d = t.admin.dashboardPage;
  const c = data.counts;
  const share = (n: number) => d.share(n, c.users);
  const since = new Date(c.since).toISOString().slice(0, 10);
  const eventsLink = (event: string) =>
    html`<a href="/admin/audit${queryString({ event, from: since })}">${d.showEvents}</a>`;
  const requirement =
    data.require === 'all'
      ? t.twoFactor.admin.allUsers
      : data.require === 'groups'
        ? `${t.twoFactor.admin.selectedGroups} (${data.groupNames.join(', ')})`
        : t.twoFactor.admin.nobody;
  return adminLayout(ctx, {
    section: 'dashboard',
    sectionIndex: true,
    title: d.heading,
    main: html`<h1>${d.heading}</h1>
      <h2>${t.admin.users}</h2>
      <dl class="stats">
        ${stat(d.usersTotal, c.users)} ${stat(d.administrators, c.administrators)}
        ${stat(d.disabledAccounts, c.disabled)}
      </dl>
      <h2>${d.byMethod}</h2>
      <dl class="stats">
        ${stat(d.withTwoFactor, percent(ctx, c.withTwoFactor, c.users), share(c.withTwoFactor))}
        ${stat(t.twoFactor.admin.appMethod, percent(ctx, c.byMethod.totp, c.users), share(c.byMethod.totp))}
        ${stat(t.twoFactor.admin.emailMethod, percent(ctx, c.byMethod.email, c.users), share(c.byMethod.email))}
        ${stat(t.twoFactor.admin.securityKeysMethod, percent(ctx, c.byMethod.webauthn, c.users), share(c.byMethod.webauthn))}
        ${stat(
          d.withoutTwoFactor,
          percent(ctx, c.users - c.withTwoFactor, c.users),
          html`${share(c.users - c.withTwoFactor)}
            <a href="/admin/users?2fa=none">${d.showUsers}</a>`,
        )}
      </dl>
      <p>
        ${d.requiredFor}: <strong>${requirement}</strong>.
        ${
          data.require !== 'nobody' && data.graceUntil !== null
            ? d.graceRunning(graceEndText(t, ctx.locale, data.graceUntil))
            : ''
        }
        <a href="/admin/2fa">${d.changePolicy}</a>
      </p>
      <h2>${d.recent}</h2>
      <dl class="stats">
        ${stat(d.lockouts, c.lockouts, eventsLink('two_factor.locked'))}
        ${stat(d.failedCodes, c.failedCodes, eventsLink('two_factor.challenge_failed'))}
        ${stat(d.reusedCodes, c.reusedCodes, eventsLink('two_factor.code_replayed'))}
      </dl>`,
  });
}

export function registerDashboardRoutes(
  app: FastifyInstance,
  { services, tools, clock }: WebDeps,
): void {
  app.get('/admin', async (request, reply) => {
    if (!requireAdmin(request, reply)) return reply;
    const policy = await services.twoFactor.policy.get();
    const named = new Set(policy.groupIds);
    const groupNames =
      policy.require === 'groups'
        ? (await services.admin.groups.list()).filter((g) => named.has(g.id)).map((g) => g.name)
        : [];
    const graceUntil =
      policy.graceUntil !== null && policy.graceUntil > clock.now() ? policy.graceUntil : null;
    return sendHtml(
      reply,
      dashboardPage(tools.page(request), {
        counts: await services.admin.dashboard.counts(),
        require: policy.require,
        groupNames,
        graceUntil,
      }),
    );
  });
}
