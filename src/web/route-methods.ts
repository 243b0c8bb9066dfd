import type { FastifyInstance } from 'fastify';

/**
 * The methods the routes registered on `app` from now on take for a path, so a route asked
 * with a method it does not take is a 405 that names the ones it does (RFC 9110 §15.5.6), not
 * a 404 that says the route is not there. Call it before the routes are registered.
 */
export function trackRouteMethods(
  app: FastifyInstance,
  include: (url: string) => boolean = () => true,
): (path: string) => string[] {
  const routes: Array<{ pattern: RegExp; methods: string[] }> = [];
  app.addHook('onRoute', (route) => {
    if (!include(route.url)) return;
    const pattern = new RegExp(
      `^${route.url.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[^/]+/g, '[^/]+')}/?$`,
    );
    routes.push({ pattern, methods: [route.method].flat() });
  });
  return (path) =>
    [...new Set(routes.filter((r) => r.pattern.test(path)).flatMap((r) => r.methods))].sort();
}
