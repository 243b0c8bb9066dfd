/**
 * Cross-site request forgery: a page on another site makes the user's browser post a form to
 * Portico, and the browser attaches the session cookie. Without a check, that page could
 * change the user's password or email address, log them out, or log them in to an attacker's
 * account (login CSRF). Every state-changing form needs the signed token bound to this
 * browser's CSRF cookie, and a browser that says the request came from elsewhere
 * (Sec-Fetch-Site, Origin) is refused even with a token (SPEC §4 "CSRF").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, PASSWORD, registerAndVerify, uniqueEmail } from '../helpers/flows.js';
import { snapshotDatabase } from '../helpers/snapshot.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';

const CSRF_TEXT = 'This form has expired or was sent from another site.';
const PLACEHOLDER_ID = '00000000-0000-4000-8000-000000000000';

/** Every POST route of the web apps, read from Fastify's route tree (the JSON API excepted). */
function postRoutes(tree: string): string[] {
  const stack: string[] = [];
  const routes: string[] = [];
  for (const line of tree.split('\n')) {
    const match = /^([│├└─\s]*)(\S.*?) \(([^)]+)\)$/.exec(line);
    if (!match) continue;
    const depth = Math.round((match[1] ?? '').length / 4);
    stack.length = depth;
    stack[depth] = match[2] ?? '';
    const path = stack.join('');
    if ((match[3] ?? '').split(',').some((m) => m.trim() === 'POST')) routes.push(path);
  }
  return routes
    .filter((path) => !path.startsWith('/api/'))
    .map((path) => path.replace(/:[A-Za-z_]+/g, PLACEHOLDER_ID));
}

describe.each(DIALECTS)('CSRF protection (%s)', (dialect) => {
  let app: TestApp;
  let client: Client;
  let email: string;
  let secondaryId: string;

  beforeAll(async () => {
    app = await createTestApp({ dialect });
    client = new Client(app.app);
    ({ email } = await registerAndVerify(app, client, { name: 'Original Name' }));
    await logIn(client, email);
    // A second, verified address, so that remove and make-primary would do something.
    const second = uniqueEmail('second');
    const since = app.mail.messages.length;
    await client.submit('/profile/emails', { email: second }, '/profile/emails');
    const mail = await app.mail.waitFor(second, /Verify/, { since });
    const token = /token=([A-Za-z0-9_-]+)/.exec(mail.text)?.[1] ?? '';
    await client.get(`/verify-email?token=${token}`);
    await client.post('/verify-email', { token });
    const row = await app.db
      .selectFrom('email_addresses')
      .select(['id', 'verified_at'])
      .where('email_normalized', '=', second.toLowerCase())
      .executeTakeFirstOrThrow();
    expect(row.verified_at).not.toBeNull();
    secondaryId = row.id;
  });
  afterAll(async () => {
    await app?.close();
  });

  /** The forms of the foundation, each filled so that with a token it would change something. */
  function foundationForms(): Array<[string, Record<string, string>]> {
    return [
      ['/register', { name: 'Mallory', email: uniqueEmail('csrf'), password: PASSWORD }],
      ['/login', { email, password: PASSWORD }],
      ['/logout', {}],
      ['/password/forgot', { email }],
      ['/password/reset', { token: 'x', new_password: PASSWORD, confirm_password: PASSWORD }],
      ['/verify-email', { token: 'x' }],
      ['/language', { lang: 'nl', return_to: '/' }],
      ['/profile', { name: 'Changed By Attacker', locale: 'nl' }],
      [
        '/profile/password',
        {
          current_password: PASSWORD,
          new_password: 'attacker pass 123',
          confirm_password: 'attacker pass 123',
        },
      ],
      ['/profile/emails', { email: uniqueEmail('attacker') }],
      [`/profile/emails/${secondaryId}/primary`, {}],
      [`/profile/emails/${secondaryId}/remove`, {}],
      [`/profile/emails/${secondaryId}/resend`, {}],
      ['/reauth', { password: PASSWORD, next: '/profile' }],
    ];
  }

  async function expectRefused(
    url: string,
    form: Record<string, string> | string,
    headers: Record<string, string> = {},
  ) {
    const before = await snapshotDatabase(app.db);
    const page =
      typeof form === 'string'
        ? await client.request('POST', url, {
            body: form,
            headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
          })
        : await client.request('POST', url, { form, headers });
    expect(page.status, url).toBe(403);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(textOf(page.body), url).toContain(CSRF_TEXT);
    expect(page.body).toContain('<html lang="en">');
    expect(await snapshotDatabase(app.db), url).toEqual(before);
    expect((await client.get('/profile')).status, `${url}: still signed in`).toBe(200);
  }

  it('refuses every foundation form posted without a token, and changes nothing', async () => {
    for (const [url, form] of foundationForms()) await expectRefused(url, form);
    const name = await app.db
      .selectFrom('users')
      .innerJoin('email_addresses', 'email_addresses.user_id', 'users.id')
      .select(['users.name', 'users.locale'])
      .where('email_addresses.email_normalized', '=', email.toLowerCase())
      .executeTakeFirstOrThrow();
    expect(name).toEqual({ name: 'Original Name', locale: 'en' });
  });

  it('refuses every POST route of the app (as found in its route table) without a token', async () => {
    const routes = postRoutes(app.app.printRoutes({ commonPrefix: false }));
    for (const [url] of foundationForms()) {
      expect(routes).toContain(url.replace(secondaryId, PLACEHOLDER_ID));
    }
    expect(routes.length).toBeGreaterThanOrEqual(foundationForms().length);
    for (const url of routes) {
      const before = await snapshotDatabase(app.db);
      const page = await client.request('POST', url, { form: { x: '1' } });
      // The CSRF check runs before any handler; a guard that refuses earlier also says 403.
      expect(page.status, url).toBe(403);
      expect(page.body, url).toContain('class="site-header"');
      expect(await snapshotDatabase(app.db), url).toEqual(before);
    }
  });

  it('refuses a wrong token, and a token that belongs to another browser', async () => {
    await client.get('/profile');
    const real = await client.csrfToken();
    const wrong = real.slice(0, -2) + (real.endsWith('AA') ? 'BB' : 'AA');
    await expectRefused('/profile', { _csrf: wrong, name: 'Changed By Attacker' });
    await expectRefused('/logout', { _csrf: 'x'.repeat(real.length) });

    const attacker = new Client(app.app);
    await attacker.get('/');
    const attackerToken = await attacker.csrfToken();
    expect(attackerToken).not.toBe(real);
    await expectRefused('/profile', { _csrf: attackerToken, name: 'Changed By Attacker' });
    // The right token twice is not one token: a form with a field twice is refused whole,
    // before its token is read (src/web/form-body.ts).
    const twice = new URLSearchParams([
      ['_csrf', real],
      ['_csrf', real],
      ['name', 'Changed By Attacker'],
    ]).toString();
    const before = await snapshotDatabase(app.db);
    const page = await client.request('POST', '/profile', {
      body: twice,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(page.status).toBe(400);
    expect(textOf(page.body)).toContain('Something is wrong with this request');
    expect(await snapshotDatabase(app.db)).toEqual(before);
  });

  it('refuses a request the browser marks as cross-site, even with the right token', async () => {
    await client.get('/profile');
    const token = await client.csrfToken();
    for (const site of ['cross-site', 'same-site']) {
      await expectRefused(
        '/profile',
        { _csrf: token, name: 'Changed By Attacker' },
        { 'sec-fetch-site': site },
      );
    }
    await expectRefused('/logout', { _csrf: token }, { 'sec-fetch-site': 'cross-site' });
  });

  it('refuses a foreign Origin, even with the right token', async () => {
    await client.get('/profile');
    const token = await client.csrfToken();
    for (const origin of ['https://evil.example', 'null', 'http://localhost:3000.evil.example']) {
      await expectRefused('/profile', { _csrf: token, name: 'Changed By Attacker' }, { origin });
    }
  });

  it('accepts the same form from its own origin', async () => {
    await client.get('/profile');
    const token = await client.csrfToken();
    const saved = await client.request('POST', '/profile', {
      form: { _csrf: token, name: 'Renamed Here', locale: 'en' },
      headers: { origin: 'http://localhost:3000', 'sec-fetch-site': 'same-origin' },
    });
    expect(saved.status).toBe(303);
    expect(textOf((await client.follow(saved)).body)).toContain('Your changes have been saved.');
    const typed = await client.request('POST', '/profile', {
      form: { _csrf: token, name: 'Renamed Again', locale: 'en' },
      headers: { 'sec-fetch-site': 'none' },
    });
    expect(typed.status).toBe(303);
    const page = await client.get('/profile');
    expect(page.body).toContain('value="Renamed Again"');
  });
});
