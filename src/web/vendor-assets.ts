import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { FastifyInstance } from 'fastify';

/** Where the browser half of @simplewebauthn is served from (SPEC §4: script from 'self'). */
export const WEBAUTHN_BROWSER_PATH = '/assets/vendor/simplewebauthn-browser.js';

/**
 * Serves the browser build of @simplewebauthn/browser from the installed package, so the
 * script in use is always the version package-lock.json names (docs/decisions.md). Read on
 * the first request, then kept.
 */
export function registerVendorAssets(app: FastifyInstance): void {
  let body: Buffer | null = null;
  app.get(WEBAUTHN_BROWSER_PATH, (_request, reply) => {
    if (!body) {
      // The package's entry point is <root>/script/index.js; its UMD bundle is beside it.
      const entry = createRequire(import.meta.url).resolve('@simplewebauthn/browser');
      body = readFileSync(join(dirname(dirname(entry)), 'dist/bundle/index.umd.min.js'));
    }
    return reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=3600')
      .send(body);
  });
}
