import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AccountError } from '../../accounts/error-codes.js';
import { EMAIL_MAX_LENGTH, NAME_MAX_LENGTH } from '../../accounts/users.js';
import { text, Validator, weakPasswordMessage } from '../form-input.js';
import { requestMeta } from '../request-context.js';
import { messagePage } from '../views/message-page.js';
import type { WebDeps } from '../web-deps.js';
import { safeNext, sendHtml, startSession } from '../web-deps.js';
import { forgotPage, loginPage, registerPage, resetPage, verifyEmailPage } from './auth-pages.js';

/** Registration, e-mail verification, log in and out, forgotten passwords. */
export function registerAuthRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { services, tools } = deps;
  const { signIn, registration, emailAddresses, credentials } = services.accounts;

  app.get('/register', (request, reply) => {
    if (request.auth) return reply.redirect('/profile', 303);
    return sendHtml(reply, registerPage(tools.page(request)));
  });

  app.post('/register', async (request, reply) => {
    const t = request.t;
    const v = new Validator(t);
    const name = v.required('name', t.register.name, text(request.body, 'name'), NAME_MAX_LENGTH);
    const email = v.newEmail('email', t.register.email, text(request.body, 'email'));
    const password = v.newPassword('password', text(request.body, 'password'));
    if (!v.ok && !v.errors.password) {
      // Refused fields are cut to their limits first: the screen's work stays that of a
      // form anyone may send (the body limit alone would allow a name of 60 KB).
      const weakness = await registration.screen({
        name: name.slice(0, NAME_MAX_LENGTH),
        email: email.slice(0, EMAIL_MAX_LENGTH),
        password,
      });
      if (weakness) v.fail('password', weakPasswordMessage(t, { weakness }));
    }
    if (!v.ok)
      return sendHtml(
        reply,
        registerPage(tools.page(request), { values: { name, email }, errors: v.errors }),
        422,
      );
    const registered = await registration.register(
      { name, email, password, locale: request.locale },
      requestMeta(request),
    );
    if (!registered.ok && registered.error === AccountError.TOO_MANY_ATTEMPTS)
      return sendHtml(
        reply,
        registerPage(tools.page(request), {
          values: { name, email },
          formError: t.register.tooManyFromHere,
        }),
        429,
      );
    if (!registered.ok)
      return sendHtml(
        reply,
        registerPage(tools.page(request), {
          values: { name, email },
          errors: { password: weakPasswordMessage(t, registered) },
        }),
        422,
      );
    const ctx = tools.page(request);
    return sendHtml(
      reply,
      messagePage(ctx, t.register.checkEmailTitle, t.register.checkEmailText(email)),
    );
  });

  // The link opens a page with a button: a mail scanner that fetches links proves nothing.
  const deadVerificationLink = (request: FastifyRequest, reply: FastifyReply, taken = false) =>
    sendHtml(
      reply,
      messagePage(
        tools.page(request),
        request.t.verifyEmail.invalidTitle,
        taken ? request.t.verifyEmail.takenText : request.t.verifyEmail.invalidText,
        { href: '/login', label: request.t.login.title },
      ),
      400,
    );

  const alreadyVerified = (request: FastifyRequest, reply: FastifyReply) =>
    sendHtml(
      reply,
      messagePage(
        tools.page(request),
        request.t.verifyEmail.alreadyTitle,
        request.t.verifyEmail.alreadyText,
        request.auth
          ? { href: '/profile/emails', label: request.t.profile.emails }
          : { href: '/login', label: request.t.login.title },
      ),
    );

  app.get('/verify-email', async (request, reply) => {
    const token = text(request.query, 'token');
    const link = await emailAddresses.confirmation(token, request.auth?.user.id ?? null);
    if (link.asks === 'dead') return deadVerificationLink(request, reply);
    if (link.asks === 'verified') return alreadyVerified(request, reply);
    return sendHtml(
      reply,
      verifyEmailPage(tools.page(request), token, {
        email: link.email,
        askPassword: link.asks === 'password',
      }),
    );
  });

  app.post('/verify-email', async (request, reply) => {
    const t = request.t;
    const token = text(request.body, 'token');
    const signedInUserId = request.auth?.user.id ?? null;
    const link = await emailAddresses.confirmation(token, signedInUserId);
    if (link.asks === 'dead') return deadVerificationLink(request, reply);
    if (link.asks === 'verified') return alreadyVerified(request, reply);
    const { email } = link;
    const v = new Validator(t);
    const password =
      link.asks === 'password'
        ? v.password('password', t.login.password, text(request.body, 'password'))
        : '';
    if (!v.ok)
      return sendHtml(
        reply,
        verifyEmailPage(tools.page(request), token, {
          email,
          askPassword: true,
          errors: v.errors,
        }),
        422,
      );
    const result = await emailAddresses.verify(
      token,
      { signedInUserId, password },
      requestMeta(request),
    );
    if (!result.ok && (result.error === 'WRONG_PASSWORD' || result.error === 'TOO_MANY_ATTEMPTS')) {
      const tooMany = result.error === 'TOO_MANY_ATTEMPTS';
      return sendHtml(
        reply,
        verifyEmailPage(tools.page(request), token, {
          email,
          askPassword: true,
          errors: { password: tooMany ? t.errors.tooManyAttempts : t.verifyEmail.wrongPassword },
        }),
        tooMany ? 429 : 422,
      );
    }
    // Pressed twice (a double click): the first press used the link up and proved the
    // address; the second says so, not that the link does not work.
    if (
      !result.ok &&
      result.error === 'INVALID_TOKEN' &&
      (await emailAddresses.confirmation(token, signedInUserId)).asks === 'verified'
    )
      return alreadyVerified(request, reply);
    if (!result.ok) return deadVerificationLink(request, reply, result.error === 'EMAIL_TAKEN');
    if (result.value.userId === signedInUserId) {
      tools.flash(reply, 'addressVerified');
      return reply.redirect('/profile/emails', 303);
    }
    // Another account is logged in here: the log-in page would only lead it home, silently.
    if (signedInUserId !== null)
      return sendHtml(
        reply,
        messagePage(
          tools.page(request),
          t.verifyEmail.verifiedTitle,
          t.verifyEmail.verifiedOther(email),
        ),
      );
    tools.flash(reply, 'emailVerified');
    return reply.redirect('/login', 303);
  });

  app.get('/login', (request, reply) => {
    const next = safeNext(text(request.query, 'next'), '');
    if (request.auth) return reply.redirect(next || '/', 303);
    return sendHtml(reply, loginPage(tools.page(request), { values: { next } }));
  });

  app.post('/login', async (request, reply) => {
    const t = request.t;
    const v = new Validator(t);
    const email = v.asTyped('email', t.login.email, text(request.body, 'email'), 254);
    const password = v.password('password', t.login.password, text(request.body, 'password'));
    const next = safeNext(text(request.body, 'next'), '');
    const again = (status: number, state: Parameters<typeof loginPage>[1]) =>
      sendHtml(
        reply,
        loginPage(tools.page(request), { values: { email, next }, ...state }),
        status,
      );
    if (!v.ok) return again(422, { errors: v.errors });

    const result = await signIn.begin(email, password, requestMeta(request), {
      deviceToken: request.cookies[tools.cookies.device],
      knownBrowser: request.cookies[tools.cookies.knownBrowser],
      locale: request.locale,
    });
    if (result.outcome === 'pending' || result.outcome === 'signed_in')
      tools.rememberKnownBrowser(reply, result.knownBrowser);
    switch (result.outcome) {
      case 'invalid':
        return again(401, { formError: t.login.failed });
      case 'rate_limited':
        return again(429, {
          formError: result.untilCleared ? t.login.blockedInARow : t.errors.tooManyAttempts,
        });
      case 'disabled':
        return again(403, { formError: t.login.disabled, contactHelpdesk: true });
      case 'pending':
        tools.setPending(reply, result.pendingToken);
        if (result.stage === 'setup_required') {
          // Set-up spans several pages: the page asked for waits in a cookie till it is done.
          tools.keepNext(reply, next);
          return reply.redirect('/login/2fa/setup', 303);
        }
        // The second step takes the person on to the page they asked for.
        return reply.redirect(
          next ? `/login/2fa?next=${encodeURIComponent(next)}` : '/login/2fa',
          303,
        );
      case 'signed_in':
        await startSession(deps, request, reply, result.sessionToken);
        return reply.redirect(next || '/', 303);
    }
  });

  app.post('/logout', async (request, reply) => {
    if (request.auth) await services.accounts.sessions.signOut(request.auth, requestMeta(request));
    // A log-in left at its second step ends too, not only its cookie.
    const pending = request.cookies[tools.cookies.pending];
    if (pending) await services.accounts.signIn.abandon(pending);
    tools.clearSession(reply);
    tools.clearPending(reply);
    tools.rotateCsrf(reply);
    tools.flash(reply, 'loggedOut');
    return reply.redirect('/', 303);
  });

  app.get('/password/forgot', (request, reply) => sendHtml(reply, forgotPage(tools.page(request))));

  app.post('/password/forgot', async (request, reply) => {
    const t = request.t;
    const v = new Validator(t);
    const email = v.email('email', t.forgot.email, text(request.body, 'email'));
    if (!v.ok)
      return sendHtml(
        reply,
        forgotPage(tools.page(request), { values: { email }, errors: v.errors }),
        422,
      );
    const requested = await credentials.requestReset(email, requestMeta(request));
    if (!requested.ok)
      return sendHtml(
        reply,
        forgotPage(tools.page(request), {
          values: { email },
          errors: { email: t.forgot.tooManyFromHere },
        }),
        429,
      );
    return sendHtml(
      reply,
      messagePage(tools.page(request), t.forgot.sentTitle, t.forgot.sentText(email), {
        href: '/login',
        label: t.forgot.backToLogin,
      }),
    );
  });

  const deadResetLink = (request: Parameters<typeof tools.page>[0]) => {
    const t = request.t;
    return messagePage(tools.page(request), t.reset.invalidTitle, t.reset.invalidText, {
      href: '/password/forgot',
      label: t.reset.requestNew,
    });
  };

  app.get('/password/reset', async (request, reply) => {
    const token = text(request.query, 'token');
    if (!token || !(await credentials.isResetTokenLive(token)))
      return sendHtml(reply, deadResetLink(request), 400);
    return sendHtml(reply, resetPage(tools.page(request), token));
  });

  app.post('/password/reset', async (request, reply) => {
    const t = request.t;
    const token = text(request.body, 'token');
    const v = new Validator(t);
    const password = v.newPassword('new_password', text(request.body, 'new_password'));
    if (v.ok && password !== text(request.body, 'confirm_password'))
      v.fail('confirm_password', t.errors.passwordMismatch);
    if (!v.ok)
      return sendHtml(reply, resetPage(tools.page(request), token, { errors: v.errors }), 422);
    const result = await credentials.resetPassword(token, password, requestMeta(request));
    if (
      !result.ok &&
      (result.error === AccountError.SAME_PASSWORD || result.error === AccountError.WEAK_PASSWORD)
    )
      return sendHtml(
        reply,
        resetPage(tools.page(request), token, {
          errors: {
            new_password:
              result.error === AccountError.SAME_PASSWORD
                ? t.errors.samePassword
                : weakPasswordMessage(t, result),
          },
        }),
        422,
      );
    if (!result.ok) return sendHtml(reply, deadResetLink(request), 400);
    // A reset never signs in (SPEC §4): the person logs in, second factor included.
    if (request.auth) tools.clearSession(reply);
    tools.rotateCsrf(reply);
    tools.flash(reply, 'passwordReset');
    return reply.redirect('/login', 303);
  });
}
