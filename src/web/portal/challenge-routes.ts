import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PendingContext } from '../../accounts/sign-in.js';
import { formatEndTime, isLocale } from '../../i18n/index.js';
import type { Locale, Messages } from '../../i18n/index.js';
import type { ChallengeKind } from '../../two-factor/challenge.js';
import { maskEmail } from '../../two-factor/email/email-codes.js';
import { isLockedUntilReset, sixDigitCode } from '../../two-factor/constants.js';
import type { TwoFactorErrorCode } from '../../two-factor/error-codes.js';
import { text, Validator } from '../form-input.js';
import { requestMeta } from '../request-context.js';
import type { WebDeps } from '../web-deps.js';
import { requireSession, safeNext, sendHtml, startSession } from '../web-deps.js';
import type { ChallengeView } from './challenge-pages.js';
import { challengePage } from './challenge-pages.js';
import { reauthPage } from './profile-pages.js';

/** Words for a lock: its end in the reader's language, or that an administrator ends it. */
function lockedText(t: Messages, locale: Locale, until: number): string {
  return isLockedUntilReset(until)
    ? t.twoFactor.errors.lockedUntilReset
    : t.twoFactor.errors.LOCKED(formatEndTime(locale, until));
}

/** Words for a two-factor error; the lock names its end in the reader's language. */
export function twoFactorErrorText(
  t: Messages,
  code: TwoFactorErrorCode,
  locked?: { locale: Locale; until: number },
): string {
  if (code === 'LOCKED') {
    return locked ? lockedText(t, locked.locale, locked.until) : t.twoFactor.errors.LOCKED('');
  }
  return t.twoFactor.errors[code];
}

/**
 * Words for a refused second step: a security key has one message for whatever went wrong, and
 * a used recovery code is never followed by a new one, unlike a TOTP or email code.
 */
function challengeErrorText(t: Messages, kind: ChallengeKind, code: TwoFactorErrorCode): string {
  if (kind === 'webauthn' && code !== 'METHOD_NOT_SET_UP' && code !== 'CHALLENGE_RAN_OUT')
    return t.twoFactor.webauthn.failed;
  if (kind === 'recovery' && code === 'CODE_ALREADY_USED') {
    return t.twoFactor.errors.recoveryCodeAlreadyUsed;
  }
  return twoFactorErrorText(t, code);
}

/**
 * Names a pending log-in in its forms without giving its cookie away (a hash of the stored hash
 * of that cookie). One browser holds one pending log-in: a second log-in in another tab
 * replaces the first, and a code typed into the first tab's page would otherwise be checked
 * against, and counted as a failure of, the other account.
 */
export function signInTag(ctx: PendingContext): string {
  return createHash('sha256')
    .update(`sign-in form:${ctx.pending.id_hash}`)
    .digest('base64url')
    .slice(0, 22);
}

const KINDS: ChallengeKind[] = ['totp', 'email', 'recovery', 'webauthn'];
const isKind = (value: string): value is ChallengeKind => (KINDS as string[]).includes(value);

/**
 * The second step of a log-in (/login/2fa) and of a step-up (/reauth/2fa). Both work on a
 * pending sign-in found by its cookie; a step-up's must also belong to the current session.
 */
export function registerChallengeRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { services, tools } = deps;
  const { signIn } = services.accounts;
  const { challenge, trustedDevices } = services.twoFactor;

  async function pendingFor(
    request: FastifyRequest,
    stepUp: boolean,
  ): Promise<PendingContext | undefined> {
    const token = request.cookies[tools.cookies.pending];
    if (!token) return undefined;
    const ctx = await signIn.findPending(token);
    if (!ctx || ctx.pending.stage !== 'second_factor') return undefined;
    if (stepUp) {
      if (
        ctx.pending.purpose !== 'step_up' ||
        request.auth?.session.id_hash !== ctx.pending.session_id_hash
      ) {
        return undefined;
      }
    } else if (ctx.pending.purpose !== 'sign_in') {
      return undefined;
    }
    tools.speakAs(request, ctx.user);
    return ctx;
  }

  async function render(
    request: FastifyRequest,
    reply: FastifyReply,
    ctx: PendingContext,
    options: {
      stepUp: boolean;
      method?: string;
      /** Say that a code was sent, and offer its field, when this sign-in has an email code out. */
      codeSent?: boolean;
      /** This page follows the send itself (not a form sent back): the news is read out. */
      codeJustSent?: boolean;
      sendError?: string;
      error?: string | null;
      status?: number;
      next: string;
      /** A step-up's Cancel when it is not `next`. */
      cancel?: string;
    },
  ) {
    const state = await challenge.state(ctx);
    const hasTotp = state.methods.some((m) => m.type === 'totp');
    const email = state.methods.find((m) => m.type === 'email');
    const hasKey = state.methods.some((m) => m.type === 'webauthn');
    const available = {
      totp: hasTotp,
      email: email !== undefined,
      recovery: state.recoveryCodesLeft > 0,
      webauthn: hasKey,
    };
    // At an address where browsers refuse every key (an IP address), a key is not the method
    // a page opens on while there is another way in.
    const keysWork = services.twoFactor.policy.securityKeysWork;
    const requested = options.method ?? '';
    let method: ChallengeView['method'] = hasTotp
      ? 'totp'
      : hasKey && keysWork
        ? 'webauthn'
        : email
          ? 'email'
          : hasKey && state.recoveryCodesLeft === 0
            ? 'webauthn'
            : 'recovery';
    if (requested === 'choose') method = 'choose';
    else if (isKind(requested) && available[requested]) method = requested;
    const t = request.t;
    const view: ChallengeView = {
      base: options.stepUp ? '/reauth/2fa' : '/login/2fa',
      stepUp: options.stepUp,
      method,
      available,
      maskedEmail: email?.email ? maskEmail(email.email) : null,
      codeSent:
        (options.codeSent ?? false) && method === 'email' && (await challenge.hasEmailCodeOut(ctx)),
      codeJustSent: options.codeJustSent ?? false,
      sendError: options.sendError ?? null,
      error: options.error ?? null,
      locked: state.lockedUntil ? lockedText(t, request.locale, state.lockedUntil) : null,
      next: options.next,
      cancel: options.stepUp ? (options.cancel ?? '') : '',
      keysUnusableHere: !keysWork,
      // A fresh challenge for this pending sign-in, only when the key is what the page offers.
      webauthnOptions:
        method === 'webauthn' && keysWork && !state.lockedUntil
          ? await services.twoFactor.securityKeys.authenticationOptions(
              ctx.user.id,
              ctx.pending.id_hash,
            )
          : null,
      canRemember: !options.stepUp && trustedDevices.mayRemember(ctx.user),
      remember: text(request.body, 'remember') === '1',
      signIn: options.stepUp ? '' : signInTag(ctx),
    };
    return sendHtml(
      reply,
      challengePage(tools.page(request), view),
      options.status ?? (view.locked ? 423 : 200),
    );
  }

  /** Whether the browser's pending log-in is one that must set up a method first. */
  const mustSetUp = async (request: FastifyRequest) => {
    const token = request.cookies[tools.cookies.pending];
    const ctx = token ? await signIn.findPending(token) : undefined;
    return ctx?.pending.stage === 'setup_required' && ctx.pending.purpose === 'sign_in';
  };

  const gone = (reply: FastifyReply, stepUp: boolean) => {
    tools.clearPending(reply);
    if (stepUp) {
      tools.flash(reply, 'stepUpGone', undefined, 'error');
      return reply.redirect('/profile/2fa', 303);
    }
    tools.flash(reply, 'signInExpired', undefined, 'error');
    return reply.redirect('/login', 303);
  };

  /**
   * A log-in form from a page shown for another pending log-in (replaced since, in another
   * tab): nothing is checked, sent or counted; the page of the log-in in progress says so.
   */
  const replaced = (request: FastifyRequest, reply: FastifyReply, ctx: PendingContext) => {
    const shownFor = text(request.body, 'signin');
    if (shownFor === '' || shownFor === signInTag(ctx)) return false;
    // Named, so that the code of the first account is not typed again into the second's page.
    tools.flash(reply, 'signInReplaced', ctx.user.name, 'error');
    void reply.redirect('/login/2fa', 303);
    return true;
  };

  for (const stepUp of [false, true]) {
    const base = stepUp ? '/reauth/2fa' : '/login/2fa';

    app.get(base, async (request, reply) => {
      if (stepUp && !requireSession(request, reply)) return reply;
      const ctx = await pendingFor(request, stepUp);
      if (!ctx && !stepUp && (await mustSetUp(request))) {
        // A log-in that must set a method up first (the back button, a bookmark): its set-up
        // page, not the end of it, which would ask for the password again.
        return reply.redirect('/login/2fa/setup', 303);
      }
      if (!ctx) return gone(reply, stepUp);
      return render(request, reply, ctx, {
        stepUp,
        method: text(request.query, 'method'),
        codeSent: text(request.query, 'sent') === '1',
        // The page the send redirects to.
        codeJustSent: text(request.query, 'sent') === '1',
        next: safeNext(text(request.query, 'next'), ''),
        cancel: safeNext(text(request.query, 'cancel'), ''),
      });
    });

    app.post(`${base}/send`, async (request, reply) => {
      if (stepUp && !requireSession(request, reply)) return reply;
      const ctx = await pendingFor(request, stepUp);
      if (!ctx) return gone(reply, stepUp);
      if (!stepUp && replaced(request, reply, ctx)) return reply;
      const next = safeNext(text(request.body, 'next'), '');
      const cancel = safeNext(text(request.body, 'cancel'), '');
      // In the language this browser chose with the switch, which the page speaks; otherwise
      // in the account's, as its other mails.
      const chosen = isLocale(request.cookies[tools.cookies.language]) ? request.locale : undefined;
      const sent = await challenge.sendEmailCode(ctx, requestMeta(request), chosen);
      // Locked meanwhile: as a code sent to this step is answered. No email method (a form made
      // by hand): said on the page the account's methods open, not as a limit reached.
      if (!sent.ok && sent.error === 'LOCKED') {
        tools.clearPending(reply);
        return render(request, reply, ctx, { stepUp, next, cancel, status: 423 });
      }
      if (!sent.ok && sent.error === 'METHOD_NOT_SET_UP') {
        const error = twoFactorErrorText(request.t, sent.error);
        return render(request, reply, ctx, { stepUp, error, status: 422, next, cancel });
      }
      if (!sent.ok) {
        return render(request, reply, ctx, {
          stepUp,
          method: 'email',
          // Refused (a minute not over, the relay down): a code of this sign-in sent before
          // still works; one sent to another sign-in of the account does not.
          codeSent: true,
          sendError: twoFactorErrorText(request.t, sent.error),
          status: sent.error === 'MAIL_FAILED' ? 503 : 429,
          next,
          cancel,
        });
      }
      const query = new URLSearchParams({
        method: 'email',
        sent: '1',
        ...(next ? { next } : {}),
        ...(stepUp && cancel ? { cancel } : {}),
      });
      return reply.redirect(`${base}?${query.toString()}`, 303);
    });

    app.post(base, async (request, reply) => {
      if (stepUp && !requireSession(request, reply)) return reply;
      const ctx = await pendingFor(request, stepUp);
      if (!ctx) return gone(reply, stepUp);
      if (!stepUp && replaced(request, reply, ctx)) return reply;
      const t = request.t;
      const next = safeNext(text(request.body, 'next'), '');
      const cancel = safeNext(text(request.body, 'cancel'), '');
      const kind = text(request.body, 'method');
      const v = new Validator(t);
      // A security key answers with its assertion (JSON) instead of a typed code.
      const code =
        kind === 'webauthn'
          ? text(request.body, 'response')
          : v.required(
              'code',
              kind === 'recovery' ? t.twoFactor.recoveryCode : t.twoFactor.verificationCode,
              text(request.body, 'code'),
              40,
            );
      if (!isKind(kind)) return render(request, reply, ctx, { stepUp, next, cancel, status: 422 });
      if (kind === 'webauthn' && code === '') {
        return render(request, reply, ctx, {
          stepUp,
          method: kind,
          error: t.twoFactor.webauthn.failed,
          status: 422,
          next,
          cancel,
        });
      }
      // No code, an app or email code that is not six digits, or a code too long to be one: a
      // slip of the keyboard, said as such and not counted as a wrong code, which it could
      // never be.
      const slip =
        code === ''
          ? kind === 'recovery'
            ? t.twoFactor.errors.recoveryCodeRequired
            : t.twoFactor.errors.codeRequired
          : (kind === 'totp' || kind === 'email') && sixDigitCode(code) === null
            ? t.twoFactor.errors.codeShape
            : (v.errors.code ?? null);
      if (slip) {
        return render(request, reply, ctx, {
          stepUp,
          method: kind,
          codeSent: true,
          error: slip,
          status: 422,
          next,
          cancel,
        });
      }
      const result = await challenge.verify(ctx, kind, code, requestMeta(request));
      if (!result.ok) {
        if (result.error === 'SIGN_IN_ENDED') {
          tools.clearPending(reply);
          if (stepUp) {
            tools.flash(reply, 'stepUpEnded', undefined, 'error');
            return reply.redirect('/profile/2fa', 303);
          }
          tools.flash(reply, 'signInEnded', undefined, 'error');
          return reply.redirect('/login', 303);
        }
        if (result.error === 'LOCKED') {
          tools.clearPending(reply);
          return render(request, reply, ctx, { stepUp, next, cancel, status: 423 });
        }
        const unreadable = result.error === 'SECRET_UNREADABLE';
        if (unreadable) {
          request.log.error(
            { userId: ctx.user.id },
            "a stored TOTP secret does not open with this process's key: every process needs the PORTICO_SECRET_KEY this database was set up with",
          );
        }
        return render(request, reply, ctx, {
          stepUp,
          method: kind,
          codeSent: true,
          error: challengeErrorText(t, kind, result.error),
          // The server cannot check the code; the person may still use another method.
          status: unreadable ? 503 : 422,
          next,
          cancel,
        });
      }
      if (stepUp) {
        tools.clearPending(reply);
        tools.setSession(reply, result.value.sessionToken);
      } else await startSession(deps, request, reply, result.value.sessionToken);
      if (!stepUp && text(request.body, 'remember') === '1') {
        const deviceToken = await trustedDevices.remember(ctx.user, requestMeta(request));
        if (deviceToken) tools.setDevice(reply, deviceToken);
      }
      if (stepUp) tools.flash(reply, 'stepUpConfirmed');
      // A code is gone for good: the first page says how many are left.
      else if (kind === 'recovery')
        tools.flash(
          reply,
          'recoveryCodeUsed',
          String(await services.twoFactor.recovery.remaining(ctx.user.id)),
        );
      return reply.redirect(next || (stepUp ? '/profile/2fa' : '/'), 303);
    });
  }

  app.post('/login/2fa/cancel', async (request, reply) => {
    const token = request.cookies[tools.cookies.pending];
    // Cancel on a page of a log-in that another tab replaced leaves the one in progress alone.
    const ctx = token ? await pendingFor(request, false) : undefined;
    if (ctx && replaced(request, reply, ctx)) return reply;
    if (token) await signIn.abandon(token);
    tools.clearPending(reply);
    return reply.redirect('/login', 303);
  });

  /** Where a step-up returns to, and where its Cancel leads (the same page unless told). */
  const reauthPlaces = (source: unknown) => {
    const next = safeNext(text(source, 'next'), '/profile');
    return { next, cancel: safeNext(text(source, 'cancel'), next) };
  };

  // Re-authentication: the password, then the second factor when the account has one.
  app.get('/reauth', (request, reply) => {
    if (!requireSession(request, reply)) return reply;
    return sendHtml(reply, reauthPage(tools.page(request), reauthPlaces(request.query)));
  });

  app.post('/reauth', async (request, reply) => {
    const auth = requireSession(request, reply);
    if (!auth) return reply;
    const t = request.t;
    const places = reauthPlaces(request.body);
    const { next } = places;
    const v = new Validator(t);
    const password = v.password('password', t.reauth.password, text(request.body, 'password'));
    if (!v.ok)
      return sendHtml(reply, reauthPage(tools.page(request), places, { errors: v.errors }), 422);
    const checked = await services.accounts.credentials.checkPassword(auth.user, password, {
      where: 'reauthentication',
      meta: requestMeta(request),
    });
    if (!checked.ok) {
      const tooMany = checked.error === 'TOO_MANY_ATTEMPTS';
      return sendHtml(
        reply,
        reauthPage(tools.page(request), places, {
          errors: { password: tooMany ? t.errors.tooManyAttempts : t.reauth.failed },
        }),
        tooMany ? 429 : 422,
      );
    }
    const result = await signIn.beginStepUp(auth, requestMeta(request));
    if (result.outcome === 'ended') {
      tools.clearSession(reply);
      return reply.redirect(`/login?next=${encodeURIComponent(next)}`, 303);
    }
    if (result.outcome === 'pending') {
      tools.setPending(reply, result.pendingToken);
      const also = places.cancel !== next ? `&cancel=${encodeURIComponent(places.cancel)}` : '';
      return reply.redirect(`/reauth/2fa?next=${encodeURIComponent(next)}${also}`, 303);
    }
    tools.setSession(reply, result.sessionToken);
    // The form the person was filling in is empty again (a post is not replayed): say why.
    tools.flash(reply, 'stepUpConfirmed');
    return reply.redirect(next, 303);
  });
}
