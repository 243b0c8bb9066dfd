/**
 * Secrets shown once (SPEC §3 recovery codes, §2.7 API keys) and the reload. When the page
 * with new recovery codes was the answer to the POST that made them, a reload (or Back and
 * Forward) posted again and silently replaced the set the person had just saved, and the
 * language switch led to a GET of the POST's address: a 404, or "already set up", with the
 * new set active and never seen. A reload of a new API key made a second key. Now the POST
 * redirects to a page that shows the secret from a short-lived sealed cookie: the same secret
 * on every reload and in every language, to the person and session it was made for only, and
 * no more once "Continue" is pressed or its time is up. The database keeps no plaintext.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signedInAdmin } from '../helpers/admin.js';
import type { Client, Page } from '../helpers/client.js';
import { textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, registerAndVerify } from '../helpers/flows.js';
import { snapshotDatabase } from '../helpers/snapshot.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import {
  freshCode,
  newClient,
  pendingSignIn,
  RECOVERY_CODES_PAGE,
  recoveryCodesOf,
  setUpApp,
  signedInUser,
  submitCode,
  userWithApp,
} from '../helpers/two-factor.js';

/** The one-time cookies' names on plain HTTP (no __Host- prefix). */
const CODES_COOKIE = 'portico_codes';
const API_KEY_COOKIE = 'portico_api_key';
const API_KEY_PAGE = '/admin/api-keys/created';
const TOKEN = /ptk_[A-Za-z0-9_-]{43}/;

function setCookieLine(page: Page, name: string): string {
  const header = page.headers['set-cookie'];
  const lines = Array.isArray(header) ? header : header ? [header] : [];
  return lines.find((line) => line.startsWith(`${name}=`)) ?? '';
}

/** HttpOnly, SameSite=Lax, no Domain, for 15 at most (opening another page ends it sooner). */
function expectOneTimeCookie(line: string) {
  expect(line).toMatch(/;\s*HttpOnly/i);
  expect(line).toMatch(/;\s*SameSite=Lax/i);
  expect(line).toContain('; Path=/');
  expect(line).not.toMatch(/;\s*Domain=/i);
  expect(line).toMatch(/;\s*Max-Age=900(;|$)/);
}

describe.each(DIALECTS)('secrets shown once survive a reload, and no more (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  const storedCodes = async (userId: string) =>
    (
      await app.db
        .selectFrom('recovery_codes')
        .select(['id', 'code_hash'])
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .orderBy('id')
        .execute()
    ).map((row) => `${row.id}:${row.code_hash}`);

  async function regenerate(client: Client, cookie = CODES_COOKIE): Promise<Page> {
    await client.get('/profile/2fa');
    const posted = await client.post(RECOVERY_CODES_PAGE);
    expect(posted.status).toBe(303);
    expect(posted.location).toBe(RECOVERY_CODES_PAGE);
    expectOneTimeCookie(setCookieLine(posted, cookie));
    return client.follow(posted);
  }

  function expectCodesPage(page: Page) {
    expect(page.status).toBe(200);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(textOf(page.body)).toContain('Save your recovery codes');
    expect(page.body).toMatch(/<a class="button secondary" href="data:text\/plain;[^"]*" download/);
    expect(page.body).toContain(`href="${RECOVERY_CODES_PAGE}/done">Continue</a>`);
  }

  it('shows regenerated codes again on reload without making another set', async () => {
    const user = await userWithApp(app);
    const shown = await regenerate(user.client);
    expectCodesPage(shown);
    const codes = recoveryCodesOf(shown);
    expect(codes).toHaveLength(10);
    expect(codes).not.toEqual(user.recoveryCodes);
    const stored = await storedCodes(user.userId);
    expect(stored).toHaveLength(10);

    for (let reload = 0; reload < 2; reload++) {
      const again = await user.client.get(RECOVERY_CODES_PAGE);
      expectCodesPage(again);
      expect(recoveryCodesOf(again)).toEqual(codes);
    }
    expect(await storedCodes(user.userId)).toEqual(stored);
    const snapshot = JSON.stringify(await snapshotDatabase(app.db));
    for (const code of codes) expect(snapshot).not.toContain(code);

    // The set shown is the set in force.
    const other = await pendingSignIn(app, user.email);
    await other.get('/login/2fa?method=recovery');
    expect((await submitCode(other, 'recovery', codes[3] ?? '')).location).toBe('/');
  });

  it('shows the same codes in Dutch after the language switch', async () => {
    const user = await userWithApp(app);
    const codes = recoveryCodesOf(await regenerate(user.client));
    const switched = await user.client.post('/language', {
      lang: 'nl',
      return_to: RECOVERY_CODES_PAGE,
    });
    expect(switched.location).toBe(RECOVERY_CODES_PAGE);
    const dutch = await user.client.follow(switched);
    expect(dutch.status).toBe(200);
    expect(textOf(dutch.body)).toContain('Bewaar je herstelcodes');
    expect(textOf(dutch.body)).toContain('Downloaden');
    expect(textOf(dutch.body)).toContain('Doorgaan');
    expect(recoveryCodesOf(dutch)).toEqual(codes);
  });

  it('shows the first codes with the new method, keeps them on reload, and Continue ends it', async () => {
    const user = await signedInUser(app);
    const { page, recoveryCodes } = await setUpApp(app, user.client);
    expectCodesPage(page);
    expect(textOf(page.body)).toContain('Your authentication app is set up.');
    const reloaded = await user.client.get(RECOVERY_CODES_PAGE);
    expect(recoveryCodesOf(reloaded)).toEqual(recoveryCodes);
    expect(textOf(reloaded.body)).toContain('Your authentication app is set up.');
    // A reload of the set-up no longer answers with codes: the language switch has a page.
    const dutch = await user.client.follow(
      await user.client.post('/language', { lang: 'nl', return_to: RECOVERY_CODES_PAGE }),
    );
    expect(recoveryCodesOf(dutch)).toEqual(recoveryCodes);

    const done = await user.client.get(`${RECOVERY_CODES_PAGE}/done`);
    expect(done.location).toBe('/profile/2fa');
    expect(user.client.cookies.has(CODES_COOKIE)).toBe(false);
    const later = await user.client.get(RECOVERY_CODES_PAGE);
    expect(later.status).toBe(303);
    expect(later.location).toBe('/profile/2fa');
  });

  it('keeps the codes of a log-in set-up on reload and in Dutch, then continues home', async () => {
    const client = newClient(app);
    const { email, userId } = await registerAndVerify(app, client);
    // Administrators must have a second factor: the log-in leads to the set-up.
    await app.db.updateTable('users').set({ is_admin: 1 }).where('id', '=', userId).execute();
    expect((await logIn(client, email)).location).toBe('/login/2fa/setup');
    const { page, recoveryCodes } = await setUpApp(app, client, '/login/2fa/setup');
    expectCodesPage(page);
    expect(recoveryCodes).toHaveLength(10);
    expect(recoveryCodesOf(await client.get(RECOVERY_CODES_PAGE))).toEqual(recoveryCodes);
    const dutch = await client.follow(
      await client.post('/language', { lang: 'nl', return_to: RECOVERY_CODES_PAGE }),
    );
    expect(recoveryCodesOf(dutch)).toEqual(recoveryCodes);
    expect((await client.get(`${RECOVERY_CODES_PAGE}/done`)).location).toBe('/');
    expect((await client.get(RECOVERY_CODES_PAGE)).location).toBe('/profile/2fa');
  });

  it('ends when the browser opens another page, not on a reload, a stylesheet or an icon', async () => {
    // What a browser sends when it opens a page, and when a page fetches its parts.
    const opening = { 'sec-fetch-dest': 'document', accept: 'text/html,*/*;q=0.8' };
    const user = await userWithApp(app);
    const codes = recoveryCodesOf(await regenerate(user.client));
    expect(recoveryCodesOf(await user.client.get(RECOVERY_CODES_PAGE, opening))).toEqual(codes);
    await user.client.get('/assets/portico.css', { 'sec-fetch-dest': 'style' });
    await user.client.get('/favicon.ico', { 'sec-fetch-dest': 'image', accept: 'image/*' });
    expect(user.client.cookies.has(CODES_COOKIE)).toBe(true);
    // The language switch comes back to the same page.
    const dutch = await user.client.follow(
      await user.client.post('/language', { lang: 'nl', return_to: RECOVERY_CODES_PAGE }),
    );
    expect(recoveryCodesOf(dutch)).toEqual(codes);

    // Another page opened, in the address bar or by a link: the codes are not shown again.
    await user.client.get('/profile', opening);
    expect(user.client.cookies.has(CODES_COOKIE)).toBe(false);
    const back = await user.client.get(RECOVERY_CODES_PAGE, opening);
    expect(back.location).toBe('/profile/2fa');
    expect(recoveryCodesOf(back)).toEqual([]);

    // The same for a new API key; a browser without Sec-Fetch-Dest asks for HTML instead.
    const admin = await signedInAdmin(app, { name: 'Leaving Admin' });
    const made = await admin.client.submit('/admin/api-keys', { name: 'Left key' });
    const token = TOKEN.exec((await admin.client.follow(made)).body)?.[0] ?? '';
    expect(token).not.toBe('');
    await admin.client.get('/admin', { accept: 'text/html' });
    const again = await admin.client.get(API_KEY_PAGE, { accept: 'text/html' });
    expect(again.location).toBe('/admin/api-keys');
    expect(again.body).not.toContain(token);
  });

  it('shows nothing without the cookie, to another person or session, or once expired', async () => {
    const user = await userWithApp(app);
    const codes = recoveryCodesOf(await regenerate(user.client));
    const sealed = user.client.cookies.get(CODES_COOKIE) ?? '';
    expect(sealed).not.toBe('');
    for (const code of codes) expect(sealed).not.toContain(code);

    const refused = async (client: Client, location = '/profile/2fa') => {
      const page = await client.get(RECOVERY_CODES_PAGE);
      expect(page.status).toBe(303);
      expect(page.location).toBe(location);
      expect(recoveryCodesOf(page)).toEqual([]);
    };

    const stranger = await signedInUser(app);
    await refused(stranger.client);
    stranger.client.cookies.set(CODES_COOKIE, sealed);
    await refused(stranger.client);

    // The same person in another session: the codes stay with the session that made them.
    const elsewhere = await pendingSignIn(app, user.email);
    await submitCode(elsewhere, 'totp', freshCode(app, user.secret));
    elsewhere.cookies.set(CODES_COOKIE, sealed);
    await refused(elsewhere);

    const signedOut = newClient(app);
    signedOut.cookies.set(CODES_COOKIE, sealed);
    await refused(signedOut, `/login?next=${encodeURIComponent(RECOVERY_CODES_PAGE)}`);

    user.client.cookies.set(CODES_COOKIE, `${sealed.slice(0, -4)}AAAA`);
    await refused(user.client);
    user.client.cookies.set(CODES_COOKIE, sealed);
    expect(recoveryCodesOf(await user.client.get(RECOVERY_CODES_PAGE))).toEqual(codes);
    app.clock.advance(16 * 60_000);
    await refused(user.client);
  });

  it('marks the cookie Secure, with the __Host- prefix, when PUBLIC_URL is https', async () => {
    const https = await createTestApp({ dialect, publicUrl: 'https://help.example.com' });
    try {
      const client = newClient(https);
      const { email } = await registerAndVerify(https, client);
      expect((await logIn(client, email)).location).toBe('/');
      const { recoveryCodes } = await setUpApp(https, client);
      expect(recoveryCodes).toHaveLength(10);
      expect(client.cookies.has(`__Host-${CODES_COOKIE}`)).toBe(true);
      const shown = await regenerate(client, `__Host-${CODES_COOKIE}`);
      expect(recoveryCodesOf(shown)).toHaveLength(10);
      await client.get('/profile/2fa');
      const line = setCookieLine(await client.post(RECOVERY_CODES_PAGE), `__Host-${CODES_COOKIE}`);
      expect(line).toMatch(/;\s*Secure/i);
    } finally {
      await https.close();
    }
  });

  it('shows a new API key again on reload without making a second key', async () => {
    const admin = await signedInAdmin(app);
    const posted = await admin.client.submit('/admin/api-keys', { name: 'Reloaded key' });
    expect(posted.status).toBe(303);
    expect(posted.location).toBe(API_KEY_PAGE);
    expectOneTimeCookie(setCookieLine(posted, API_KEY_COOKIE));
    const shown = await admin.client.follow(posted);
    expect(shown.status).toBe(200);
    expect(shown.headers['cache-control']).toBe('no-store');
    expect(textOf(shown.body)).toContain('Your new API key');
    const token = TOKEN.exec(shown.body)?.[0] ?? '';
    expect(token).not.toBe('');

    const reloaded = await admin.client.get(API_KEY_PAGE);
    expect(TOKEN.exec(reloaded.body)?.[0]).toBe(token);
    const dutch = await admin.client.follow(
      await admin.client.post('/language', { lang: 'nl', return_to: API_KEY_PAGE }),
    );
    expect(textOf(dutch.body)).toContain('Je nieuwe API-sleutel');
    expect(TOKEN.exec(dutch.body)?.[0]).toBe(token);
    const rows = await app.db
      .selectFrom('api_keys')
      .select('id')
      .where('name', '=', 'Reloaded key')
      .execute();
    expect(rows).toHaveLength(1);
    expect(JSON.stringify(await snapshotDatabase(app.db))).not.toContain(token);

    const used = await app.app.inject({
      method: 'GET',
      url: '/api/v1/user-groups',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(used.statusCode).toBe(200);

    const sealed = admin.client.cookies.get(API_KEY_COOKIE) ?? '';
    expect(sealed).not.toContain(token);
    const other = await signedInAdmin(app, { name: 'Other Admin' });
    other.client.cookies.set(API_KEY_COOKIE, sealed);
    const elsewhere = await other.client.get(API_KEY_PAGE);
    expect(elsewhere.location).toBe('/admin/api-keys');
    expect(elsewhere.body).not.toContain(token);

    // "Done" goes back to the list, and the key is not shown again.
    const list = await admin.client.get('/admin/api-keys');
    expect(list.status).toBe(200);
    expect(list.body).not.toContain(token);
    expect(admin.client.cookies.has(API_KEY_COOKIE)).toBe(false);
    expect((await admin.client.get(API_KEY_PAGE)).location).toBe('/admin/api-keys');
  });
});
