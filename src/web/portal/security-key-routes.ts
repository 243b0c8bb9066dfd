import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { PendingContext } from '../../accounts/sign-in.js';
import type { TwoFactorErrorCode } from '../../two-factor/error-codes.js';
import type { Created, SetupOwner } from '../../two-factor/setup.js';
import { freeName } from '../../two-factor/webauthn/security-keys.js';
import { text, Validator } from '../form-input.js';
import { requestMeta } from '../request-context.js';
import type { WebDeps } from '../web-deps.js';
import { requireRecentSignIn, requireSession, sendHtml } from '../web-deps.js';
import { addSecurityKeyPage, renameSecurityKeyPage } from './security-key-pages.js';
import type { SetupPlace } from './two-factor-pages.js';
import { readMethodName, removeConfirmPage } from './two-factor-pages.js';

const PROFILE: SetupPlace = { base: '/profile/2fa', inProfile: true };
const LOGIN: SetupPlace = { base: '/login/2fa/setup', inProfile: false };

/**
 * Who is setting up: a recently signed-in person, or a pending sign-in that must set up; as
 * a set-up's owner, with the session or pending sign-in it belongs to.
 */
export interface Actor extends SetupOwner {
  place: SetupPlace;
  pending?: PendingContext;
  /** The address typed at log-in, when known (SPEC §2.3). */
  addressId: string | null;
}

/** What the other set-up screens share with this one (two-factor-routes.ts). */
export interface SetupSteps {
  actorFor(
    request: FastifyRequest,
    reply: FastifyReply,
    place: SetupPlace,
    back: string,
  ): Promise<Actor | null>;
  finished(
    request: FastifyRequest,
    reply: FastifyReply,
    actor: Actor,
    created: Created,
    kind: 'webauthn',
  ): Promise<unknown>;
  refused(
    request: FastifyRequest,
    reply: FastifyReply,
    code: TwoFactorErrorCode,
    back: string,
  ): unknown;
}

/**
 * Security keys under Your 2FA and in the mandatory set-up (SPEC §3): add one (a name, then
 * the browser ceremony), rename, remove. A ceremony's challenge belongs to the session (or
 * the pending sign-in) that asked for it.
 */
export function registerSecurityKeyRoutes(
  app: FastifyInstance,
  { services, clock, tools }: WebDeps,
  steps: SetupSteps,
): void {
  const { securityKeys, methods } = services.twoFactor;

  for (const place of [PROFILE, LOGIN]) {
    const path = `${place.base}/security-keys/new`;

    const showForm = async (
      request: FastifyRequest,
      reply: FastifyReply,
      actor: Actor,
      /** `name` left out: the form suggests one no key of theirs has ("Security key (2)"). */
      state: { name?: string; errors?: Record<string, string>; formError?: string },
      status: number,
    ) => {
      const options = await securityKeys.registrationOptions(actor.user, actor.requestId);
      if (!options.ok) return steps.refused(request, reply, options.error, place.base);
      const takenNames = await securityKeys.takenNames(actor.user.id);
      const name = state.name ?? freeName(request.t.twoFactor.webauthn.defaultName, takenNames);
      return sendHtml(
        reply,
        addSecurityKeyPage(
          tools.page(request),
          place,
          { options: options.value, name, takenNames },
          {
            ...(state.errors ? { errors: state.errors } : {}),
            ...(state.formError ? { formError: state.formError } : {}),
          },
        ),
        status,
      );
    };

    app.get(path, async (request, reply) => {
      const actor = await steps.actorFor(request, reply, place, path);
      if (!actor) return reply;
      return showForm(request, reply, actor, {}, 200);
    });

    app.post(path, async (request, reply) => {
      const actor = await steps.actorFor(request, reply, place, path);
      if (!actor) return reply;
      const t = request.t;
      const v = new Validator(t);
      const name = readMethodName(v, request);
      const response = text(request.body, 'response');
      if (v.ok && (await securityKeys.nameTaken(actor.user.id, name)))
        v.fail('name', t.twoFactor.webauthn.nameTaken);
      if (!v.ok) return showForm(request, reply, actor, { name, errors: v.errors }, 422);
      const again = (formError: string) =>
        showForm(request, reply, actor, { name, formError }, 422);
      if (response === '') return again(t.twoFactor.webauthn.failed);
      const result = await securityKeys.finishRegistration(
        actor.user,
        actor.requestId,
        name,
        response,
        requestMeta(request),
      );
      if (result.ok) return steps.finished(request, reply, actor, result.value, 'webauthn');
      if (result.error === 'METHOD_EXISTS') return again(t.twoFactor.webauthn.alreadyAdded);
      // Another key took the name since the check above.
      if (result.error === 'NAME_TAKEN')
        return showForm(
          request,
          reply,
          actor,
          { name, errors: { name: t.twoFactor.webauthn.nameTaken } },
          422,
        );
      if (result.error === 'INVALID_CODE' || result.error === 'CODE_EXPIRED')
        return again(t.twoFactor.webauthn.failed);
      return steps.refused(request, reply, result.error, place.base);
    });
  }

  // Managing one key: rename, remove (with a confirmation step). Both need a recent sign-in.
  const manage = async (request: FastifyRequest, reply: FastifyReply, action: string) => {
    const id = text(request.params, 'id').slice(0, 64);
    const auth = requireSession(request, reply);
    const back = `/profile/2fa/security-keys/${encodeURIComponent(id)}/${action}`;
    // Cancel on the step-up leads to Your 2FA: the key's page would only ask again.
    if (!auth || !requireRecentSignIn(request, reply, clock, back, PROFILE.base)) return null;
    const key = await securityKeys.find(auth.user.id, id);
    if (!key) {
      void reply.redirect('/profile/2fa', 303);
      return null;
    }
    return { auth, key };
  };

  app.get('/profile/2fa/security-keys/:id/rename', async (request, reply) => {
    const found = await manage(request, reply, 'rename');
    if (!found) return reply;
    return sendHtml(reply, renameSecurityKeyPage(tools.page(request), found.key));
  });

  app.post('/profile/2fa/security-keys/:id/rename', async (request, reply) => {
    const found = await manage(request, reply, 'rename');
    if (!found) return reply;
    const t = request.t;
    const v = new Validator(t);
    const name = readMethodName(v, request);
    if (v.ok && (await securityKeys.nameTaken(found.auth.user.id, name, found.key.method.id)))
      v.fail('name', t.twoFactor.webauthn.nameTaken);
    if (!v.ok) {
      return sendHtml(
        reply,
        renameSecurityKeyPage(tools.page(request), found.key, {
          values: { name },
          errors: v.errors,
        }),
        422,
      );
    }
    const renamed = await methods.rename(
      found.auth.user,
      found.key.method.id,
      name,
      requestMeta(request),
    );
    if (!renamed.ok && renamed.error === 'NAME_TAKEN')
      return sendHtml(
        reply,
        renameSecurityKeyPage(tools.page(request), found.key, {
          values: { name },
          errors: { name: t.twoFactor.webauthn.nameTaken },
        }),
        422,
      );
    tools.flash(reply, 'twoFactorSaved');
    return reply.redirect('/profile/2fa', 303);
  });

  const confirmPage = async (
    request: FastifyRequest,
    found: NonNullable<Awaited<ReturnType<typeof manage>>>,
    blocked: boolean,
  ) =>
    removeConfirmPage(tools.page(request), {
      method: found.key.method,
      path: `/profile/2fa/security-keys/${found.key.method.id}/remove`,
      label: request.t.twoFactor.webauthn.removeButton,
      isLast: blocked || (await methods.list(found.auth.user.id)).length === 1,
      blocked,
    });

  app.get('/profile/2fa/security-keys/:id/remove', async (request, reply) => {
    const found = await manage(request, reply, 'remove');
    if (!found) return reply;
    const blocked = await methods.isLastRequired(found.auth.user, found.key.method.id);
    return sendHtml(reply, await confirmPage(request, found, blocked));
  });

  app.post('/profile/2fa/security-keys/:id/remove', async (request, reply) => {
    const found = await manage(request, reply, 'remove');
    if (!found) return reply;
    const result = await methods.remove(found.auth.user, found.key.method.id, requestMeta(request));
    // Removed meanwhile (a double click, a second tab): gone, not refused.
    if (!result.ok && result.error === 'NOT_FOUND') {
      tools.flash(reply, 'twoFactorMethodGone', undefined, 'error');
      return reply.redirect('/profile/2fa', 303);
    }
    if (!result.ok) return sendHtml(reply, await confirmPage(request, found, true), 409);
    tools.flash(reply, 'twoFactorRemoved', found.key.method.name);
    return reply.redirect('/profile/2fa', 303);
  });
}
