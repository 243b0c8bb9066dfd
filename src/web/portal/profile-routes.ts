import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { AccountErrorCode } from '../../accounts/error-codes.js';
import { AccountError, fail } from '../../accounts/error-codes.js';
import { NAME_MAX_LENGTH } from '../../accounts/users.js';
import { UNPROVEN_MAILS_PER_HOUR } from '../../accounts/mail-limits.js';
import { isLocale, localeFromAcceptLanguage } from '../../i18n/index.js';
import type { Messages } from '../../i18n/index.js';
import { text, Validator, weakPasswordMessage } from '../form-input.js';
import { requestMeta } from '../request-context.js';
import type { FieldErrors } from '../views/components.js';
import type { WebDeps } from '../web-deps.js';
import {
  requireRecentSignIn,
  requireSession,
  SAFE_NEXT_MAX_LENGTH,
  sendHtml,
} from '../web-deps.js';
import { accountSection, emailsSection, passwordSection } from './profile-pages.js';
import { EMAIL_MAX_LENGTH, normalizeEmail } from '../../accounts/users.js';

const ADDRESS_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function addressError(t: Messages, code: AccountErrorCode): string {
  switch (code) {
    case 'LAST_VERIFIED_ADDRESS':
      return t.profile.cannotRemoveLast;
    case 'PRIMARY_ADDRESS':
      return t.profile.cannotRemovePrimary;
    case 'NOT_VERIFIED':
      return t.profile.mustBeVerified;
    case 'ALREADY_ON_ACCOUNT':
      return t.profile.alreadyYours;
    case 'TOO_MANY_ADDRESSES':
      return t.profile.tooManyAddresses(10);
    case 'TOO_MANY_ATTEMPTS':
      return t.errors.tooManyAttempts;
    case 'TOO_MANY_MAILS':
      return t.profile.tooManyLinks(UNPROVEN_MAILS_PER_HOUR);
    default:
      return t.errors.notFoundText;
  }
}

/** My Profile: account, password, e-mail addresses, and the re-authentication step. */
/** What signing out another browser says, by what became of it. */
const SIGN_OUT_NOTICE = {
  ended: 'sessionSignedOut',
  current: 'sessionIsThisOne',
  gone: 'sessionGone',
} as const;

export function registerProfileRoutes(
  app: FastifyInstance,
  { services, tools, clock }: WebDeps,
): void {
  const { credentials, emailAddresses, sessions } = services.accounts;

  const requireRecent = (
    request: FastifyRequest,
    reply: FastifyReply,
    back: string,
    cancel?: string,
  ) => requireRecentSignIn(request, reply, clock, back, cancel);

  app.get('/profile', async (request, reply) => {
    const auth = requireSession(request, reply);
    if (!auth) return reply;
    return sendHtml(
      reply,
      accountSection(
        tools.page(request),
        { name: auth.user.name, locale: auth.user.locale },
        await sessions.list(auth.user, auth.session),
      ),
    );
  });

  app.post('/profile', async (request, reply) => {
    const auth = requireSession(request, reply);
    if (!auth) return reply;
    const t = request.t;
    const v = new Validator(t);
    const name = v.required('name', t.profile.name, text(request.body, 'name'), NAME_MAX_LENGTH);
    const rawLocale = text(request.body, 'locale');
    if (rawLocale !== '' && !isLocale(rawLocale)) v.fail('locale', t.errors.invalidLanguage);
    const locale = isLocale(rawLocale) ? rawLocale : null;
    if (!v.ok)
      return sendHtml(
        reply,
        accountSection(
          tools.page(request),
          { name, locale },
          await sessions.list(auth.user, auth.session),
          { errors: v.errors },
        ),
        422,
      );
    // Without a setting, the next pages follow the browser's own language, and so do mails.
    const browserLocale = localeFromAcceptLanguage(request.headers['accept-language']) ?? 'en';
    await credentials.updateProfile(
      auth.user,
      { name, locale, browserLocale },
      requestMeta(request),
    );
    // "Use my browser's language" also forgets a language chosen in this browser before, which
    // would otherwise still win over the browser's own.
    tools.setLanguage(reply, locale);
    tools.flash(reply, 'saved');
    return reply.redirect('/profile', 303);
  });

  // Signing out another browser, or all others. It only takes access away, so it needs no
  // recent sign-in: someone who sees a browser they do not know can end it at once.
  app.post<{ Params: { handle: string } }>(
    '/profile/sessions/:handle/sign-out',
    async (request, reply) => {
      const auth = requireSession(request, reply);
      if (!auth) return reply;
      const ended = await sessions.end(
        auth.user,
        auth.session,
        request.params.handle,
        requestMeta(request),
      );
      tools.flash(reply, SIGN_OUT_NOTICE[ended], undefined, ended === 'ended' ? 'status' : 'error');
      return reply.redirect('/profile', 303);
    },
  );

  app.post('/profile/sessions/sign-out-others', async (request, reply) => {
    const auth = requireSession(request, reply);
    if (!auth) return reply;
    const count = await sessions.endOthers(auth.user, auth.session, requestMeta(request));
    tools.flash(reply, 'sessionsSignedOut', String(count));
    return reply.redirect('/profile', 303);
  });

  // The confirmation comes before the form: after it the person would come back to an empty
  // form (a form post cannot be replayed), their typing lost.
  /** The address a password manager files the account's password under. */
  const usernameOf = async (userId: string) =>
    (await services.accounts.primaryAddress(userId))?.email ?? '';

  app.get('/profile/password', async (request, reply) => {
    const auth = requireSession(request, reply);
    if (!auth) return reply;
    if (!requireRecentSignIn(request, reply, clock, '/profile/password', '/profile')) return reply;
    return sendHtml(reply, passwordSection(tools.page(request), await usernameOf(auth.user.id)));
  });

  app.post('/profile/password', async (request, reply) => {
    const auth = requireSession(request, reply);
    if (!auth) return reply;
    // Cancel leads to the profile: the password form would only ask again.
    if (!requireRecent(request, reply, '/profile/password', '/profile')) return reply;
    const t = request.t;
    const v = new Validator(t);
    const current = v.password(
      'current_password',
      t.profile.currentPassword,
      text(request.body, 'current_password'),
    );
    const next = v.newPassword('new_password', text(request.body, 'new_password'));
    if (v.ok && next !== text(request.body, 'confirm_password'))
      v.fail('confirm_password', t.errors.passwordMismatch);
    if (!v.ok)
      return sendHtml(
        reply,
        passwordSection(tools.page(request), await usernameOf(auth.user.id), { errors: v.errors }),
        422,
      );
    const result = await credentials.changePassword(
      auth.user,
      auth.session,
      current,
      next,
      requestMeta(request),
    );
    if (!result.ok && result.error === AccountError.REAUTHENTICATION_REQUIRED) {
      // This session was signed out while the password was checked: nothing was changed.
      tools.clearSession(reply);
      return reply.redirect('/login', 303);
    }
    if (!result.ok) {
      const errors: FieldErrors =
        result.error === AccountError.SAME_PASSWORD
          ? { new_password: t.errors.samePassword }
          : result.error === AccountError.WEAK_PASSWORD
            ? { new_password: weakPasswordMessage(t, result) }
            : result.error === 'TOO_MANY_ATTEMPTS'
              ? { current_password: t.errors.tooManyAttempts }
              : { current_password: t.errors.currentPasswordWrong };
      return sendHtml(
        reply,
        passwordSection(tools.page(request), await usernameOf(auth.user.id), { errors }),
        result.error === 'TOO_MANY_ATTEMPTS' ? 429 : 422,
      );
    }
    tools.setSession(reply, result.value.sessionToken);
    tools.flash(reply, 'passwordChanged');
    return reply.redirect('/profile/password', 303);
  });

  app.get('/profile/emails', async (request, reply) => {
    const auth = requireSession(request, reply);
    if (!auth) return reply;
    // The address typed before a step-up, back in its field (see the post below).
    const draft = text(request.query, 'email');
    return sendHtml(
      reply,
      emailsSection(tools.page(request), await emailAddresses.list(auth.user.id), {
        values: draft && draft.length <= EMAIL_MAX_LENGTH ? { email: draft } : {},
      }),
    );
  });

  /**
   * Where a step-up before adding an address comes back to: the page with the typed address in
   * its field again, as a post cannot be replayed. In the query, which the request log leaves out.
   */
  const addressDraftPage = (typed: string): string => {
    const back = `/profile/emails?email=${encodeURIComponent(typed)}`;
    return typed && typed.length <= EMAIL_MAX_LENGTH && back.length <= SAFE_NEXT_MAX_LENGTH
      ? back
      : '/profile/emails';
  };

  app.post('/profile/emails', async (request, reply) => {
    const auth = requireSession(request, reply);
    if (!auth) return reply;
    const typed = text(request.body, 'email').trim();
    if (!requireRecent(request, reply, addressDraftPage(typed), '/profile/emails')) return reply;
    const t = request.t;
    const v = new Validator(t);
    const email = v.newEmail('email', t.profile.newEmail, text(request.body, 'email'));
    const rerender = async (errors: Record<string, string>, status: number) =>
      sendHtml(
        reply,
        emailsSection(tools.page(request), await emailAddresses.list(auth.user.id), {
          values: { email },
          errors,
        }),
        status,
      );
    if (!v.ok) return rerender(v.errors, 422);
    const result = await emailAddresses.add(auth.user, email, requestMeta(request));
    if (!result.ok)
      return rerender(
        {
          // Gone before its link was made (another account proved it meanwhile): a new try
          // adds it as any address is added.
          email:
            result.error === 'NOT_FOUND'
              ? t.profile.notAddedTryAgain
              : addressError(t, result.error),
        },
        result.error === 'TOO_MANY_ATTEMPTS' ? 429 : 422,
      );
    if (result.value.linkLater) tools.flash(reply, 'emailAddedLinkLater', result.value.email);
    else if (result.value.mailed) tools.flash(reply, 'emailAdded', result.value.email);
    else tools.flash(reply, 'emailAddedNotSent', result.value.email, 'error');
    return reply.redirect('/profile/emails', 303);
  });

  const addressAction = (
    path: 'primary' | 'remove' | 'resend',
    notice: 'emailPrimary' | 'emailRemoved' | 'emailResent',
    needsRecent: boolean,
  ) => {
    app.post<{ Params: { id: string } }>(`/profile/emails/:id/${path}`, async (request, reply) => {
      const auth = requireSession(request, reply);
      if (!auth) return reply;
      if (needsRecent && !requireRecent(request, reply, '/profile/emails')) return reply;
      const meta = requestMeta(request);
      const id = request.params.id;
      // Ids are UUIDs made by the app; anything else is no address of this user (and a NUL
      // byte would be a database error on PostgreSQL rather than a 404).
      const result = !ADDRESS_ID.test(id)
        ? fail(AccountError.NOT_FOUND)
        : path === 'primary'
          ? await emailAddresses.makePrimary(auth.user, id, meta)
          : path === 'remove'
            ? await emailAddresses.remove(auth.user, id, meta)
            : await emailAddresses.resend(auth.user, id);
      if (!result.ok) {
        const status =
          result.error === 'NOT_FOUND'
            ? 404
            : result.error === 'TOO_MANY_ATTEMPTS' || result.error === 'TOO_MANY_MAILS'
              ? 429
              : 409;
        return sendHtml(
          reply,
          emailsSection(tools.page(request), await emailAddresses.list(auth.user.id), {
            formError:
              path === 'resend' && result.error === 'TOO_MANY_ATTEMPTS'
                ? request.t.profile.resendTooSoon
                : addressError(request.t, result.error),
          }),
          status,
        );
      }
      // An address removed is often a mailbox given up: if sign-in codes still go there, say so.
      const codesThere =
        path === 'remove' &&
        normalizeEmail(
          (await services.twoFactor.methods.find(auth.user.id, 'email'))?.email ?? '',
        ) === normalizeEmail(result.value.email);
      // A link the relay refused is said, not announced as sent.
      if ('mailed' in result.value && !result.value.mailed)
        tools.flash(reply, 'emailResendFailed', result.value.email, 'error');
      else if ('codesGoTo' in result.value && result.value.codesGoTo)
        tools.flash(reply, 'emailPrimaryCodesElsewhere', result.value.email);
      else tools.flash(reply, codesThere ? 'emailRemovedCodesThere' : notice, result.value.email);
      return reply.redirect('/profile/emails', 303);
    });
  };
  addressAction('primary', 'emailPrimary', true);
  addressAction('remove', 'emailRemoved', true);
  addressAction('resend', 'emailResent', false);
}
