import type { HtmlValue, SafeHtml } from '../../lib/html.js';
import { html } from '../../lib/html.js';
import type { EmailAddress } from '../../db/schema.js';
import { LOCALES, messagesFor } from '../../i18n/index.js';
import { PASSWORD_MIN_LENGTH } from '../../accounts/passwords.js';
import { EMAIL_MAX_LENGTH, NAME_MAX_LENGTH } from '../../accounts/users.js';
import {
  button,
  csrfField,
  errorSummary,
  field,
  fieldMayTakeFocus,
  form,
  formError,
} from '../views/components.js';
import { layout, notice } from '../views/layout.js';
import type { PageContext } from '../views/page-context.js';
import type { FormState } from './auth-pages.js';
import { sessionsSection } from './session-pages.js';
import type { SessionSummary } from '../../accounts/session-list.js';

export type ProfileSection = 'account' | 'password' | 'twoFactor' | 'emails';

const SECTIONS: Array<{ id: ProfileSection; href: string }> = [
  { id: 'account', href: '/profile' },
  { id: 'password', href: '/profile/password' },
  { id: 'twoFactor', href: '/profile/2fa' },
  { id: 'emails', href: '/profile/emails' },
];

/** My Profile: the side menu with the four sections in the order of SPEC §2.2, then the section. */
export function profileLayout(
  ctx: PageContext,
  section: ProfileSection,
  title: string,
  content: HtmlValue,
): SafeHtml {
  const { t } = ctx;
  return layout(ctx, {
    title,
    placesNotice: true,
    main: html`<div class="profile">
      <nav class="profile-nav" aria-label="${t.profile.sectionsLabel}">
        <p class="profile-title">${t.profile.title}</p>
        <ul>
          ${SECTIONS.map(
            (s) =>
              html`<li>
                <a href="${s.href}" ${s.id === section ? html`aria-current="page"` : ''}
                  >${t.profile[s.id]}</a
                >
              </li>`,
          )}
        </ul>
      </nav>
      <div class="profile-content">${notice(ctx)}${content}</div>
    </div>`,
  });
}

export function accountSection(
  ctx: PageContext,
  values: { name: string; locale: string | null },
  sessions: SessionSummary[],
  state: FormState = {},
): SafeHtml {
  const { t } = ctx;
  const errors = state.errors ?? {};
  const current = values.locale ?? '';
  return profileLayout(
    ctx,
    'account',
    t.profile.accountHeading,
    html`<h1>${t.profile.accountHeading}</h1>
      ${errorSummary(ctx, errors)}
      ${form(
        ctx,
        '/profile',
        html`
          ${field({ name: 'name', label: t.profile.name, value: values.name, errors, autocomplete: 'name', required: true, maxlength: NAME_MAX_LENGTH })}
          <div class="${errors.locale ? 'field field-error' : 'field'}">
            <label for="locale">${t.profile.language}</label>
            ${errors.locale ? html`<p class="error-message" id="locale-error">${errors.locale}</p>` : ''}
            <select
              id="locale"
              name="locale"
              ${errors.locale ? html`aria-invalid="true" aria-describedby="locale-error"` : ''}
            >
              <option value="" ${current === '' ? html`selected` : ''}>
                ${t.profile.languageAuto}
              </option>
              ${LOCALES.map((l) => html`<option value="${l}" lang="${l}" ${current === l ? html`selected` : ''}>${messagesFor(l).language.name}</option>`)}
            </select>
          </div>
          ${button(t.common.save)}
        `,
      )}
      ${sessionsSection(ctx, sessions)}`,
  );
}

/**
 * The password form; `username` (the account's primary address) sits in it hidden, so that a
 * password manager files the new password under the right account.
 */
export function passwordSection(
  ctx: PageContext,
  username: string,
  state: FormState = {},
): SafeHtml {
  const { t } = ctx;
  const errors = state.errors ?? {};
  return profileLayout(
    ctx,
    'password',
    t.profile.passwordHeading,
    html`<h1>${t.profile.passwordHeading}</h1>
      ${errorSummary(ctx, errors)}
      ${form(
        ctx,
        '/profile/password',
        html`
          <input type="text" name="username" autocomplete="username" value="${username}" hidden />
          ${field({ name: 'current_password', label: t.profile.currentPassword, type: 'password', errors, autocomplete: 'current-password', required: true })}
          ${field({ name: 'new_password', label: t.profile.newPassword, type: 'password', errors, autocomplete: 'new-password', required: true, hint: t.register.passwordHint(PASSWORD_MIN_LENGTH) })}
          ${field({ name: 'confirm_password', label: t.profile.confirmPassword, type: 'password', errors, autocomplete: 'new-password', required: true })}
          ${button(t.profile.changePassword)}
        `,
      )}`,
  );
}

/** Lets a long address wrap before the @ on a phone rather than at a random letter. */
function breakableEmail(email: string): SafeHtml {
  const at = email.lastIndexOf('@');
  return at > 0 ? html`${email.slice(0, at)}<wbr />${email.slice(at)}` : html`${email}`;
}

function addressItem(ctx: PageContext, address: EmailAddress): SafeHtml {
  const { t } = ctx;
  const badges = html`${address.is_primary ? html`<span class="badge">${t.profile.primary}</span>` : ''}
  ${
    address.verified_at
      ? html`<span class="badge badge-success">${t.profile.verified}</span>`
      : html`<span class="badge badge-warning">${t.profile.unverified}</span>`
  }`;
  const action = (path: string, label: string, accessibleName: string, danger = false) =>
    html`<form method="post" action="/profile/emails/${address.id}/${path}" class="inline-form">
      ${csrfField(ctx)}<button
        type="submit"
        class="${danger ? 'small-button danger' : 'small-button'}"
        aria-label="${accessibleName}"
      >
        ${label}
      </button>
    </form>`;
  const actions = [
    !address.is_primary && address.verified_at
      ? action('primary', t.profile.makePrimary, t.profile.makePrimaryLabel(address.email))
      : '',
    !address.verified_at
      ? action('resend', t.profile.resend, t.profile.resendLabel(address.email))
      : '',
    !address.is_primary
      ? action('remove', t.profile.remove, t.profile.removeLabel(address.email), true)
      : '',
  ].filter(Boolean);
  return html`<li class="address">
    <div class="address-main">
      <span class="address-email">${breakableEmail(address.email)}</span>
      <span class="badges">${badges}</span>
    </div>
    ${actions.length ? html`<div class="address-actions">${actions}</div>` : ''}
  </li>`;
}

export function emailsSection(
  ctx: PageContext,
  addresses: EmailAddress[],
  state: FormState = {},
): SafeHtml {
  const { t } = ctx;
  const errors = state.errors ?? {};
  return profileLayout(
    ctx,
    'emails',
    t.profile.emailsHeading,
    html`<h1>${t.profile.emailsHeading}</h1>
      <p class="lead">${t.profile.emailsIntro}</p>
      ${formError(state.formError)}
      <ul class="address-list">
        ${addresses.map((a) => addressItem(ctx, a))}
      </ul>
      <h2>${t.profile.addHeading}</h2>
      ${errorSummary(ctx, errors)}
      ${form(
        ctx,
        '/profile/emails',
        html`
          ${field({ name: 'email', label: t.profile.newEmail, type: 'email', value: state.values?.email, errors, autocomplete: 'email', required: true, maxlength: EMAIL_MAX_LENGTH })}
          ${button(t.profile.add)}
        `,
      )}`,
  );
}

/**
 * Confirm it's you: the password again. `next` is where a confirmed person goes, `cancel` where
 * one who changes their mind goes; both local paths, checked by the route.
 */
export function reauthPage(
  ctx: PageContext,
  places: { next: string; cancel: string },
  state: FormState = {},
): SafeHtml {
  const { t } = ctx;
  const { next, cancel } = places;
  const errors = state.errors ?? {};
  return layout(ctx, {
    title: t.reauth.title,
    narrow: true,
    main: html`<h1>${t.reauth.title}</h1>
      <p>${t.reauth.intro}</p>
      ${formError(state.formError)} ${errorSummary(ctx, errors)}
      ${form(
        ctx,
        '/reauth',
        html`
          <input type="hidden" name="next" value="${next}" />
          <input type="hidden" name="cancel" value="${cancel}" />
          ${field({ name: 'password', label: t.reauth.password, type: 'password', errors, autocomplete: 'current-password', required: true, autofocus: fieldMayTakeFocus(state) })}
          <p class="button-row">
            ${button(t.reauth.submit)}
            <a class="button secondary" href="${cancel}">${t.common.cancel}</a>
          </p>
        `,
      )}`,
  });
}
