import type { FastifyInstance, FastifyRequest } from 'fastify';

/**
 * For a request no route answered: the methods its path takes when they do not include the
 * request's own, so it is a 405 that names them (RFC 9110 §15.5.6), not a 404 that says the
 * route is not there; null for a 404 (no route at that path, or a route that takes this method
 * and answered "not found" itself). Covers the routes registered on `app` from now on: call it
 * before they are registered.
 */
export function trackRouteMethods(
  app: FastifyInstance,
  include: (url: string) => boolean = () => true,
): (request: FastifyRequest) => string[] | null {
  const routes: Array<{ pattern: RegExp; methods: string[] }> = [];
  app.addHook('onRoute', (route) => {
    if (!include(route.url)) return;
    const pattern = new RegExp(
      `^${route.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[^/]+/g, '[^/]+')}/?$`,
    );
    routes.push({ pattern, methods: [route.method].flat() });
  });
  return (request) => {
    const path = request.url.split('?')[0] ?? '';
    const allowed = [
      ...new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods)),
    ].sort();
    return allowed.length > 0 && !allowed.includes(request.method) ? allowed : null;
  };
}
