import type { SessionSummary } from '../../accounts/session-list.js';
import { formatDateTime } from '../../i18n/index.js';
import type { SafeHtml } from '../../lib/html.js';
import { html } from '../../lib/html.js';
import { button, form } from '../views/components.js';
import type { PageContext } from '../views/page-context.js';
import { deviceLabel } from '../user-agent.js';

/**
 * Where you are signed in, under Your account: each live session's browser, when it signed in,
 * when it was last active and from which address; sign out any other one, or all of them.
 */
export function sessionsSection(ctx: PageContext, sessions: SessionSummary[]): SafeHtml {
  const t = ctx.t.profile.sessions;
  const when = (ms: number) => formatDateTime(ctx.locale, ms);
  const items = sessions.map((session) => {
    const label = deviceLabel(ctx.t, session.userAgent);
    return html`<li class="address device">
      <div class="device-text">
        <p class="address-main">
          <span class="address-email">${label}</span>
          ${session.current ? html`<span class="badge">${t.thisBrowser}</span>` : ''}
        </p>
        <dl class="device-facts">
          <dt>${t.signedIn}</dt>
          <dd>${when(session.createdAt)}</dd>
          <dt>${t.lastActive}</dt>
          <dd>${when(session.lastSeenAt)}</dd>
          <dt>${t.address}</dt>
          <dd>${session.ip}</dd>
        </dl>
      </div>
      ${
        session.current
          ? ''
          : html`<div class="address-actions">
              ${form(
                ctx,
                `/profile/sessions/${session.handle}/sign-out`,
                html`<button
                  type="submit"
                  class="small-button"
                  aria-label="${t.signOutLabel(label)}"
                >
                  ${t.signOut}
                </button>`,
                { className: 'inline-form' },
              )}
            </div>`
      }
    </li>`;
  });
  const others = sessions.some((session) => !session.current);
  return html`<section class="devices" aria-labelledby="sessions-heading">
    <h2 id="sessions-heading">${t.heading}</h2>
    <p>${t.intro}</p>
    <ul class="address-list">
      ${items}
    </ul>
    ${
      others
        ? form(
            ctx,
            '/profile/sessions/sign-out-others',
            button(t.signOutOthers, { secondary: true }),
          )
        : ''
    }
  </section>`;
}
