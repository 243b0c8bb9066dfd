/**
 * Open redirects: the login page, the re-authentication page and the language switch send
 * the person on to a `next` / `return_to` address taken from the request. If that could be
 * another site, a link to the real login page would hand a freshly signed-in user to a
 * phishing page ("your session expired, enter your password again"). Browsers drop tabs and
 * newlines inside URLs and treat a backslash like a slash, so `/\t/evil.example` and
 * `/\evil.example` are other sites too. Only plain local paths may be followed, and no value
 * may break the response (a newline, or a character outside ASCII, in a Location header is an
 * error, not a 4xx).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { PASSWORD, registerAndVerify } from '../helpers/flows.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import { freshCode, newClient, userWithApp } from '../helpers/two-factor.js';

const HOSTILE = [
  'https://evil.example/',
  '//evil.example/',
  '/\\evil.example/',
  '/\t/evil.example/',
  '/\n/evil.example/',
  '/\r\n/evil.example/',
  '\t//evil.example/',
  '/%09/evil.example/',
  'javascript:alert(1)',
  '/\u0000/evil.example',
  // Not hostile, but no header can carry them: they must not break the answer (a 500, a
  // session made whose cookie never arrives, a one-time code spent for nothing).
  '/\u3000',
  '/caf\u00e9',
];

/**
 * A NUL no browser sends: a form body with one is refused whole (400, nothing followed), as
 * every form's is (src/web/form-body.ts). The login form never carries one (last test).
 */
const refusedWhole = (value: string) => value.includes('\u0000');

/** Where a browser would go for this Location header, seen from the app's own origin. */
function destination(location: string | undefined): string {
  return new URL(location ?? '', 'http://localhost:3000/').origin;
}

describe.each(DIALECTS)('no open redirects (%s)', (dialect) => {
  let app: TestApp;
  let email: string;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
    ({ email } = await registerAndVerify(app, new Client(app.app)));
  });
  afterAll(async () => {
    await app?.close();
  });

  it('sends the person only to a local page after login', async () => {
    for (const next of HOSTILE) {
      const client = new Client(app.app);
      await client.get('/login');
      const page = await client.post('/login', { email, password: PASSWORD, next });
      if (refusedWhole(next)) {
        expect(page.status).toBe(400);
        expect(page.location).toBeUndefined();
        continue;
      }
      expect(page.status, JSON.stringify(next)).toBe(303);
      expect(destination(page.location), JSON.stringify(next)).toBe('http://localhost:3000');
    }
    const client = new Client(app.app);
    await client.get('/login?next=%2Fprofile%2Femails');
    const local = await client.post('/login', {
      email,
      password: PASSWORD,
      next: '/profile/emails',
    });
    expect(local.location).toBe('/profile/emails');
  });

  it('carries a local next through the second step, and only a local one', async () => {
    const user = await userWithApp(app);
    const client = newClient(app);
    const login = await client.submit('/login', {
      email: user.email,
      password: PASSWORD,
      next: '/profile/emails',
    });
    expect(login.location).toBe('/login/2fa?next=%2Fprofile%2Femails');
    const challenge = await client.get(login.location ?? '');
    expect(challenge.body).toContain('name="next" value="/profile/emails"');
    const done = await client.post('/login/2fa', {
      method: 'totp',
      code: freshCode(app, user.secret),
      next: '/profile/emails',
    });
    expect(done.location).toBe('/profile/emails');

    for (const next of HOSTILE) {
      const hostile = newClient(app);
      const page = await hostile.submit('/login', { email: user.email, password: PASSWORD, next });
      if (refusedWhole(next)) {
        expect(page.status).toBe(400);
        continue;
      }
      const target = new URL(page.location ?? '', 'http://localhost:3000/');
      expect(target.pathname, JSON.stringify(next)).toBe('/login/2fa');
      const carried = target.searchParams.get('next');
      if (carried !== null) {
        expect(destination(carried), JSON.stringify(next)).toBe('http://localhost:3000');
      }
    }

    // A next no header can carry, posted with the code itself: the sign-in still completes.
    const other = newClient(app);
    await other.submit('/login', { email: user.email, password: PASSWORD });
    const finished = await other.post('/login/2fa', {
      method: 'totp',
      code: freshCode(app, user.secret),
      next: '/\u3000',
    });
    expect(finished.status).toBe(303);
    expect(finished.location).toBe('/');
    expect((await other.get('/profile')).status).toBe(200);
  });

  it('never carries a hostile next into the login form', async () => {
    for (const next of HOSTILE) {
      const page = await new Client(app.app).get(`/login?next=${encodeURIComponent(next)}`);
      expect(page.status, JSON.stringify(next)).toBe(200);
      const carried = /name="next" value="([^"]*)"/.exec(page.body)?.[1];
      if (carried !== undefined) {
        expect(destination(carried), JSON.stringify(next)).toBe('http://localhost:3000');
      }
    }
  });

  it('lets the language switch return only to a local page', async () => {
    for (const returnTo of HOSTILE) {
      const client = new Client(app.app);
      await client.get('/');
      const page = await client.post('/language', { lang: 'nl', return_to: returnTo });
      if (refusedWhole(returnTo)) {
        expect(page.status).toBe(400);
        expect(page.location).toBeUndefined();
        continue;
      }
      expect(page.status, JSON.stringify(returnTo)).toBe(303);
      expect(destination(page.location), JSON.stringify(returnTo)).toBe('http://localhost:3000');
    }
  });
});
