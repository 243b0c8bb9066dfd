/*
 * Skipping the second step. A correct password must buy nothing but the right to give the
 * second factor: products have marked a session authenticated after one factor (Zitadel
 * CVE-2025-64103) or let another path accept the password alone (Gitea CVE-2019-11576). Here
 * a pending sign-in has to answer as signed out on every page and form, must never carry a
 * session cookie, must end in a session whose id nobody saw before, can be completed once
 * only, and dies when it expires or when the password or the methods change meanwhile.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../src/security/tokens.js';
import { totpCodeAt } from '../../src/two-factor/totp/totp.js';
import type { Page } from '../helpers/client.js';
import { textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { PASSWORD, registerAndVerify } from '../helpers/flows.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import {
  confirmRemoval,
  freshCode,
  newClient,
  PENDING_COOKIE,
  pendingSignIn,
  savePolicy,
  SESSION_COOKIE,
  sessionCount,
  setUpApp,
  setUpEmail,
  submitCode,
  userWithApp,
} from '../helpers/two-factor.js';

/** What someone who only knows the password would try while the second step is pending. */
const PROTECTED_PAGES = [
  '/profile',
  '/profile/password',
  '/profile/emails',
  '/profile/2fa',
  '/profile/2fa/app/new',
  '/profile/2fa/email/new',
  '/profile/2fa/app/edit',
  '/profile/2fa/email/edit',
  '/profile/2fa/app/remove',
  '/profile/2fa/email/remove',
  '/reauth',
  '/reauth/2fa',
];

const PROTECTED_POSTS: Array<[string, Record<string, string>]> = [
  ['/profile', { name: 'Taken over', locale: '' }],
  [
    '/profile/password',
    {
      current_password: PASSWORD,
      new_password: 'a brand new passphrase',
      confirm_password: 'a brand new passphrase',
    },
  ],
  ['/profile/emails', { email: 'attacker@example.net' }],
  ['/profile/2fa/app/new', { setup_id: 'x', name: 'Attacker', code: '123456' }],
  ['/profile/2fa/email/new', { action: 'send', name: 'Attacker', email: 'attacker@example.net' }],
  ['/profile/2fa/app/edit', { name: 'Renamed by attacker' }],
  ['/profile/2fa/email/edit', { action: 'rename', name: 'Renamed by attacker' }],
  ['/profile/2fa/app/remove', {}],
  ['/profile/2fa/email/remove', {}],
  ['/profile/2fa/recovery-codes', {}],
  ['/reauth', { password: PASSWORD }],
  ['/reauth/2fa', { method: 'totp', code: '123456' }],
];

/** The log-in set-up screens are only for a pending sign-in that has no method yet. */
const SETUP_PATHS = ['/login/2fa/setup', '/login/2fa/setup/app/new', '/login/2fa/setup/email/new'];

function expectSentToLogin(page: Page, what: string) {
  expect(page.status, what).toBe(303);
  expect(page.location, what).toMatch(/^\/login(\?|$)/);
}

describe.each(DIALECTS)('two-factor bypass (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answers every protected page and form as signed out while the second step is pending', async () => {
    const user = await userWithApp(app);
    await setUpEmail(app, user.client, user.email);
    const methodsBefore = await app.db
      .selectFrom('two_factor_methods')
      .select(['id', 'name'])
      .where('user_id', '=', user.userId)
      .orderBy('id')
      .execute();
    const recoveryBefore = await app.db
      .selectFrom('recovery_codes')
      .select('code_hash')
      .where('user_id', '=', user.userId)
      .orderBy('code_hash')
      .execute();
    const sessionsBefore = await sessionCount(app, user.userId);

    const client = await pendingSignIn(app, user.email);
    await client.get('/login/2fa');

    for (const path of PROTECTED_PAGES) {
      expectSentToLogin(await client.get(path), `GET ${path}`);
    }
    for (const [path, form] of PROTECTED_POSTS) {
      await client.get('/login/2fa');
      expectSentToLogin(await client.post(path, form), `POST ${path}`);
    }
    const admin = await client.get('/admin');
    if (admin.status !== 404) expectSentToLogin(admin, 'GET /admin');

    const home = await client.get('/');
    expect(home.status).toBe(200);
    expect(home.body).not.toContain('aria-label="Account menu"');
    expect(textOf(home.body)).toContain('Log in');
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);

    // Nothing the forms above asked for happened.
    const userRow = await app.db
      .selectFrom('users')
      .select('name')
      .where('id', '=', user.userId)
      .executeTakeFirstOrThrow();
    expect(userRow.name).toBe('Test User');
    expect(
      await app.db
        .selectFrom('two_factor_methods')
        .select(['id', 'name'])
        .where('user_id', '=', user.userId)
        .orderBy('id')
        .execute(),
    ).toEqual(methodsBefore);
    expect(
      await app.db
        .selectFrom('recovery_codes')
        .select('code_hash')
        .where('user_id', '=', user.userId)
        .orderBy('code_hash')
        .execute(),
    ).toEqual(recoveryBefore);
    const attackerAddress = await app.db
      .selectFrom('email_addresses')
      .select('id')
      .where('email_normalized', '=', 'attacker@example.net')
      .executeTakeFirst();
    expect(attackerAddress).toBeUndefined();
    expect(await sessionCount(app, user.userId)).toBe(sessionsBefore);
    // The pending sign-in itself is intact: the right code still finishes it.
    const done = await submitCode(client, 'totp', freshCode(app, user.secret));
    expect(done.status).toBe(303);
    expect(client.cookies.has(SESSION_COOKIE)).toBe(true);
  });

  it('does not let a pending sign-in add a method on the log-in set-up screens to get past the second step', async () => {
    const user = await userWithApp(app);
    const client = await pendingSignIn(app, user.email);
    for (const path of SETUP_PATHS) {
      expectSentToLogin(await client.get(path), `GET ${path}`);
    }
    // Losing the pending cookie on the way is part of the answer; give it back each time.
    const pending = client.cookies.get(PENDING_COOKIE) ?? '';
    const attempts: Array<[string, Record<string, string>]> = [
      ['/login/2fa/setup/app/new', { setup_id: 'x', name: 'Attacker', code: '123456' }],
      [
        '/login/2fa/setup/email/new',
        { action: 'send', name: 'Attacker', email: 'attacker@example.net' },
      ],
      ['/login/2fa/setup/later', {}],
    ];
    for (const [path, form] of attempts) {
      client.cookies.set(PENDING_COOKIE, pending);
      await client.get('/');
      expectSentToLogin(await client.post(path, form), `POST ${path}`);
      expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
    }
    expect(await sessionCount(app, user.userId)).toBe(1);
    const setups = await app.db
      .selectFrom('two_factor_setups')
      .select('id')
      .where('user_id', '=', user.userId)
      .execute();
    expect(setups).toHaveLength(0);
  });

  it('sets no session cookie before the second factor, and a session id nobody saw before after it', async () => {
    const user = await userWithApp(app);
    const client = newClient(app);
    const seen = new Set<string>();
    const remember = () => {
      for (const value of client.cookies.values()) seen.add(value);
    };
    // A session id planted by someone else (fixation) must not survive the log-in.
    client.cookies.set(SESSION_COOKIE, 'planted-by-an-attacker-0000000000000000000000');
    remember();
    await client.get('/login');
    remember();
    const login = await client.post('/login', { email: user.email, password: PASSWORD });
    expect(login.location).toBe('/login/2fa');
    expect(login.headers['set-cookie']?.toString() ?? '').not.toMatch(
      new RegExp(`${SESSION_COOKIE}=[^;]+`),
    );
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
    remember();
    await client.get('/login/2fa');
    remember();
    const pendingToken = client.cookies.get(PENDING_COOKIE) ?? '';
    expect(pendingToken).not.toBe('');

    const done = await submitCode(client, 'totp', freshCode(app, user.secret));
    expect(done.status).toBe(303);
    const session = client.cookies.get(SESSION_COOKIE);
    expect(session).toBeDefined();
    expect(seen.has(session ?? '')).toBe(false);
    expect(client.cookies.has(PENDING_COOKIE)).toBe(false);
    const rows = await app.db
      .selectFrom('sessions')
      .select('id_hash')
      .where('user_id', '=', user.userId)
      .execute();
    const hashes = rows.map((r) => r.id_hash);
    expect(hashes).toContain(hashToken(session ?? ''));
    expect(hashes).not.toContain(hashToken(pendingToken));
    expect((await client.get('/profile')).status).toBe(200);
  });

  /*
   * Someone else logs in on a browser that holds a session (a shared computer): the new
   * session replaces the old one on the server too, not only in the cookie, whichever step
   * ends the log-in (ASVS 7.2.4). A copy of the old cookie must be worth nothing.
   */
  it('ends the session a browser held when another log-in finishes on it, at the second step or the set-up', async () => {
    const holder = await userWithApp(app);
    const held = () => holder.client.cookies.get(SESSION_COOKIE) ?? '';
    const oldCookieWorks = async (cookie: string) => {
      const copy = newClient(app);
      copy.cookies.set(SESSION_COOKIE, cookie);
      return (await copy.get('/profile')).status === 200;
    };
    const logInOnHolder = async (email: string) =>
      holder.client.submit('/login', { email, password: PASSWORD }, '/login');

    // The second step.
    const other = await userWithApp(app);
    let before = held();
    expect(await oldCookieWorks(before)).toBe(true);
    expect((await logInOnHolder(other.email)).location).toBe('/login/2fa');
    expect((await submitCode(holder.client, 'totp', freshCode(app, other.secret))).status).toBe(
      303,
    );
    expect(held()).not.toBe(before);
    expect(await oldCookieWorks(before)).toBe(false);

    try {
      // A set-up the policy asks for.
      await savePolicy(app, { require: 'all' });
      const newcomer = await registerAndVerify(app, newClient(app));
      before = held();
      expect((await logInOnHolder(newcomer.email)).location).toBe('/login/2fa/setup');
      const { page } = await setUpApp(app, holder.client, '/login/2fa/setup');
      expect(page.status).toBe(200);
      expect(held()).not.toBe(before);
      expect(await oldCookieWorks(before)).toBe(false);

      // And a set-up postponed.
      await savePolicy(app, { require: 'all', graceUntil: app.clock.now() + 24 * 3_600_000 });
      const postponer = await registerAndVerify(app, newClient(app));
      before = held();
      expect((await logInOnHolder(postponer.email)).location).toBe('/login/2fa/setup');
      expect((await holder.client.post('/login/2fa/setup/later')).status).toBe(303);
      expect(held()).not.toBe(before);
      expect(await oldCookieWorks(before)).toBe(false);
    } finally {
      await savePolicy(app, {});
    }
  });

  it('completes a pending sign-in once only, one request after another and at the same moment', async () => {
    const user = await userWithApp(app);
    await user.client.post('/logout');

    const first = await pendingSignIn(app, user.email);
    await first.get('/login/2fa');
    const pending = first.cookies.get(PENDING_COOKIE) ?? '';
    const csrf = first.cookies.get('portico_csrf') ?? '';
    expect((await submitCode(first, 'totp', freshCode(app, user.secret))).status).toBe(303);
    expect(await sessionCount(app, user.userId)).toBe(1);

    // The same pending cookie, replayed from a copy of the browser with a new valid code.
    const copy = newClient(app);
    copy.cookies.set(PENDING_COOKIE, pending);
    copy.cookies.set('portico_csrf', csrf);
    await copy.get('/');
    const again = await submitCode(copy, 'totp', freshCode(app, user.secret));
    expectSentToLogin(again, 'second completion');
    expect(copy.cookies.has(SESSION_COOKIE)).toBe(false);
    expect(await sessionCount(app, user.userId)).toBe(1);

    // Two valid factors for one pending sign-in at once: one session, not two.
    const racer = await pendingSignIn(app, user.email);
    await racer.get('/login/2fa');
    const code = freshCode(app, user.secret);
    const results = await Promise.all([
      submitCode(racer, 'totp', code),
      submitCode(racer, 'recovery', user.recoveryCodes[0] ?? ''),
    ]);
    const signedIn = results.filter((r) => r.status === 303 && r.location === '/');
    expect(signedIn).toHaveLength(1);
    expect(await sessionCount(app, user.userId)).toBe(2);
  });

  it('ends the pending sign-in when the password changes meanwhile', async () => {
    const user = await userWithApp(app);
    const client = await pendingSignIn(app, user.email);
    await client.get('/login/2fa');

    await user.client.get('/profile/password');
    const changed = await user.client.post('/profile/password', {
      current_password: PASSWORD,
      new_password: 'another long passphrase',
      confirm_password: 'another long passphrase',
    });
    expect(changed.status).toBe(303);

    const late = await submitCode(client, 'totp', freshCode(app, user.secret));
    expectSentToLogin(late, 'code after a password change');
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
    expect(await sessionCount(app, user.userId)).toBe(1);
  });

  it('ends the pending sign-in when a method is added meanwhile', async () => {
    const user = await userWithApp(app);
    const client = await pendingSignIn(app, user.email);
    await client.get('/login/2fa');

    const added = await setUpEmail(app, user.client, user.email);
    expect(added.page.status).toBe(303);

    const late = await submitCode(client, 'totp', freshCode(app, user.secret));
    expectSentToLogin(late, 'code after a method was added');
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
    expect(await sessionCount(app, user.userId)).toBe(1);
  });

  it('ends the pending sign-in when a method is removed meanwhile', async () => {
    const user = await userWithApp(app);
    await setUpEmail(app, user.client, user.email);
    const client = await pendingSignIn(app, user.email);
    await client.get('/login/2fa');

    const removed = await confirmRemoval(user.client, '/profile/2fa/email/remove');
    expect(removed.status).toBe(303);
    expect(removed.location).toBe('/profile/2fa');

    const late = await submitCode(client, 'totp', freshCode(app, user.secret));
    expectSentToLogin(late, 'code after a method was removed');
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
    expect(await sessionCount(app, user.userId)).toBe(1);
  });

  it('ends the pending sign-in at Log out, in the database as in the browser', async () => {
    const user = await userWithApp(app);
    const client = await pendingSignIn(app, user.email);
    const pending = client.cookies.get(PENDING_COOKIE) ?? '';
    await client.get('/login/2fa');
    expect((await client.post('/logout')).status).toBe(303);
    expect(client.cookies.has(PENDING_COOKIE)).toBe(false);
    const row = await app.db
      .selectFrom('pending_sign_ins')
      .select('id_hash')
      .where('id_hash', '=', hashToken(pending))
      .executeTakeFirst();
    expect(row).toBeUndefined();
  });

  it('lets a pending sign-in expire after 10 minutes', async () => {
    const user = await userWithApp(app);
    await user.client.post('/logout');

    const inTime = await pendingSignIn(app, user.email);
    await inTime.get('/login/2fa');
    app.clock.advance(10 * 60_000 - 1_000);
    const ok = await submitCode(inTime, 'totp', totpCodeAt(user.secret, app.clock.now()));
    expect(ok.status).toBe(303);
    expect(ok.location).toBe('/');
    expect(inTime.cookies.has(SESSION_COOKIE)).toBe(true);

    const tooLate = await pendingSignIn(app, user.email);
    await tooLate.get('/login/2fa');
    app.clock.advance(10 * 60_000 + 1_000);
    const refused = await submitCode(tooLate, 'totp', totpCodeAt(user.secret, app.clock.now()));
    expectSentToLogin(refused, 'code after 10 minutes');
    expect(tooLate.cookies.has(SESSION_COOKIE)).toBe(false);
    expectSentToLogin(await tooLate.get('/login/2fa'), 'challenge page after 10 minutes');
    expect(await sessionCount(app, user.userId)).toBe(1);
  });
});
