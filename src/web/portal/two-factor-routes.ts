import { createRequire } from 'node:module';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type QRCode from 'qrcode';
import { formatDate, formatDateTime, graceEndText } from '../../i18n/index.js';
import { DAY_MS } from '../../clock.js';
import { hashToken } from '../../security/tokens.js';
import { normalizeEmail } from '../../accounts/users.js';
import { sixDigitCode } from '../../two-factor/constants.js';
import type { TwoFactorErrorCode } from '../../two-factor/error-codes.js';
import type { ActiveSession } from '../../accounts/sessions.js';
import type { User } from '../../db/schema.js';
import type { TwoFactorPolicy } from '../../two-factor/policy.js';
import type { Created, SetupOwner } from '../../two-factor/setup.js';
import { text, Validator } from '../form-input.js';
import { requestMeta, shownHolder } from '../request-context.js';
import type { Shown, ShownHolder } from '../shown-once.js';
import { messagePage } from '../views/message-page.js';
import type { WebDeps } from '../web-deps.js';
import { requireRecentSignIn, requireSession, sendHtml, startSession } from '../web-deps.js';
import { twoFactorErrorText } from './challenge-routes.js';
import type { Actor } from './security-key-routes.js';
import { registerSecurityKeyRoutes } from './security-key-routes.js';
import type { SetupPlace } from './two-factor-pages.js';
import {
  appSetupPage,
  emailSetupPage,
  manageAppPage,
  manageEmailPage,
  overviewPage,
  readMethodName,
  recoveryCodesPage,
  regenerateConfirmPage,
  removeConfirmPage,
  setupChoicePage,
} from './two-factor-pages.js';

import { trustedDevicesSection } from './trusted-device-pages.js';
import { thisDevice } from './trusted-device-routes.js';

/** New recovery codes are shown here, once (SPEC §3). */
const RECOVERY_CODES = '/profile/2fa/recovery-codes';
/** The question before new codes replace the set (a step-up comes back to it, not to a post). */
const NEW_RECOVERY_CODES = `${RECOVERY_CODES}/new`;

const PROFILE: SetupPlace = { base: '/profile/2fa', inProfile: true };
const LOGIN: SetupPlace = { base: '/login/2fa/setup', inProfile: false };

// Loaded when the first QR code is drawn, not at start: qrcode (with its PNG encoder) is only
// needed to set up an authenticator app (docs/performance.md).
let qrcode: typeof QRCode | null = null;

async function qrDataUri(uri: string): Promise<string> {
  qrcode ??= createRequire(import.meta.url)('qrcode') as typeof QRCode;
  const svg = await qrcode.toString(uri, { type: 'svg', errorCorrectionLevel: 'M', margin: 2 });
  return `data:image/svg+xml;base64,${Buffer.from(svg).toString('base64')}`;
}

/** Errors about the code belong to the code field; the rest are about the whole form. */
const CODE_ERRORS: TwoFactorErrorCode[] = ['INVALID_CODE', 'CODE_EXPIRED', 'CODE_ALREADY_USED'];
/** A new code refused: the one sent before, if any, is still the valid one. */
const KEEP_EARLIER_CODE: TwoFactorErrorCode[] = ['RESEND_TOO_SOON', 'RESEND_LIMIT'];

/** A signed-in session as the owner of the set-ups it starts. */
const ownerOf = (auth: ActiveSession): SetupOwner => ({
  user: auth.user,
  requestId: auth.session.id_hash,
});

/**
 * Your 2FA (SPEC §2.2–§2.5) and the mandatory set-up on the login path (§2.6): the same set-up
 * screens, reached either by a signed-in person who signed in recently, or by a pending
 * sign-in that may only finish once a method exists.
 */
/**
 * When the grace period ends, in words. The admin page stores the first moment after the day
 * it was given, which reads best as that day; a moment set through the API at another time of
 * day is shown as it is.
 */
function graceNoteFor(request: FastifyRequest, graceUntil: number): string {
  const t = request.t.twoFactor;
  return graceUntil % DAY_MS === 0
    ? t.graceNote(formatDate(request.locale, graceUntil - 1))
    : t.graceNoteAt(formatDateTime(request.locale, graceUntil));
}

/**
 * Until when this person may put off setting up 2FA ("Set up later"), or null: the grace date
 * while it lies ahead, and never for an administrator (the console needs a second factor).
 */
function postponableUntil(user: User, current: TwoFactorPolicy, now: number): number | null {
  return current.graceUntil !== null && current.graceUntil > now && user.is_admin !== 1
    ? current.graceUntil
    : null;
}

export function registerTwoFactorRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { services, tools, clock } = deps;
  const { twoFactor } = services;
  const { setup, methods, policy } = twoFactor;
  const { signIn } = services.accounts;

  /** Who is setting up: a recently signed-in person, or a pending sign-in that must set up. */
  async function actorFor(
    request: FastifyRequest,
    reply: FastifyReply,
    place: SetupPlace,
    back: string,
  ): Promise<Actor | null> {
    if (place.inProfile) {
      const auth = requireSession(request, reply);
      // Cancel on the step-up leads to Your 2FA: the set-up page would only ask again.
      if (!auth || !requireRecentSignIn(request, reply, clock, back, place.base)) return null;
      return {
        user: auth.user,
        place,
        requestId: auth.session.id_hash,
        addressId: auth.session.address_id,
      };
    }
    const expired = () => {
      tools.clearPending(reply);
      tools.flash(reply, 'signInExpired', undefined, 'error');
      void reply.redirect('/login', 303);
      return null;
    };
    const token = request.cookies[tools.cookies.pending];
    const ctx = token ? await signIn.findPending(token) : undefined;
    if (!ctx || ctx.pending.stage !== 'setup_required' || ctx.pending.purpose !== 'sign_in')
      return expired();
    tools.speakAs(request, ctx.user);
    // The policy changed since the password step (turned off, or the person left the group
    // that needed it): a page of the set-up no longer holds them back, it lets them in as the
    // password step would now. A code already typed into a set-up form is still taken.
    if (request.method === 'GET' && !(await policy.isRequiredFor(ctx.user))) {
      const done = await signIn.complete(ctx.pending, requestMeta(request), 'password');
      if (!done) return expired();
      await startSession(deps, request, reply, done.sessionToken);
      void reply.redirect(tools.takeNext(request, reply), 303);
      return null;
    }
    return {
      user: ctx.user,
      place,
      pending: ctx,
      requestId: ctx.pending.id_hash,
      addressId: ctx.pending.address_id,
    };
  }

  const refused = (
    request: FastifyRequest,
    reply: FastifyReply,
    code: TwoFactorErrorCode,
    back: string,
  ) =>
    sendHtml(
      reply,
      messagePage(
        tools.page(request),
        request.t.twoFactor.heading,
        twoFactorErrorText(request.t, code),
        {
          href: back,
          label: request.t.common.back,
        },
      ),
      code === 'METHOD_DISABLED' ? 403 : 409,
    );

  /**
   * After a method is made: new recovery codes go to their one-time page (POST → redirect →
   * GET, so a reload or the language switch shows the same set), and on the login path the
   * person is signed in first.
   */
  async function finished(
    request: FastifyRequest,
    reply: FastifyReply,
    actor: Actor,
    created: Created,
    kind: 'totp' | 'email' | 'webauthn',
  ) {
    const flashKey =
      kind === 'totp'
        ? 'twoFactorCreatedApp'
        : kind === 'email'
          ? 'twoFactorCreatedEmail'
          : 'securityKeyAdded';
    if (actor.pending) {
      const done = await signIn.complete(actor.pending.pending, requestMeta(request), kind, {
        madeMethod: true,
      });
      if (!done) {
        tools.clearPending(reply);
        tools.flash(reply, 'signInExpired', undefined, 'error');
        return reply.redirect('/login', 303);
      }
      await startSession(deps, request, reply, done.sessionToken);
      const next = tools.takeNext(request, reply);
      if (created.recoveryCodes) {
        const holder = { userId: actor.user.id, sessionHash: hashToken(done.sessionToken) };
        return showCodes(reply, holder, created.recoveryCodes, kind, next);
      }
      tools.flash(reply, flashKey);
      return reply.redirect(next, 303);
    }
    if (created.recoveryCodes && request.auth) {
      const holder = shownHolder(request.auth);
      return showCodes(reply, holder, created.recoveryCodes, kind, '/profile/2fa');
    }
    tools.flash(reply, flashKey);
    return reply.redirect('/profile/2fa', 303);
  }

  function showCodes(
    reply: FastifyReply,
    holder: ShownHolder,
    codes: string[],
    created: Shown['recoveryCodes']['created'],
    continueTo: string,
  ) {
    tools.keepShown(reply, 'recoveryCodes', holder, { codes, created, continueTo });
    return reply.redirect(RECOVERY_CODES, 303);
  }

  app.get('/profile/2fa', async (request, reply) => {
    const auth = requireSession(request, reply);
    if (!auth) return reply;
    const current = await policy.get();
    const all = await methods.list(auth.user.id);
    const devices = await twoFactor.trustedDevices.list(auth.user.id);
    const required = await policy.isRequiredFor(auth.user, current);
    const graceUntil = postponableUntil(auth.user, current, clock.now());
    const ctx = tools.page(request);
    return sendHtml(
      reply,
      overviewPage(ctx, {
        enabled: {
          totp: current.methods.totp,
          email: current.methods.email,
          webauthn: policy.isMethodEnabled(current, 'webauthn'),
        },
        keysUnusableHere: !policy.securityKeysWork,
        // The keys' credentials are read only for someone who has a key.
        keys: all.some((m) => m.type === 'webauthn')
          ? await twoFactor.securityKeys.list(auth.user.id)
          : [],
        app: all.find((m) => m.type === 'totp'),
        email: all.find((m) => m.type === 'email'),
        recoveryLeft: await twoFactor.recovery.remaining(auth.user.id),
        required,
        setUpBy:
          required && all.length === 0 && graceUntil !== null
            ? graceEndText(request.t, request.locale, graceUntil)
            : null,
        devices: trustedDevicesSection(
          ctx,
          devices,
          thisDevice(request, tools.cookies.device, devices)?.id ?? null,
        ),
      }),
    );
  });

  for (const place of [PROFILE, LOGIN]) {
    const appPath = `${place.base}/app/new`;
    const emailPath = `${place.base}/email/new`;

    app.get(appPath, async (request, reply) => {
      const actor = await actorFor(request, reply, place, appPath);
      if (!actor) return reply;
      const started = await setup.startTotp(actor);
      if (!started.ok) return refused(request, reply, started.error, place.base);
      const { setupId, secret, uri } = started.value;
      return sendHtml(
        reply,
        appSetupPage(tools.page(request), place, {
          setupId,
          secret,
          qrDataUri: await qrDataUri(uri),
        }),
      );
    });

    app.post(appPath, async (request, reply) => {
      const actor = await actorFor(request, reply, place, appPath);
      if (!actor) return reply;
      const t = request.t;
      const v = new Validator(t);
      const name = readMethodName(v, request);
      const code = text(request.body, 'code').trim();
      // Said beside the name's error, if any, and not counted as a try: it could never be right.
      if (code === '') v.fail('code', t.twoFactor.errors.codeRequired);
      else if (sixDigitCode(code) === null) v.fail('code', t.twoFactor.errors.codeShape);
      const setupId = text(request.body, 'setup_id').slice(0, 64);
      const result = v.ok
        ? await setup.finishTotp(actor, setupId, name, code, requestMeta(request))
        : null;
      if (result?.ok) return finished(request, reply, actor, result.value, 'totp');
      if (result && !CODE_ERRORS.includes(result.error) && result.error !== 'SETUP_EXPIRED') {
        return refused(request, reply, result.error, place.base);
      }
      // Show the same secret again (or a fresh one if the set-up expired) with the errors.
      const started = await setup.startTotp(actor);
      if (!started.ok) return refused(request, reply, started.error, place.base);
      // An ended set-up comes back with a new key: the one in the person's app is dead.
      const errors = result
        ? {
            code:
              result.error === 'SETUP_EXPIRED'
                ? t.twoFactor.errors.appSetupRestarted
                : twoFactorErrorText(t, result.error),
          }
        : v.errors;
      return sendHtml(
        reply,
        appSetupPage(
          tools.page(request),
          place,
          {
            setupId: started.value.setupId,
            secret: started.value.secret,
            qrDataUri: await qrDataUri(started.value.uri),
          },
          { values: { name }, errors },
        ),
        422,
      );
    });

    app.get(emailPath, async (request, reply) => {
      const actor = await actorFor(request, reply, place, emailPath);
      if (!actor) return reply;
      const current = await policy.get();
      if (!current.methods.email) return refused(request, reply, 'METHOD_DISABLED', place.base);
      if (await methods.find(actor.user.id, 'email'))
        return refused(request, reply, 'METHOD_EXISTS', place.base);
      // Opened again after a code went out (a reload, the back button): the code step, not a
      // new round that the resend limit would refuse while the code sent still works.
      const earlier = await setup.emailSetup(actor, '', 'email');
      if (earlier?.email)
        return sendHtml(
          reply,
          emailSetupPage(tools.page(request), place, {
            // The name typed before the code went out, not the default again.
            name: earlier.name || request.t.twoFactor.defaultEmailName,
            email: earlier.email,
            setupId: earlier.id,
            codeSentTo: earlier.email,
          }),
        );
      // The address typed at log-in (SPEC §2.3), which may be any of the verified ones.
      const offered = await services.accounts.signInAddress(actor.user.id, actor.addressId);
      return sendHtml(
        reply,
        emailSetupPage(tools.page(request), place, {
          name: request.t.twoFactor.defaultEmailName,
          email: offered?.email ?? '',
        }),
      );
    });

    app.post(emailPath, async (request, reply) => {
      const actor = await actorFor(request, reply, place, emailPath);
      if (!actor) return reply;
      const t = request.t;
      const action = text(request.body, 'action');
      const v = new Validator(t);
      const name = readMethodName(v, request);
      // Codes go to it: an address held to the rules of one added to an account.
      const email = v.newEmail('email', t.twoFactor.emailAddress, text(request.body, 'email'));
      const page = (
        data: {
          setupId?: string;
          name?: string;
          email?: string;
          sentTo?: string;
          justSent?: boolean;
        },
        errors: Record<string, string>,
        status: number,
        formError?: string,
      ) =>
        sendHtml(
          reply,
          emailSetupPage(
            tools.page(request),
            place,
            {
              name: data.name ?? name,
              email: data.email ?? email,
              ...(data.setupId
                ? {
                    setupId: data.setupId,
                    codeSentTo: data.sentTo ?? data.email ?? email,
                    justSent: data.justSent === true,
                  }
                : {}),
            },
            { errors, ...(formError ? { formError } : {}) },
          ),
          status,
        );
      if (!v.ok) {
        // A code already sent keeps its field: only the name or address needs mending.
        const earlier =
          action === 'create'
            ? await setup.emailSetup(actor, text(request.body, 'setup_id').slice(0, 64), 'email')
            : undefined;
        return page(
          earlier?.email ? { setupId: earlier.id, sentTo: earlier.email } : {},
          v.errors,
          422,
        );
      }

      if (action === 'create') {
        const setupId = text(request.body, 'setup_id').slice(0, 64);
        const code = text(request.body, 'code').trim();
        const sentTo = (await setup.emailSetup(actor, setupId, 'email'))?.email;
        // The address was changed after the code went out: the code proves the other one.
        if (sentTo && normalizeEmail(sentTo) !== normalizeEmail(email))
          return page({ setupId, sentTo }, { email: t.twoFactor.errors.codeForOtherAddress }, 422);
        if (code === '') return page({ setupId }, { code: t.twoFactor.errors.codeRequired }, 422);
        // Not counted as a try, as on the app's form: it could never be right.
        if (sixDigitCode(code) === null)
          return page({ setupId }, { code: t.twoFactor.errors.codeShape }, 422);
        const result = await setup.finishEmail(actor, setupId, code, name, requestMeta(request));
        if (result.ok) return finished(request, reply, actor, result.value, 'email');
        if (CODE_ERRORS.includes(result.error))
          return page({ setupId }, { code: twoFactorErrorText(t, result.error) }, 422);
        if (result.error === 'SETUP_EXPIRED')
          return page({}, {}, 422, twoFactorErrorText(t, result.error));
        return refused(request, reply, result.error, place.base);
      }

      const started = await setup.startEmail(actor, { name, email }, requestMeta(request));
      if (!started.ok) {
        // The mail did not go out: the form again, with what the person typed.
        if (started.error === 'MAIL_FAILED')
          return page({}, {}, 503, twoFactorErrorText(t, started.error));
        if (KEEP_EARLIER_CODE.includes(started.error)) {
          // The code sent a moment ago still works: keep asking for it.
          const earlier = await setup.emailSetup(
            actor,
            text(request.body, 'setup_id').slice(0, 64),
            'email',
          );
          // The name as typed; the address the code went to.
          const keep = earlier?.email ? { setupId: earlier.id, email: earlier.email } : {};
          return page(keep, {}, 429, twoFactorErrorText(t, started.error));
        }
        return refused(request, reply, started.error, place.base);
      }
      return page({ setupId: started.value.setupId, justSent: true }, {}, 200);
    });
  }

  // The mandatory set-up on the login path: a choice of methods, and "Set up later" while
  // the grace period lasts.
  app.get('/login/2fa/setup', async (request, reply) => {
    const actor = await actorFor(request, reply, LOGIN, '/login/2fa/setup');
    if (!actor) return reply;
    const current = await policy.get();
    const graceUntil = postponableUntil(actor.user, current, clock.now());
    return sendHtml(
      reply,
      setupChoicePage(tools.page(request), {
        totp: current.methods.totp,
        email: current.methods.email,
        webauthn: policy.isMethodEnabled(current, 'webauthn'),
        graceNote: graceUntil !== null ? graceNoteFor(request, graceUntil) : null,
      }),
    );
  });

  app.post('/login/2fa/setup/later', async (request, reply) => {
    const actor = await actorFor(request, reply, LOGIN, '/login/2fa/setup');
    if (!actor?.pending) return reply;
    const graceUntil = postponableUntil(actor.user, await policy.get(), clock.now());
    if (graceUntil === null) return reply.redirect('/login/2fa/setup', 303);
    await services.audit.record({
      event: 'two_factor.setup_postponed',
      actorUserId: actor.user.id,
      meta: requestMeta(request),
    });
    // Set-up waits until the grace date, and so does the session: past it, the next log-in
    // asks for a method.
    const done = await signIn.complete(actor.pending.pending, requestMeta(request), 'password', {
      until: graceUntil,
    });
    if (!done) {
      tools.clearPending(reply);
      return reply.redirect('/login', 303);
    }
    await startSession(deps, request, reply, done.sessionToken);
    // Postponed, not forgotten: the first page says until when, and where to set it up, in
    // the language of that page (the account's own, now that it is signed in).
    tools.flash(reply, 'setupPostponed', String(graceUntil));
    return reply.redirect(tools.takeNext(request, reply), 303);
  });

  // Managing a method: rename, change the email address with a new code, remove.
  // Cancel on the step-up leads to Your 2FA: the page asked for would only ask again.
  const requireManage = (request: FastifyRequest, reply: FastifyReply, back: string) => {
    const auth = requireSession(request, reply);
    const cancel = back === PROFILE.base ? undefined : PROFILE.base;
    if (!auth || !requireRecentSignIn(request, reply, clock, back, cancel)) return null;
    return auth;
  };

  app.get('/profile/2fa/app/edit', async (request, reply) => {
    const auth = requireManage(request, reply, '/profile/2fa/app/edit');
    if (!auth) return reply;
    const method = await methods.find(auth.user.id, 'totp');
    if (!method) return reply.redirect('/profile/2fa', 303);
    const blocked = await methods.isLastRequired(auth.user, method.id);
    return sendHtml(reply, manageAppPage(tools.page(request), method, blocked));
  });

  /**
   * The method a manage page's form was for, or null (with a notice) when it is gone: removed
   * in another tab, perhaps set up anew since. A form from before the id was carried names none.
   */
  const formMethod = async (
    request: FastifyRequest,
    reply: FastifyReply,
    userId: string,
    type: 'totp' | 'email',
  ) => {
    const method = await methods.find(userId, type);
    const named = text(request.body, 'method_id');
    if (method && (named === '' || named === method.id)) return method;
    tools.flash(reply, 'twoFactorMethodGone', undefined, 'error');
    return null;
  };

  app.post('/profile/2fa/app/edit', async (request, reply) => {
    const auth = requireManage(request, reply, '/profile/2fa/app/edit');
    if (!auth) return reply;
    const method = await formMethod(request, reply, auth.user.id, 'totp');
    if (!method) return reply.redirect('/profile/2fa', 303);
    const t = request.t;
    const v = new Validator(t);
    const name = readMethodName(v, request);
    if (!v.ok)
      return sendHtml(
        reply,
        manageAppPage(
          tools.page(request),
          method,
          await methods.isLastRequired(auth.user, method.id),
          { values: { name }, errors: v.errors },
        ),
        422,
      );
    await methods.rename(auth.user, method.id, name, requestMeta(request));
    tools.flash(reply, 'twoFactorSaved');
    return reply.redirect('/profile/2fa', 303);
  });

  app.get('/profile/2fa/email/edit', async (request, reply) => {
    const auth = requireManage(request, reply, '/profile/2fa/email/edit');
    if (!auth) return reply;
    const method = await methods.find(auth.user.id, 'email');
    if (!method) return reply.redirect('/profile/2fa', 303);
    const blocked = await methods.isLastRequired(auth.user, method.id);
    // Opened again after a code went out to a new address (a reload, the back button): its code
    // field, not a new round that the resend limit would refuse while the code sent still works.
    const pending = await setup.emailSetup(ownerOf(auth), '', 'email_change');
    const change = pending?.email
      ? { setupId: pending.id, email: pending.email, codeSentTo: pending.email }
      : undefined;
    return sendHtml(reply, manageEmailPage(tools.page(request), method, blocked, { change }));
  });

  app.post('/profile/2fa/email/edit', async (request, reply) => {
    const auth = requireManage(request, reply, '/profile/2fa/email/edit');
    if (!auth) return reply;
    const method = await formMethod(request, reply, auth.user.id, 'email');
    if (!method) return reply.redirect('/profile/2fa', 303);
    const t = request.t;
    const action = text(request.body, 'action');
    const v = new Validator(t);
    const render = async (state: Parameters<typeof manageEmailPage>[3], status: number) =>
      sendHtml(
        reply,
        manageEmailPage(
          tools.page(request),
          method,
          await methods.isLastRequired(auth.user, method.id),
          state,
        ),
        status,
      );

    // A change of address under way, named by the form that was sent.
    const changeUnderWay = async () => {
      const setupId = text(request.body, 'setup_id').slice(0, 64);
      const pending = setupId
        ? await setup.emailSetup(ownerOf(auth), setupId, 'email_change')
        : undefined;
      return pending?.email
        ? { setupId: pending.id, email: pending.email, codeSentTo: pending.email }
        : undefined;
    };

    if (action === 'rename') {
      const name = readMethodName(v, request);
      const change = await changeUnderWay();
      if (!v.ok) return render({ values: { name }, errors: v.errors, change }, 422);
      await methods.rename(auth.user, method.id, name, requestMeta(request));
      // Saved while a new address waits for its code (perhaps typed into the form below and
      // sent with this button): the page says the address has not changed yet.
      if (change) return render({ change, nameSaved: true, justSent: true, values: { name } }, 200);
      tools.flash(reply, 'twoFactorSaved');
      return reply.redirect('/profile/2fa', 303);
    }
    const email = v.newEmail('email', t.twoFactor.emailAddress, text(request.body, 'email'));
    if (!v.ok) return render({ values: { email }, errors: v.errors }, 422);
    if (action === 'confirm') {
      const setupId = text(request.body, 'setup_id').slice(0, 64);
      const code = text(request.body, 'code').trim();
      const change = { setupId, email, codeSentTo: email };
      if (code === '')
        return render({ change, errors: { code: t.twoFactor.errors.codeRequired } }, 422);
      // Not counted as a try: it could never be right.
      if (sixDigitCode(code) === null)
        return render({ change, errors: { code: t.twoFactor.errors.codeShape } }, 422);
      const result = await setup.finishEmailChange(
        ownerOf(auth),
        setupId,
        code,
        requestMeta(request),
      );
      if (result.ok) {
        tools.flash(reply, 'twoFactorEmailChanged', result.value.email);
        return reply.redirect('/profile/2fa', 303);
      }
      if (CODE_ERRORS.includes(result.error))
        return render({ change, errors: { code: twoFactorErrorText(t, result.error) } }, 422);
      return render({ formError: twoFactorErrorText(t, result.error) }, 422);
    }
    const started = await setup.startEmail(
      ownerOf(auth),
      { name: method.name, email, methodId: method.id },
      requestMeta(request),
    );
    if (!started.ok) {
      if (started.error === 'MAIL_FAILED')
        return render({ values: { email }, formError: twoFactorErrorText(t, started.error) }, 503);
      // Refused as too soon or too often: the code sent a moment ago still works.
      const earlier = KEEP_EARLIER_CODE.includes(started.error)
        ? await setup.emailSetup(
            ownerOf(auth),
            text(request.body, 'setup_id').slice(0, 64),
            'email_change',
          )
        : undefined;
      return render(
        earlier?.email
          ? {
              change: {
                setupId: earlier.id,
                email: earlier.email,
                codeSentTo: earlier.email,
              },
              formError: twoFactorErrorText(t, started.error),
            }
          : { values: { email }, formError: twoFactorErrorText(t, started.error) },
        KEEP_EARLIER_CODE.includes(started.error) ? 429 : 409,
      );
    }
    return render(
      { change: { setupId: started.value.setupId, email, codeSentTo: email }, justSent: true },
      200,
    );
  });

  for (const [type, path] of [
    ['totp', '/profile/2fa/app/remove'],
    ['email', '/profile/2fa/email/remove'],
  ] as const) {
    app.get(path, async (request, reply) => {
      const auth = requireManage(request, reply, path);
      if (!auth) return reply;
      const method = await methods.find(auth.user.id, type);
      if (!method) return reply.redirect('/profile/2fa', 303);
      const all = await methods.list(auth.user.id);
      return sendHtml(
        reply,
        removeConfirmPage(tools.page(request), {
          method,
          path,
          label: type === 'totp' ? request.t.twoFactor.removeApp : request.t.twoFactor.removeEmail,
          isLast: all.length === 1,
          blocked: await methods.isLastRequired(auth.user, method.id),
        }),
      );
    });

    app.post(path, async (request, reply) => {
      const auth = requireManage(request, reply, path);
      if (!auth) return reply;
      const method = await methods.find(auth.user.id, type);
      // The confirmation names one method: a page left open while that one was removed (and
      // another set up) must not remove the other. Removed meanwhile (a double click, a second
      // tab), it is gone, not refused.
      const result =
        method && text(request.body, 'method_id') === method.id
          ? await methods.remove(auth.user, method.id, requestMeta(request))
          : null;
      if (!method || !result || (!result.ok && result.error === 'NOT_FOUND')) {
        tools.flash(reply, 'twoFactorMethodGone', undefined, 'error');
        return reply.redirect('/profile/2fa', 303);
      }
      if (!result.ok) {
        return sendHtml(
          reply,
          removeConfirmPage(tools.page(request), {
            method,
            path,
            label:
              type === 'totp' ? request.t.twoFactor.removeApp : request.t.twoFactor.removeEmail,
            isLast: true,
            blocked: true,
          }),
          409,
        );
      }
      tools.flash(reply, 'twoFactorRemoved', method.name);
      return reply.redirect('/profile/2fa', 303);
    });
  }

  app.get(NEW_RECOVERY_CODES, async (request, reply) => {
    const auth = requireManage(request, reply, NEW_RECOVERY_CODES);
    if (!auth) return reply;
    if ((await methods.list(auth.user.id)).length === 0) return reply.redirect('/profile/2fa', 303);
    return sendHtml(reply, regenerateConfirmPage(tools.page(request), RECOVERY_CODES));
  });

  app.post(RECOVERY_CODES, async (request, reply) => {
    const auth = requireManage(request, reply, NEW_RECOVERY_CODES);
    if (!auth) return reply;
    const codes = await twoFactor.regenerateRecoveryCodes(auth.user, requestMeta(request));
    if (!codes) return reply.redirect('/profile/2fa', 303);
    return showCodes(reply, shownHolder(auth), codes, null, '/profile/2fa');
  });

  // The one-time page of new recovery codes: the same set on every reload and in every
  // language while its cookie lasts; without it (expired, "Continue" pressed, another person
  // or session) Your 2FA, with no codes.
  app.get(RECOVERY_CODES, async (request, reply) => {
    const auth = requireSession(request, reply);
    if (!auth) return reply;
    const shown = tools.shown(request, 'recoveryCodes');
    if (!shown) return reply.redirect('/profile/2fa', 303);
    if (!(await twoFactor.recovery.isCurrentSet(auth.user.id, shown.codes))) {
      tools.forgetShown(reply, 'recoveryCodes');
      tools.flash(reply, 'recoveryCodesReplaced', undefined, 'error');
      return reply.redirect('/profile/2fa', 303);
    }
    const t = request.t.twoFactor;
    const notice = { totp: t.createdApp, email: t.createdEmail, webauthn: t.webauthn.added };
    const primary = await services.accounts.primaryAddress(auth.user.id);
    return sendHtml(
      reply,
      recoveryCodesPage(tools.page(request), {
        codes: shown.codes,
        ...(primary ? { account: primary.email } : {}),
        continueTo: `${RECOVERY_CODES}/done`,
        ...(shown.created ? { created: notice[shown.created] } : {}),
      }),
    );
  });

  app.get(`${RECOVERY_CODES}/done`, async (request, reply) => {
    const shown = tools.shown(request, 'recoveryCodes');
    tools.forgetShown(reply, 'recoveryCodes');
    return reply.redirect(shown?.continueTo ?? (request.auth ? '/profile/2fa' : '/'), 303);
  });

  registerSecurityKeyRoutes(app, { services, tools, clock }, { actorFor, finished, refused });
}
