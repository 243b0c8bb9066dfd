import type { SafeHtml } from '../../lib/html.js';
import { html } from '../../lib/html.js';
import { formatDateTime } from '../../i18n/index.js';
import type { Requirement } from '../../two-factor/policy.js';
import { button, errorSummary, field, form } from '../views/components.js';
import type { FieldErrors } from '../views/components.js';
import type { PageContext } from '../views/page-context.js';
import { choice } from './admin-components.js';
import { adminLayout } from './admin-layout.js';

export interface SettingsForm {
  email: boolean;
  totp: boolean;
  webauthn: boolean;
  /** Null for a value the form does not offer: no choice is shown as made. */
  require: Requirement | null;
  groupIds: string[];
  /** YYYY-MM-DD or ''. */
  graceUntil: string;
  /**
   * The saved policy the page was opened on, as the settings store it (a hidden field): a save
   * after another administrator's is refused instead of undoing theirs unseen.
   */
  opened: string;
}

/** The hidden field that carries `SettingsForm.opened`. */
export const OPENED_FIELD = 'opened_policy';

/** The field a requirement's error points to: the first of its choices. */
export const REQUIRE_FIELD = 'require-nobody';

/**
 * "Two-factor authentication" settings (SPEC §2.7): which methods exist, who must use 2FA,
 * and until when they may postpone it. Labels exactly as SPEC writes them.
 */
export function twoFactorSettingsPage(
  ctx: PageContext,
  data: {
    values: SettingsForm;
    /** The saved grace period's end, when it is a moment within the day the field shows. */
    graceEnds?: number | undefined;
    groups: Array<{ id: string; name: string; members: number }>;
    /** False when PUBLIC_URL is an IP address, where browsers refuse security keys. */
    securityKeysWork: boolean;
    errors?: FieldErrors;
    /** Another administrator saved the settings after this form was opened: nothing saved. */
    changedMeanwhile?: boolean;
  },
): SafeHtml {
  const { t } = ctx;
  const a = t.twoFactor.admin;
  const errors = data.errors ?? {};
  const v = data.values;
  // As saved or as sent back: a policy that people without a key or passkey cannot meet.
  const keysOnly =
    v.webauthn && !v.email && !v.totp && v.require !== null && v.require !== 'nobody';
  const keysNote = data.securityKeysWork
    ? ''
    : html`<p class="hint" id="keys-need-name">${a.keysNeedName}</p>`;
  const fieldError = (name: string) =>
    errors[name] ? html`<p class="error-message" id="${name}-error">${errors[name]}</p>` : '';
  // With no group to choose, "Choose at least one user group" leads to the link that makes one.
  const groupChoices =
    data.groups.length === 0
      ? html`<p class="hint" id="groups-none">
          ${a.noGroups}
          <a href="/admin/groups" id="group">${t.admin.twoFactorPage.noGroupsLink}</a>
        </p>`
      : data.groups.map((g, i) =>
          choice({
            type: 'checkbox',
            id: i === 0 ? 'group' : `group-${g.id}`,
            name: 'group',
            value: g.id,
            label: `${g.name} (${t.admin.twoFactorPage.groupsMembers(g.members)})`,
            checked: v.groupIds.includes(g.id),
          }),
        );
  return adminLayout(ctx, {
    section: 'twoFactor',
    sectionIndex: true,
    title: a.settingsHeading,
    main: html`<h1>${a.settingsHeading}</h1>
      <p class="lead">${a.adminsNote}</p>
      ${
        data.changedMeanwhile
          ? html`<div
              class="notice notice-error"
              role="alert"
              aria-labelledby="changed-meanwhile-heading"
              tabindex="-1"
              autofocus
            >
              <h2 id="changed-meanwhile-heading">${a.changedMeanwhileHeading}</h2>
              <p>${a.changedMeanwhile}</p>
            </div>`
          : ''
      }
      ${errorSummary(ctx, errors)}
      ${form(
        ctx,
        '/admin/2fa',
        html`
          <fieldset
            class="${errors.email ? 'fieldset field-error' : 'fieldset'}"
            aria-describedby="methods-note${keysOnly ? ' keys-only' : ''}${errors.email ? ' email-error' : ''}"
          >
            <legend>${a.methodsLegend}</legend>
            <p class="hint" id="methods-note">${a.disableNote}</p>
            ${keysOnly ? html`<p class="notice notice-warning" id="keys-only">${a.keysOnlyWarning}</p>` : ''}
            ${fieldError('email')}
            ${choice({ type: 'checkbox', id: 'email', name: 'email', value: 'on', label: a.emailMethod, checked: v.email })}
            ${choice({ type: 'checkbox', id: 'totp', name: 'totp', value: 'on', label: a.appMethod, checked: v.totp })}
            ${choice({ type: 'checkbox', id: 'webauthn', name: 'webauthn', value: 'on', label: a.securityKeysMethod, checked: v.webauthn })}
            ${keysNote}
          </fieldset>
          <fieldset
            class="${errors.group || errors[REQUIRE_FIELD] ? 'fieldset field-error' : 'fieldset'}"
            aria-describedby="require-note${errors[REQUIRE_FIELD] ? ` ${REQUIRE_FIELD}-error` : ''}"
          >
            <legend>${a.requireLegend}</legend>
            <p class="hint" id="require-note">${a.requireNote}</p>
            ${fieldError(REQUIRE_FIELD)}
            ${choice({ type: 'radio', id: 'require-nobody', name: 'require', value: 'nobody', label: a.nobody, checked: v.require === 'nobody' })}
            ${choice({ type: 'radio', id: 'require-groups', name: 'require', value: 'groups', label: a.selectedGroups, checked: v.require === 'groups' })}
            ${choice({ type: 'radio', id: 'require-all', name: 'require', value: 'all', label: a.allUsers, checked: v.require === 'all' })}
            <fieldset
              class="fieldset nested"
              ${errors.group ? html`aria-describedby="group-error"` : ''}
            >
              <legend>${a.groupsLegend}</legend>
              ${fieldError('group')} ${groupChoices}
            </fieldset>
          </fieldset>
          ${field({ name: 'grace_until', label: a.graceLabel, type: 'date', value: v.graceUntil, errors, hint: data.graceEnds === undefined ? a.graceHint : `${a.graceHint} ${a.graceEndsAt(formatDateTime(ctx.locale, data.graceEnds))}` })}
          ${v.opened === '' ? '' : html`<input type="hidden" name="${OPENED_FIELD}" value="${v.opened}" />`}
          ${button(a.save)}
        `,
        { className: 'stack admin-form' },
      )}`,
  });
}
