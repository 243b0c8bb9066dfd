import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ActiveSession } from '../../accounts/sessions.js';
import type { WebDeps } from '../web-deps.js';
import { requireSession } from '../web-deps.js';

/** Thrown into Fastify's error handler, which renders the styled 403 page. */
class AdministratorsOnly extends Error {
  readonly statusCode = 403;
  constructor() {
    super('Administrators only');
    this.name = 'AdministratorsOnly';
  }
}

/**
 * What an administrator whose session was made without a second factor must do first:
 * confirm with the factor they have (step-up), or set one up. Unknown (the hook below did not
 * run) is treated as "step up": the guard never lets such a session through.
 */
type SecondFactorStep = 'step_up' | 'set_up';

declare module 'fastify' {
  interface FastifyRequest {
    adminSecondFactorStep: SecondFactorStep | null;
  }
}

const isAdminPath = (url: string) => url === '/admin' || /^\/admin[/?]/.test(url);

/**
 * Whether a request goes to the console: by the route it matched, which the router found in
 * the decoded path (`/%61dmin/…` is `/admin/…`), else by its path as sent.
 */
const isAdminRequest = (request: FastifyRequest) =>
  isAdminPath(request.routeOptions.url ?? request.url);

/**
 * Looks up, once per admin-console request, whether an administrator without a second factor
 * in this session has a usable method to step up with. Kept out of `requireAdmin` so that the
 * guard stays a plain synchronous check at the top of every route.
 */
export function registerAdminGuard(app: FastifyInstance, { services, tools }: WebDeps): void {
  app.decorateRequest('adminSecondFactorStep', null);
  app.addHook('onRequest', async (request, reply) => {
    const auth = request.auth;
    if (!isAdminRequest(request)) return;
    // Someone who is no administrator is answered before a body is read (an article may be
    // 2 MB), as every console route would answer them.
    if (!auth || auth.user.is_admin !== 1) {
      if (request.method !== 'GET' && request.method !== 'HEAD' && !requireAdmin(request, reply))
        return reply;
      return;
    }
    if (auth.session.second_factor === 1) return;
    const usable = await services.twoFactor.methods.usable(auth.user.id);
    request.adminSecondFactorStep = usable.length > 0 ? 'step_up' : 'set_up';
    if (request.adminSecondFactorStep === 'set_up') tools.flash(reply, 'adminNeedsTwoFactor');
  });
}

/**
 * Every route of the admin console starts here (SPEC §2.7, ASVS 5 §6.3.3 / ASVS 4 §4.3.1:
 * administrative interfaces need multi-factor authentication):
 * - an anonymous visitor is sent to log in, and comes back afterwards;
 * - a signed-in person who is not an administrator gets the 403 page;
 * - an administrator whose session was made without a second factor (signed in before being
 *   made administrator, or stepped up with the password alone) confirms with their second
 *   factor first (/reauth), or, with no method to confirm with, sets one up (/profile/2fa).
 * Returns the administrator's session, or null when a reply has been sent.
 */
export function requireAdmin(request: FastifyRequest, reply: FastifyReply): ActiveSession | null {
  const auth = requireSession(request, reply);
  if (!auth) return null;
  if (auth.user.is_admin !== 1) {
    void reply.send(new AdministratorsOnly());
    return null;
  }
  if (auth.session.second_factor !== 1) {
    if (request.adminSecondFactorStep === 'set_up') {
      void reply.redirect('/profile/2fa', 303);
      return null;
    }
    // A form post cannot be replayed after the step-up: come back to the page instead.
    const back = request.method === 'GET' ? request.url : '/admin';
    // Cancel leads home: every console page would only ask again.
    void reply.redirect(`/reauth?next=${encodeURIComponent(back)}&cancel=%2F`, 303);
    return null;
  }
  return auth;
}
