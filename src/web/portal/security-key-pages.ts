import { formatDateTime } from '../../i18n/index.js';
import type { HtmlValue, SafeHtml } from '../../lib/html.js';
import { html } from '../../lib/html.js';
import { METHOD_NAME_MAX_LENGTH } from '../../two-factor/constants.js';
import type { SecurityKey } from '../../two-factor/webauthn/security-keys.js';
import { WEBAUTHN_BROWSER_PATH } from '../vendor-assets.js';
import { button, csrfField, errorSummary, field, formError } from '../views/components.js';
import { layout } from '../views/layout.js';
import type { PageContext } from '../views/page-context.js';
import type { FormState } from './auth-pages.js';
import { profileLayout } from './profile-pages.js';
import type { SetupPlace } from './two-factor-pages.js';

/** The two scripts of a security-key ceremony; both from 'self' (no inline script, SPEC §4). */
function scripts(): SafeHtml {
  return html`<script src="${WEBAUTHN_BROWSER_PATH}" defer></script>
    <script src="/assets/security-keys.js" defer></script>`;
}

/**
 * A form that runs a WebAuthn ceremony before it is sent (public/security-keys.js). Its button
 * stays hidden until the script has found WebAuthn in the browser; without JavaScript the
 * page says why and the other methods remain.
 */
export function ceremonyForm(
  ctx: PageContext,
  data: {
    action: string;
    kind: 'register' | 'authenticate';
    options: unknown;
    label: string;
    fields: HtmlValue;
    error?: string | null;
    /** Names the new key may not have (trimmed, lower case): checked before the ceremony. */
    takenNames?: string[];
  },
): SafeHtml {
  const t = ctx.t.twoFactor.webauthn;
  return html`<form
      method="post"
      action="${data.action}"
      novalidate
      class="stack"
      data-webauthn="${data.kind}"
      data-webauthn-options="${JSON.stringify(data.options)}"
      data-msg-waiting="${t.waiting}"
      data-msg-cancelled="${t.cancelled}"
      data-msg-already-added="${t.alreadyAdded}"
      data-msg-unsupported="${t.unsupported}"
      data-webauthn-origin="${ctx.publicOrigin}"
      data-msg-wrong-address="${t.wrongAddress(ctx.publicOrigin)}"
      ${
        data.takenNames
          ? html`data-webauthn-taken-names="${JSON.stringify(data.takenNames)}"
            data-msg-name-taken="${t.nameTaken}"`
          : ''
      }
    >
      ${csrfField(ctx)} ${data.fields}
      <input type="hidden" name="response" value="" />
      ${formError(data.error)}
      <p class="notice notice-info" role="status" data-webauthn-status hidden></p>
      <p class="notice notice-error" role="alert" data-webauthn-problem hidden></p>
      <p class="hint" data-webauthn-needs-script>${t.needsScript}</p>
      <div data-webauthn-only hidden>${button(data.label)}</div>
    </form>
    ${scripts()}`;
}

/** The "Security keys" entry of Your 2FA: the keys with their dates, and "Add security key". */
export function securityKeysEntry(
  ctx: PageContext,
  data: { keys: SecurityKey[]; enabled: boolean; unusableHere: boolean },
): SafeHtml | '' {
  if (!data.enabled && data.keys.length === 0) return '';
  const tf = ctx.t.twoFactor;
  const t = tf.webauthn;
  const when = (ms: number | null) => (ms === null ? t.never : formatDateTime(ctx.locale, ms));
  return html`<li class="method">
    <div class="method-text">
      <h2 class="method-title">${t.title}</h2>
      <p class="method-description">${t.description}</p>
      ${
        data.keys.length === 0
          ? html`<p class="method-status">
              <span class="badge badge-muted">${tf.statusOff}</span> ${t.none}
            </p>`
          : html`<p class="method-status">
              <span class="badge badge-success">${tf.statusOn}</span>
            </p>`
      }
      ${
        data.keys.length === 0 || data.enabled
          ? ''
          : html`<p class="hint">
              ${data.unusableHere ? tf.keysUnusableHereNote : tf.methodDisabledNote}
            </p>`
      }
    </div>
    ${
      data.enabled
        ? html`<p class="method-action">
            <a
              class="${data.keys.length > 0 ? 'button secondary' : 'button'}"
              href="/profile/2fa/security-keys/new"
              >${t.add}</a
            >
          </p>`
        : ''
    }
    ${
      data.keys.length > 0
        ? // The roles repeat the elements' own: on a phone the table is laid out as blocks
          // (portico.css), and some browsers drop a table's semantics with its layout.
          html`<table class="table method-keys" role="table">
            <caption class="visually-hidden">
              ${t.listCaption}
            </caption>
            <thead role="rowgroup">
              <tr role="row">
                <th scope="col" role="columnheader">${t.name}</th>
                <th scope="col" role="columnheader">${t.created}</th>
                <th scope="col" role="columnheader">${t.lastUsed}</th>
                <th scope="col" role="columnheader">${t.actions}</th>
              </tr>
            </thead>
            <tbody role="rowgroup">
              ${data.keys.map(
                ({ method }) =>
                  html`<tr role="row">
                    <td role="cell" class="key-name">${method.name}</td>
                    <td role="cell" data-label="${t.created}">${when(method.created_at)}</td>
                    <td role="cell" data-label="${t.lastUsed}">${when(method.last_used_at)}</td>
                    <td role="cell">
                      <div class="actions">
                        <a
                          href="/profile/2fa/security-keys/${method.id}/rename"
                          aria-label="${t.renameLabel(method.name)}"
                          >${t.rename}</a
                        >
                        <a
                          href="/profile/2fa/security-keys/${method.id}/remove"
                          aria-label="${t.removeLabel(method.name)}"
                          >${t.remove}</a
                        >
                      </div>
                    </td>
                  </tr>`,
              )}
            </tbody>
          </table>`
        : ''
    }
  </li>`;
}

/** "Add security key": a name, then the browser ceremony. */
export function addSecurityKeyPage(
  ctx: PageContext,
  place: SetupPlace,
  data: { options: unknown; name: string; takenNames: string[] },
  state: FormState = {},
): SafeHtml {
  const tf = ctx.t.twoFactor;
  const t = tf.webauthn;
  const errors = state.errors ?? {};
  const content = html`<h1>${t.addHeading}</h1>
    ${errorSummary(ctx, errors)}
    <p>${t.addIntro}</p>
    ${ceremonyForm(ctx, {
      action: `${place.base}/security-keys/new`,
      kind: 'register',
      options: data.options,
      label: t.add,
      error: state.formError ?? null,
      takenNames: data.takenNames,
      fields: field({
        name: 'name',
        label: tf.authenticatorName,
        value: data.name,
        errors,
        required: true,
        maxlength: METHOD_NAME_MAX_LENGTH,
        autocomplete: 'off',
      }),
    })}
    <p><a href="${place.base}">${tf.setUpDifferent}</a></p>`;
  return place.inProfile
    ? profileLayout(ctx, 'twoFactor', t.addHeading, content)
    : layout(ctx, { title: t.addHeading, narrow: true, main: content });
}

export function renameSecurityKeyPage(
  ctx: PageContext,
  key: SecurityKey,
  state: FormState = {},
): SafeHtml {
  const tf = ctx.t.twoFactor;
  const t = tf.webauthn;
  const errors = state.errors ?? {};
  const path = `/profile/2fa/security-keys/${key.method.id}/rename`;
  return profileLayout(
    ctx,
    'twoFactor',
    t.renameHeading,
    html`<h1>${t.renameHeading}</h1>
      ${errorSummary(ctx, errors)}
      <form method="post" action="${path}" novalidate class="stack">
        ${csrfField(ctx)}
        ${field({
          name: 'name',
          label: tf.authenticatorName,
          value: state.values?.name ?? key.method.name,
          errors,
          required: true,
          maxlength: METHOD_NAME_MAX_LENGTH,
          autocomplete: 'off',
        })}
        ${button(tf.saveName)}
      </form>
      <p class="danger-zone">
        <a class="button danger" href="/profile/2fa/security-keys/${key.method.id}/remove"
          >${t.removeButton}</a
        >
      </p>
      <p><a href="/profile/2fa">${ctx.t.common.back}</a></p>`,
  );
}
