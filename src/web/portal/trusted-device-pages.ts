import type { TrustedDevice } from '../../db/schema.js';
import { formatDateTime } from '../../i18n/index.js';
import type { SafeHtml } from '../../lib/html.js';
import { html } from '../../lib/html.js';
import { button, form } from '../views/components.js';
import type { PageContext } from '../views/page-context.js';
import { deviceLabel } from '../user-agent.js';

/**
 * Trusted devices under Your 2FA (SPEC §3): browser, first and last use (when and from which
 * address), until when; forget one, or all.
 */
export function trustedDevicesSection(
  ctx: PageContext,
  devices: TrustedDevice[],
  thisDeviceId: string | null,
): SafeHtml {
  const t = ctx.t.twoFactor.devices;
  const when = (ms: number) => formatDateTime(ctx.locale, ms);
  const items = devices.map((device) => {
    const label = deviceLabel(ctx.t, device.user_agent);
    return html`<li class="address device">
      <div class="device-text">
        <p class="address-main">
          <span class="address-email">${label}</span>
          ${device.id === thisDeviceId ? html`<span class="badge">${t.thisBrowser}</span>` : ''}
        </p>
        <dl class="device-facts">
          <dt>${t.firstUsed}</dt>
          <dd>${t.place(when(device.created_at), device.created_ip)}</dd>
          <dt>${t.lastUsed}</dt>
          <dd>${t.place(when(device.last_used_at), device.last_used_ip)}</dd>
          <dt>${t.until}</dt>
          <dd>${when(device.expires_at)}</dd>
        </dl>
      </div>
      <div class="address-actions">
        ${form(
          ctx,
          `/profile/2fa/devices/${device.id}/forget`,
          html`<button type="submit" class="small-button" aria-label="${t.forgetLabel(label)}">
            ${t.forget}
          </button>`,
          { className: 'inline-form' },
        )}
      </div>
    </li>`;
  });
  return html`<section class="devices" aria-labelledby="devices-heading">
    <h2 id="devices-heading">${t.heading}</h2>
    ${
      devices.length === 0
        ? html`<p>${t.none}</p>`
        : html`<p>${t.intro}</p>
            <ul class="address-list">
              ${items}
            </ul>
            ${form(ctx, '/profile/2fa/devices/forget-all', button(t.forgetAll, { secondary: true }))}`
    }
  </section>`;
}
