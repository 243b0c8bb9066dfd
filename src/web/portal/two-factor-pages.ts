import type { FastifyRequest } from 'fastify';
import type { HtmlValue, SafeHtml } from '../../lib/html.js';
import { html } from '../../lib/html.js';
import type { TwoFactorMethod } from '../../db/schema.js';
import { EMAIL_MAX_LENGTH } from '../../accounts/users.js';
import { METHOD_NAME_MAX_LENGTH } from '../../two-factor/constants.js';
import { formatSetupKey } from '../../two-factor/totp/totp.js';
import type { Validator } from '../form-input.js';
import { text } from '../form-input.js';
import {
  announced,
  button,
  errorSummary,
  field,
  fieldMayTakeFocus,
  form,
  formError,
  supportContactLine,
} from '../views/components.js';
import { layout } from '../views/layout.js';
import type { PageContext } from '../views/page-context.js';
import type { FormState } from './auth-pages.js';
import { profileLayout } from './profile-pages.js';
import type { SecurityKey } from '../../two-factor/webauthn/security-keys.js';
import { securityKeysEntry } from './security-key-pages.js';

/**
 * Where a set-up screen lives: under My Profile, or on the login path when 2FA is mandatory
 * and the person has no method yet (SPEC §2.6).
 */
export interface SetupPlace {
  /** "/profile/2fa" or "/login/2fa/setup". */
  base: string;
  inProfile: boolean;
}

function frame(ctx: PageContext, place: SetupPlace, title: string, content: HtmlValue): SafeHtml {
  return place.inProfile
    ? profileLayout(ctx, 'twoFactor', title, content)
    : layout(ctx, { title, narrow: true, main: content });
}

/** The "Authenticator Name" of a set-up, rename or new security key, checked as every form does. */
export function readMethodName(v: Validator, request: FastifyRequest): string {
  return v.required(
    'name',
    request.t.twoFactor.authenticatorName,
    text(request.body, 'name'),
    METHOD_NAME_MAX_LENGTH,
  );
}

/** The "Verification Code" field of every set-up and change form (numeric, one-time-code). */
function verificationCodeField(
  ctx: PageContext,
  errors: Record<string, string>,
  autofocus = false,
): SafeHtml {
  return field({
    name: 'code',
    label: ctx.t.twoFactor.verificationCode,
    errors,
    required: true,
    code: true,
    maxlength: 10,
    hint: ctx.t.twoFactor.codeHint,
    autofocus,
  });
}

export interface OverviewData {
  enabled: { totp: boolean; email: boolean; webauthn: boolean };
  /** Browsers refuse security keys at PUBLIC_URL (an IP address): say so, not "no longer offered". */
  keysUnusableHere: boolean;
  keys: SecurityKey[];
  app: TwoFactorMethod | undefined;
  email: TwoFactorMethod | undefined;
  recoveryLeft: number;
  required: boolean;
  /** For someone who must use 2FA, has no method and may still postpone: until when, in words. */
  setUpBy?: string | null;
  /** The trusted devices section (its own page module). */
  devices: SafeHtml;
}

export function overviewPage(ctx: PageContext, data: OverviewData): SafeHtml {
  const t = ctx.t.twoFactor;
  const entry = (options: {
    title: string;
    description: string;
    method: TwoFactorMethod | undefined;
    enabled: boolean;
    setUp: { href: string; label: string };
    edit: { href: string; label: string };
    recommended?: boolean;
  }) => {
    if (!options.enabled && !options.method) return '';
    return html`<li class="method">
      <div class="method-text">
        <h2 class="method-title">
          ${options.title}
          ${options.recommended && options.enabled ? html`<span class="badge">${t.recommended}</span>` : ''}
        </h2>
        <p class="method-description">${options.description}</p>
        <p class="method-status">
          ${
            !options.method
              ? html`<span class="badge badge-muted">${t.statusOff}</span>`
              : // A method turned off after it was set up still works (methods.usable).
                html`<span class="badge badge-success">${t.statusOn}</span> ${options.method.name}`
          }
        </p>
        ${
          // Where the codes go: the address may differ from the one the person logs in with.
          options.method?.email
            ? html`<p class="hint">${t.codesGoTo(options.method.email)}</p>`
            : ''
        }
        ${options.method && !options.enabled ? html`<p class="hint">${t.methodDisabledNote}</p>` : ''}
      </div>
      <p class="method-action">
        ${
          options.method
            ? html`<a class="button secondary" href="${options.edit.href}"
                >${options.edit.label}</a
              >`
            : html`<a class="button" href="${options.setUp.href}">${options.setUp.label}</a>`
        }
      </p>
    </li>`;
  };
  const anyEnabled = data.enabled.totp || data.enabled.email || data.enabled.webauthn;
  const anyMethod = data.app !== undefined || data.email !== undefined || data.keys.length > 0;
  // The heading is the help article's (SPEC §2.2); the title names the page among the others
  // with that heading.
  return profileLayout(
    ctx,
    'twoFactor',
    ctx.t.profile.twoFactor,
    html`<h1>${t.heading}</h1>
      <p>${t.intro}</p>
      ${
        data.required
          ? html`<p class="notice notice-info">
              ${data.setUpBy ? t.mandatoryBy(data.setUpBy) : t.mandatoryNote}
            </p>`
          : ''
      }
      ${
        anyEnabled || anyMethod
          ? html`<ul class="methods">
              ${entry({
                title: t.app,
                description: t.appDescription,
                method: data.app,
                enabled: data.enabled.totp,
                setUp: { href: '/profile/2fa/app/new', label: t.setUpApp },
                edit: { href: '/profile/2fa/app/edit', label: t.editApp },
                recommended: true,
              })}
              ${securityKeysEntry(ctx, {
                keys: data.keys,
                enabled: data.enabled.webauthn,
                unusableHere: data.keysUnusableHere,
              })}
              ${entry({
                title: t.email,
                description: t.emailDescription,
                method: data.email,
                enabled: data.enabled.email,
                setUp: { href: '/profile/2fa/email/new', label: t.setUpEmail },
                edit: { href: '/profile/2fa/email/edit', label: t.editEmail },
              })}
            </ul>`
          : html`<p>${t.notEnabled}</p>`
      }
      <section class="recovery" aria-labelledby="recovery-heading">
        <h2 id="recovery-heading">${t.recoveryCodes}</h2>
        ${
          anyMethod
            ? html`<p>${t.recoveryDescription(data.recoveryLeft)}</p>
                <p>
                  <a class="button secondary" href="/profile/2fa/recovery-codes/new"
                    >${t.regenerate}</a
                  >
                </p>`
            : html`<p>${t.recoveryNone}</p>`
        }
      </section>
      ${data.devices}
      ${
        anyMethod
          ? html`<section aria-labelledby="lost-heading">
              <h2 id="lost-heading">${t.lostAccess}</h2>
              <p>${t.lostAccessText}</p>
              ${supportContactLine(ctx)}
            </section>`
          : ''
      }`,
  );
}

export interface AppSetupData {
  setupId: string;
  secret: string;
  qrDataUri: string;
}

export function appSetupPage(
  ctx: PageContext,
  place: SetupPlace,
  data: AppSetupData,
  state: FormState = {},
): SafeHtml {
  const t = ctx.t.twoFactor;
  const errors = state.errors ?? {};
  return frame(
    ctx,
    place,
    t.setUpApp,
    html`<h1>${t.heading}</h1>
      ${formError(state.formError)} ${errorSummary(ctx, errors)}
      <p>${t.appSteps}</p>
      <div class="qr-setup">
        <img class="qr" src="${data.qrDataUri}" alt="${t.qrAlt}" width="200" height="200" />
        <div>
          <p class="setup-key-label" id="setup-key-label">${t.setupKey}</p>
          <div class="setup-key" role="group" aria-labelledby="setup-key-label">
            <code>${formatSetupKey(data.secret)}</code>
          </div>
          <p class="hint">${t.cannotScan}</p>
        </div>
      </div>
      ${form(
        ctx,
        `${place.base}/app/new`,
        html`<input type="hidden" name="setup_id" value="${data.setupId}" /> ${field({
            name: 'name',
            label: t.authenticatorName,
            value: state.values?.name ?? t.defaultAppName,
            errors,
            required: true,
            maxlength: METHOD_NAME_MAX_LENGTH,
            autocomplete: 'off',
          })}
          ${verificationCodeField(ctx, errors)} ${button(t.submitCreate)}`,
      )}
      <p><a href="${place.base}">${t.setUpDifferent}</a></p>`,
  );
}

export interface EmailSetupData {
  name: string;
  email: string;
  /** Set once a code was sent: the form then asks for it. */
  setupId?: string;
  /** Where the code went, in full: the person typed it, and it may differ from the sign-in address. */
  codeSentTo?: string;
  /** This page answers the send itself: "we sent a code" is read out (not on a form sent back). */
  justSent?: boolean;
}

export function emailSetupPage(
  ctx: PageContext,
  place: SetupPlace,
  data: EmailSetupData,
  state: FormState = {},
): SafeHtml {
  const t = ctx.t.twoFactor;
  const errors = state.errors ?? {};
  const sent = data.setupId !== undefined;
  return frame(
    ctx,
    place,
    t.setUpEmail,
    html`<h1>${t.heading}</h1>
      ${formError(state.formError)} ${errorSummary(ctx, errors)}
      <p>${t.emailSteps}</p>
      ${form(
        ctx,
        `${place.base}/email/new`,
        html`${field({
          name: 'name',
          label: t.authenticatorName,
          value: data.name,
          errors,
          required: true,
          maxlength: METHOD_NAME_MAX_LENGTH,
          autocomplete: 'off',
        })}
        ${field({
          name: 'email',
          label: t.emailAddress,
          type: 'email',
          value: data.email,
          errors,
          required: true,
          maxlength: EMAIL_MAX_LENGTH,
          autocomplete: 'email',
        })}
        ${
          // One form once the code is out, so the name as it stands when the code is entered is
          // the one saved. Its first button, the one Enter presses, creates the method.
          sent
            ? html`<input type="hidden" name="setup_id" value="${data.setupId}" />
                ${announced(t.codeSentTo(data.codeSentTo ?? ''), {
                  kind: 'info',
                  element: 'p',
                  announce: data.justSent === true,
                })}
                ${verificationCodeField(ctx, errors, fieldMayTakeFocus(state))}
                <p class="button-row">
                  ${button(t.submitCreate, { name: 'action', value: 'create' })}
                  ${button(t.sendAgain, { name: 'action', value: 'send', secondary: true })}
                </p>`
            : button(t.sendCode, { name: 'action', value: 'send' })
        }`,
      )}
      <p><a href="${place.base}">${t.setUpDifferent}</a></p>`,
  );
}

export function setupChoicePage(
  ctx: PageContext,
  data: { totp: boolean; email: boolean; webauthn: boolean; graceNote: string | null },
): SafeHtml {
  const t = ctx.t.twoFactor;
  return layout(ctx, {
    title: t.setupRequiredHeading,
    narrow: true,
    main: html`<h1>${t.setupRequiredHeading}</h1>
      <p>${t.setupRequiredIntro}</p>
      <ul class="choice-list">
        ${
          data.totp
            ? html`<li>
                <a class="button" href="/login/2fa/setup/app/new">${t.setUpApp}</a>
                <span class="badge">${t.recommended}</span>
              </li>`
            : ''
        }
        ${
          data.webauthn
            ? html`<li>
                <a class="button secondary" href="/login/2fa/setup/security-keys/new"
                  >${t.webauthn.add}</a
                >
              </li>`
            : ''
        }
        ${
          data.email
            ? html`<li>
                <a class="button secondary" href="/login/2fa/setup/email/new">${t.setUpEmail}</a>
              </li>`
            : ''
        }
      </ul>
      ${
        data.graceNote
          ? form(
              ctx,
              '/login/2fa/setup/later',
              html`<p class="hint">${data.graceNote}</p>
                ${button(t.setupLater, { secondary: true })}`,
            )
          : ''
      }
      ${form(ctx, '/login/2fa/cancel', button(ctx.t.twoFactor.cancelSignIn, { secondary: true }), {
        className: 'cancel-form',
      })}`,
  });
}

export function recoveryCodesPage(
  ctx: PageContext,
  data: { codes: string[]; continueTo: string; created?: string; account?: string },
): SafeHtml {
  const t = ctx.t.twoFactor;
  // Which account the codes open, on the page (and its printout) and in the file: a person
  // with more than one account, or a printout found later, can tell.
  const account = data.account ? t.recoveryAccount(data.account) : '';
  const file = [
    t.recoveryFileTitle(ctx.siteName),
    ...(account ? [account] : []),
    '',
    ...data.codes,
    '',
    `${t.recoveryFileNote} ${new Date().toISOString().slice(0, 10)}.`,
    '',
  ].join('\n');
  const href = `data:text/plain;charset=utf-8;base64,${Buffer.from(file, 'utf8').toString('base64')}`;
  return layout(ctx, {
    title: t.recoveryHeading,
    narrow: true,
    main: html`${data.created ? announced(data.created) : ''}
      <h1>${t.recoveryHeading}</h1>
      ${account ? html`<p class="recovery-account"><strong>${account}</strong></p>` : ''}
      <p>${t.recoveryIntro}</p>
      <ol class="recovery-codes">
        ${data.codes.map((code) => html`<li><code>${code}</code></li>`)}
      </ol>
      <p class="button-row">
        <a class="button secondary" href="${href}" download="${t.downloadFileName}"
          >${t.download}</a
        >
        <a class="button" href="${data.continueTo}">${t.continue}</a>
      </p>`,
  });
}

/**
 * Where a manage page offers to remove its method; or, while it is the last method and 2FA is
 * required of the person, says why it cannot go (SPEC §2.5).
 */
function removeOffer(ctx: PageContext, href: string, label: string, blocked: boolean): SafeHtml {
  return blocked
    ? html`<p class="danger-zone">${ctx.t.twoFactor.cannotRemoveLast}</p>`
    : html`<p class="danger-zone"><a class="button danger" href="${href}">${label}</a></p>`;
}

/**
 * The method a manage page's forms act on: a form from a page opened before the method was
 * removed (and perhaps set up anew) is told so, not applied to whatever method is there now.
 */
function methodField(method: TwoFactorMethod): SafeHtml {
  return html`<input type="hidden" name="method_id" value="${method.id}" />`;
}

export function manageAppPage(
  ctx: PageContext,
  method: TwoFactorMethod,
  removeBlocked: boolean,
  state: FormState = {},
): SafeHtml {
  const t = ctx.t.twoFactor;
  const errors = state.errors ?? {};
  return profileLayout(
    ctx,
    'twoFactor',
    t.editApp,
    html`<h1>${t.editApp}</h1>
      ${errorSummary(ctx, errors)}
      ${form(
        ctx,
        '/profile/2fa/app/edit',
        html`${methodField(method)}
        ${field({
          name: 'name',
          label: t.authenticatorName,
          value: state.values?.name ?? method.name,
          errors,
          required: true,
          maxlength: METHOD_NAME_MAX_LENGTH,
          autocomplete: 'off',
        })}
        ${button(t.saveName)}`,
      )}
      ${removeOffer(ctx, '/profile/2fa/app/remove', t.removeApp, removeBlocked)}
      <p><a href="/profile/2fa">${ctx.t.common.back}</a></p>`,
  );
}

export function manageEmailPage(
  ctx: PageContext,
  method: TwoFactorMethod,
  removeBlocked: boolean,
  state: FormState & {
    change?: { setupId: string; email: string; codeSentTo: string };
    /** The name was saved while a new address still waits for its code. */
    nameSaved?: boolean;
    /** This page answers the send, or the save, itself: its notice is read out. */
    justSent?: boolean;
  } = {},
): SafeHtml {
  const t = ctx.t.twoFactor;
  const errors = state.errors ?? {};
  // The name form carries a change under way, so saving the name does not drop it.
  const changeUnderWay = state.change
    ? html`<input type="hidden" name="setup_id" value="${state.change.setupId}" />`
    : '';
  return profileLayout(
    ctx,
    'twoFactor',
    t.editEmail,
    html`<h1>${t.editEmail}</h1>
      ${formError(state.formError)} ${errorSummary(ctx, errors)}
      ${form(
        ctx,
        '/profile/2fa/email/edit',
        html`${methodField(method)}
        ${field({
          name: 'name',
          label: t.authenticatorName,
          value: state.values?.name ?? method.name,
          errors,
          required: true,
          maxlength: METHOD_NAME_MAX_LENGTH,
          autocomplete: 'off',
        })}
        ${changeUnderWay} ${button(t.saveName, { name: 'action', value: 'rename' })}`,
      )}
      <h2>${t.changeEmailHeading}</h2>
      ${form(
        ctx,
        '/profile/2fa/email/edit',
        html`${methodField(method)}
        ${field({
          name: 'email',
          label: t.emailAddress,
          type: 'email',
          value: state.values?.email ?? state.change?.email ?? method.email ?? '',
          errors,
          required: true,
          maxlength: EMAIL_MAX_LENGTH,
          autocomplete: 'email',
        })}
        ${state.change ? html`<input type="hidden" name="setup_id" value="${state.change.setupId}" />` : ''}
        ${button(state.change ? t.sendAgain : t.sendCode, { name: 'action', value: 'send', secondary: true })}`,
      )}
      ${
        state.change
          ? html`${announced(
              state.nameSaved && method.email
                ? t.nameSavedChangeWaiting(method.email, state.change.codeSentTo)
                : t.codeSentTo(state.change.codeSentTo),
              { kind: 'info', element: 'p', announce: state.justSent === true },
            )}
            ${form(
              ctx,
              '/profile/2fa/email/edit',
              html`${methodField(method)}
                <input type="hidden" name="setup_id" value="${state.change.setupId}" />
                <input type="hidden" name="email" value="${state.change.email}" />
                ${verificationCodeField(ctx, errors, fieldMayTakeFocus(state))}
                ${button(t.confirmEmailChange, { name: 'action', value: 'confirm' })}`,
            )}`
          : ''
      }
      ${removeOffer(ctx, '/profile/2fa/email/remove', t.removeEmail, removeBlocked)}
      <p><a href="/profile/2fa">${ctx.t.common.back}</a></p>`,
  );
}

/** Before new recovery codes replace the set: the old ones stop working at once. */
export function regenerateConfirmPage(ctx: PageContext, path: string): SafeHtml {
  const t = ctx.t.twoFactor;
  return profileLayout(
    ctx,
    'twoFactor',
    t.regenerate,
    html`<h1>${t.regenerateConfirmHeading}</h1>
      <p>${t.regenerateWarning}</p>
      <p>${t.regenerateConfirmText}</p>
      ${form(
        ctx,
        path,
        html`<p class="button-row">
          ${button(t.regenerate)}
          <a class="button secondary" href="/profile/2fa">${ctx.t.common.cancel}</a>
        </p>`,
      )}`,
  );
}

export function removeConfirmPage(
  ctx: PageContext,
  data: { method: TwoFactorMethod; path: string; label: string; isLast: boolean; blocked: boolean },
): SafeHtml {
  const t = ctx.t.twoFactor;
  return profileLayout(
    ctx,
    'twoFactor',
    data.label,
    html`<h1>${t.removeConfirmHeading(data.method.name)}</h1>
      ${
        data.blocked
          ? html`<div class="notice notice-error" role="alert">${t.cannotRemoveLast}</div>
              <p><a href="/profile/2fa">${ctx.t.common.back}</a></p>`
          : html`<p>${t.removeConfirmText}</p>
              ${data.isLast ? html`<p><strong>${t.removeConfirmLastText}</strong></p>` : ''}
              ${form(
                ctx,
                data.path,
                html`<input type="hidden" name="method_id" value="${data.method.id}" />
                  <p class="button-row">
                    <button type="submit" class="button danger">${t.confirmRemove}</button>
                    <a class="button secondary" href="/profile/2fa">${ctx.t.common.cancel}</a>
                  </p>`,
              )}`
      }`,
  );
}
