import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { TrustedDevice } from '../../db/schema.js';
import { hashToken } from '../../security/tokens.js';
import { requestMeta } from '../request-context.js';
import type { WebDeps } from '../web-deps.js';
import { requireSession } from '../web-deps.js';

/** Device ids are UUIDs made by the app; anything else is no device of this user. */
const DEVICE_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The remembered device that is this browser, if its cookie names one of `devices`. */
export function thisDevice(
  request: FastifyRequest,
  cookieName: string,
  devices: TrustedDevice[],
): TrustedDevice | undefined {
  const token = request.cookies[cookieName];
  if (!token) return undefined;
  const tokenHash = hashToken(token);
  return devices.find((device) => device.token_hash === tokenHash);
}

/**
 * Forgetting trusted devices (SPEC §3), one or all. It only takes a privilege away, so it
 * needs no recent sign-in: someone who finds an unknown device should be able to act at once.
 */
export function registerTrustedDeviceRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { services, tools } = deps;
  const devices = services.twoFactor.trustedDevices;

  app.post<{ Params: { id: string } }>(
    '/profile/2fa/devices/:id/forget',
    async (request, reply) => {
      const auth = requireSession(request, reply);
      if (!auth) return reply;
      const id = request.params.id;
      const forgotten = DEVICE_ID.test(id)
        ? await devices.forget(auth.user.id, id, requestMeta(request))
        : null;
      if (forgotten === null) return reply.callNotFound();
      const cookie = request.cookies[tools.cookies.device];
      if (cookie && hashToken(cookie) === forgotten) tools.clearDevice(reply);
      tools.flash(reply, 'deviceForgotten');
      return reply.redirect('/profile/2fa', 303);
    },
  );

  app.post('/profile/2fa/devices/forget-all', async (request, reply) => {
    const auth = requireSession(request, reply);
    if (!auth) return reply;
    await devices.forgetAll(auth.user.id, requestMeta(request));
    tools.clearDevice(reply);
    tools.flash(reply, 'devicesForgotten');
    return reply.redirect('/profile/2fa', 303);
  });
}
