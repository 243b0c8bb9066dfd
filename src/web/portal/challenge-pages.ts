import type { SafeHtml } from '../../lib/html.js';
import { html } from '../../lib/html.js';
import type { ChallengeKind } from '../../two-factor/challenge.js';
import {
  announced,
  button,
  field,
  form,
  formError,
  supportContactLine,
} from '../views/components.js';
import { layout } from '../views/layout.js';
import type { PageContext } from '../views/page-context.js';
import { ceremonyForm } from './security-key-pages.js';

export interface ChallengeView {
  /** "/login/2fa" for a log-in, "/reauth/2fa" for a step-up. */
  base: string;
  stepUp: boolean;
  /** The method shown, or "choose" for the list of other methods. */
  method: ChallengeKind | 'choose';
  available: { totp: boolean; email: boolean; recovery: boolean; webauthn: boolean };
  /** Security key: the options (with their challenge) for navigator.credentials.get. */
  webauthnOptions: unknown;
  /** Browsers refuse keys at this help center's address: the key's page says so instead. */
  keysUnusableHere: boolean;
  /** For email: the masked address, and whether a code was just sent. */
  maskedEmail: string | null;
  codeSent: boolean;
  /** The page that follows the send itself, where "we sent a code" is news to read out. */
  codeJustSent: boolean;
  /** Why the code just asked for was not sent (too soon, too many, mail down). */
  sendError: string | null;
  error: string | null;
  locked: string | null;
  next: string;
  /** A step-up's Cancel, when it is not `next` (carried along like `next`); '' otherwise. */
  cancel: string;
  /** Offer "Remember this device for 30 days" (a log-in, not a step-up; never administrators). */
  canRemember: boolean;
  /** The box was ticked on the form that came back refused: it stays ticked. */
  remember: boolean;
  /** A log-in's forms name the sign-in they were shown for (`signInTag`); '' for a step-up. */
  signIn: string;
}

/** The `next` and `cancel` a link to another method of the same page carries along. */
function placesQuery(view: ChallengeView): string {
  return (
    (view.next ? `&next=${encodeURIComponent(view.next)}` : '') +
    (view.cancel ? `&cancel=${encodeURIComponent(view.cancel)}` : '')
  );
}

function methodLink(view: ChallengeView, kind: ChallengeKind, label: string): SafeHtml {
  return html`<li><a href="${view.base}?method=${kind}${placesQuery(view)}">${label}</a></li>`;
}

/** "Remember this device for 30 days" (SPEC §2.6), unticked unless the person ticks it. */
function rememberField(ctx: PageContext, kind: ChallengeKind, checked: boolean): SafeHtml {
  const t = ctx.t.twoFactor;
  const id = `remember-${kind}`;
  return html`<div class="remember">
    <input
      type="checkbox"
      id="${id}"
      name="remember"
      value="1"
      aria-describedby="${id}-hint"
      ${checked ? html`checked` : ''}
    />
    <label for="${id}">${t.rememberDevice}</label>
    <p class="hint" id="${id}-hint">${t.rememberDeviceHint}</p>
  </div>`;
}

/** The second step (SPEC §2.6): never a session before it succeeds. */
export function challengePage(ctx: PageContext, view: ChallengeView): SafeHtml {
  const t = ctx.t.twoFactor;
  const heading = view.stepUp ? t.stepUpHeading : t.challengeHeading;
  const signInField = view.signIn
    ? html`<input type="hidden" name="signin" value="${view.signIn}" />`
    : '';
  const nextField = html`${view.next ? html`<input type="hidden" name="next" value="${view.next}" />` : ''}
  ${view.cancel ? html`<input type="hidden" name="cancel" value="${view.cancel}" />` : ''}
  ${signInField}`;
  const codeForm = (kind: ChallengeKind, label: string, numeric: boolean) =>
    form(
      ctx,
      view.base,
      html`<input type="hidden" name="method" value="${kind}" /> ${nextField}
        ${field({
          name: 'code',
          label,
          required: true,
          code: numeric,
          autocomplete: numeric ? undefined : 'off',
          maxlength: numeric ? 10 : 40,
          // The code field's own error is read with it; a refusal above it takes the focus.
          autofocus: !view.sendError,
          errors: view.error ? { code: view.error } : {},
        })}
        ${view.canRemember ? rememberField(ctx, kind, view.remember) : ''} ${button(t.verify)}`,
    );

  let body: SafeHtml;
  if (view.locked) {
    body = formError(view.locked);
  } else if (view.method === 'totp') {
    body = html`<p>${t.challengeAppIntro}</p>
      ${codeForm('totp', t.verificationCode, true)}`;
  } else if (view.method === 'email') {
    const codeAsked = view.codeSent || Boolean(view.error);
    body = html`${
      view.codeSent
        ? announced(t.codeSentTo(view.maskedEmail ?? ''), {
            kind: 'info',
            element: 'p',
            announce: view.codeJustSent,
          })
        : html`<p>
            ${codeAsked ? t.challengeEmailCodeIntro(view.maskedEmail ?? '') : t.challengeEmailIntro}
          </p>`
    }
    ${formError(view.sendError)} ${codeAsked ? codeForm('email', t.verificationCode, true) : ''}
    ${
      // Once a code is on its way, the field for it comes first and this asks for another.
      form(
        ctx,
        `${view.base}/send`,
        html`${nextField}${button(
          codeAsked
            ? t.sendNewCodeTo(view.maskedEmail ?? '')
            : t.sendCodeTo(view.maskedEmail ?? ''),
          { secondary: codeAsked },
        )}`,
      )
    }`;
  } else if (view.method === 'webauthn') {
    const intro = view.keysUnusableHere ? t.keysUnusableHereNote : t.webauthn.useIntro;
    body = html`<p>${intro}</p>
      ${
        view.webauthnOptions
          ? ceremonyForm(ctx, {
              action: view.base,
              kind: 'authenticate',
              options: view.webauthnOptions,
              label: t.webauthn.use,
              error: view.error,
              fields: html`<input type="hidden" name="method" value="webauthn" /> ${nextField}
                ${view.canRemember ? rememberField(ctx, 'webauthn', view.remember) : ''}`,
            })
          : ''
      }`;
  } else if (view.method === 'recovery') {
    body = html`<p>${t.challengeRecoveryIntro}</p>
      ${codeForm('recovery', t.recoveryCode, false)}`;
  } else {
    body = html`<ul class="choice-list">
      ${view.available.totp ? methodLink(view, 'totp', t.useApp) : ''}
      ${view.available.webauthn ? methodLink(view, 'webauthn', t.webauthn.use) : ''}
      ${view.available.email ? methodLink(view, 'email', t.useEmail) : ''}
      ${view.available.recovery ? methodLink(view, 'recovery', t.useRecovery) : ''}
    </ul>`;
  }

  const next = placesQuery(view);
  // The list of methods already offers each one: no second "Use a recovery code" under it.
  const others =
    view.method === 'choose'
      ? []
      : [
          html`<li><a href="${view.base}?method=choose${next}">${t.useDifferent}</a></li>`,
          view.method !== 'recovery' && view.available.recovery
            ? html`<li><a href="${view.base}?method=recovery${next}">${t.useRecovery}</a></li>`
            : '',
        ];

  // Each method's page has a title of its own, so the browser's history and tabs, and a
  // screen reader arriving on it, tell them apart (WCAG 2.4.2).
  const methodTitle: Record<string, string> = {
    totp: t.useApp,
    email: t.useEmail,
    webauthn: t.webauthn.use,
    recovery: t.useRecovery,
  };
  const shown = view.locked ? undefined : methodTitle[view.method];
  return layout(ctx, {
    title: shown ? `${shown} · ${heading}` : heading,
    narrow: true,
    main: html`<h1>${heading}</h1>
      ${view.stepUp ? html`<p>${t.stepUpIntro}</p>` : ''} ${body}
      ${
        view.locked || others.length === 0
          ? ''
          : html`<ul class="links">
              ${others}
            </ul>`
      }
      <p class="hint">${t.lostAccessSignIn}</p>
      ${supportContactLine(ctx)}
      ${
        view.stepUp
          ? html`<p>
              <a class="button secondary" href="${view.cancel || view.next || '/profile/2fa'}"
                >${ctx.t.common.cancel}</a
              >
            </p>`
          : form(
              ctx,
              '/login/2fa/cancel',
              html`${signInField}${button(t.cancelSignIn, { secondary: true })}`,
              { className: 'cancel-form' },
            )
      }`,
  });
}
