import type { SafeHtml } from '../../lib/html.js';
import { html } from '../../lib/html.js';
import { PASSWORD_MIN_LENGTH, PASSWORD_MAX_LENGTH } from '../../accounts/passwords.js';
import { EMAIL_MAX_LENGTH, NAME_MAX_LENGTH } from '../../accounts/users.js';
import type { FieldErrors } from '../views/components.js';
import {
  button,
  errorSummary,
  field,
  form,
  formError,
  supportContactLine,
} from '../views/components.js';
import { layout } from '../views/layout.js';
import type { PageContext } from '../views/page-context.js';

export interface FormState {
  values?: Record<string, string>;
  errors?: FieldErrors;
  /** A form-level error that belongs to no single field (e.g. a failed log-in). */
  formError?: string;
  /** The error tells the person to contact the helpdesk: say how, when it is configured. */
  contactHelpdesk?: boolean;
}

export function registerPage(ctx: PageContext, state: FormState = {}): SafeHtml {
  const { t } = ctx;
  const errors = state.errors ?? {};
  return layout(ctx, {
    title: t.register.title,
    narrow: true,
    main: html`<h1>${t.register.title}</h1>
      ${formError(state.formError)} ${errorSummary(ctx, errors)}
      ${form(
        ctx,
        '/register',
        html`
          ${field({ name: 'name', label: t.register.name, value: state.values?.name, errors, autocomplete: 'name', required: true, maxlength: NAME_MAX_LENGTH })}
          ${field({ name: 'email', label: t.register.email, type: 'email', value: state.values?.email, errors, autocomplete: 'email', required: true, maxlength: EMAIL_MAX_LENGTH })}
          ${field({ name: 'password', label: t.register.password, type: 'password', errors, autocomplete: 'new-password', required: true, hint: t.register.passwordHint(PASSWORD_MIN_LENGTH), maxlength: PASSWORD_MAX_LENGTH })}
          ${button(t.register.submit)}
        `,
      )}
      <p>${t.register.haveAccount} <a href="/login">${t.login.submit}</a></p>`,
  });
}

/**
 * The page a verification link opens: a mail scanner that fetches links proves nothing. Unless
 * the account the address was claimed for is signed in here, its password is asked too
 * (EmailAddressService.verify says why).
 */
export function verifyEmailPage(
  ctx: PageContext,
  token: string,
  state: { email: string; askPassword: boolean; errors?: Record<string, string> },
): SafeHtml {
  const { t } = ctx;
  const errors = state.errors ?? {};
  return layout(ctx, {
    title: t.mail.verifyButton,
    narrow: true,
    main: html`<h1>${t.mail.verifyButton}</h1>
      ${errorSummary(ctx, errors)}
      <p>
        ${
          !state.askPassword
            ? t.verifyEmail.confirmIntro(state.email)
            : ctx.user
              ? t.verifyEmail.passwordIntroOther(state.email)
              : t.verifyEmail.passwordIntro(state.email)
        }
      </p>
      ${form(
        ctx,
        '/verify-email',
        html`<input type="hidden" name="token" value="${token}" />
          ${state.askPassword ? field({ name: 'password', label: t.login.password, type: 'password', errors, autocomplete: 'current-password', required: true }) : ''}
          ${button(t.mail.verifyButton)}`,
      )}`,
  });
}

export function loginPage(ctx: PageContext, state: FormState = {}): SafeHtml {
  const { t } = ctx;
  const errors = state.errors ?? {};
  return layout(ctx, {
    title: t.login.title,
    narrow: true,
    main: html`<h1>${t.login.title}</h1>
      ${formError(state.formError)} ${state.contactHelpdesk ? supportContactLine(ctx) : ''}
      ${errorSummary(ctx, errors)}
      ${form(
        ctx,
        '/login',
        html`
          ${state.values?.next ? html`<input type="hidden" name="next" value="${state.values.next}" />` : ''}
          ${field({ name: 'email', label: t.login.email, type: 'email', value: state.values?.email, errors, autocomplete: 'username', required: true, maxlength: EMAIL_MAX_LENGTH })}
          ${field({ name: 'password', label: t.login.password, type: 'password', errors, autocomplete: 'current-password', required: true })}
          ${button(t.login.submit)}
        `,
      )}
      <ul class="links">
        <li><a href="/password/forgot">${t.login.forgot}</a></li>
        <li><a href="/register">${t.login.createAccount}</a></li>
      </ul>`,
  });
}

export function forgotPage(ctx: PageContext, state: FormState = {}): SafeHtml {
  const { t } = ctx;
  const errors = state.errors ?? {};
  return layout(ctx, {
    title: t.forgot.title,
    narrow: true,
    main: html`<h1>${t.forgot.title}</h1>
      <p>${t.forgot.intro}</p>
      ${errorSummary(ctx, errors)}
      ${form(
        ctx,
        '/password/forgot',
        html`
          ${field({ name: 'email', label: t.forgot.email, type: 'email', value: state.values?.email, errors, autocomplete: 'email', required: true, maxlength: EMAIL_MAX_LENGTH })}
          ${button(t.forgot.submit)}
        `,
      )}
      <p><a href="/login">${t.forgot.backToLogin}</a></p>`,
  });
}

export function resetPage(ctx: PageContext, token: string, state: FormState = {}): SafeHtml {
  const { t } = ctx;
  const errors = state.errors ?? {};
  return layout(ctx, {
    title: t.reset.title,
    narrow: true,
    main: html`<h1>${t.reset.title}</h1>
      <p>${t.reset.twoFactorNote}</p>
      ${errorSummary(ctx, errors)}
      ${form(
        ctx,
        '/password/reset',
        html`
          <input type="hidden" name="token" value="${token}" />
          ${field({ name: 'new_password', label: t.reset.newPassword, type: 'password', errors, autocomplete: 'new-password', required: true, hint: t.register.passwordHint(PASSWORD_MIN_LENGTH) })}
          ${field({ name: 'confirm_password', label: t.reset.confirmPassword, type: 'password', errors, autocomplete: 'new-password', required: true })}
          ${button(t.reset.submit)}
        `,
      )}`,
  });
}
