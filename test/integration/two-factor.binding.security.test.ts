/*
 * A code used for something it was not made for. A code proves one thing: this person, this
 * purpose, this request. When products let a code cross over, a code for one context opened
 * another: Discourse's token for a deleted secondary address still reset passwords
 * (CVE-2021-37693), and single OTPs have been accepted for enabling, then signing in, then
 * disabling 2FA. Here a set-up code is refused at sign-in and a sign-in code at set-up, a code
 * from one pending sign-in is refused on another pending sign-in of the same person, and a
 * code from a change-of-address round is refused at set-up and at sign-in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, Page } from '../helpers/client.js';
import { textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { codeIn } from '../helpers/mail-capture.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import { totpCodeAt } from '../../src/two-factor/totp/totp.js';
import { logIn, PASSWORD, registerAndVerify } from '../helpers/flows.js';
import {
  confirmRemoval,
  auditCount,
  freshCode,
  hiddenValue,
  mailedSignInCode,
  newClient,
  nextStep,
  pendingSignIn,
  savePolicy,
  SESSION_COOKIE,
  sessionCount,
  setUpEmail,
  setupKeyOf,
  signedInUser,
  submitCode,
  TEST_META,
  userWithApp,
} from '../helpers/two-factor.js';

const NOT_CORRECT = 'That code is not correct.';
const RESEND_WAIT_MS = 61_000;

describe.each(DIALECTS)('two-factor code binding (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  /** Starts an email set-up on Your 2FA; returns the page and the mailed code. */
  async function startEmailSetup(
    client: Client,
    email: string,
  ): Promise<{ page: Page; code: string }> {
    await client.get('/profile/2fa/email/new');
    const since = app.mail.messages.length;
    const page = await client.post('/profile/2fa/email/new', {
      action: 'send',
      name: 'Work mail',
      email,
    });
    expect(page.status).toBe(200);
    return { page, code: codeIn(await app.mail.waitFor(email, /verification code/, { since })) };
  }

  function finishEmailSetup(client: Client, page: Page, email: string, code: string) {
    return client.post('/profile/2fa/email/new', {
      action: 'create',
      setup_id: hiddenValue(page, 'setup_id'),
      name: 'Work mail',
      email,
      code,
    });
  }

  /** Starts a change of address of the email method; returns the page and the mailed code. */
  async function startAddressChange(
    client: Client,
    email: string,
  ): Promise<{ page: Page; code: string }> {
    await client.get('/profile/2fa/email/edit');
    const since = app.mail.messages.length;
    const page = await client.post('/profile/2fa/email/edit', { action: 'change', email });
    expect(page.status).toBe(200);
    return { page, code: codeIn(await app.mail.waitFor(email, /verification code/, { since })) };
  }

  async function methodEmails(userId: string): Promise<Array<string | null>> {
    const rows = await app.db
      .selectFrom('two_factor_methods')
      .select('email')
      .where('user_id', '=', userId)
      .where('type', '=', 'email')
      .execute();
    return rows.map((r) => r.email);
  }

  it('refuses a set-up code at sign-in', async () => {
    const user = await userWithApp(app);
    const setup = await startEmailSetup(user.client, user.email);
    // Meanwhile the account gets email authentication some other way (another browser
    // finishing a set-up), so the sign-in page accepts email codes at all.
    const row = await app.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', user.userId)
      .executeTakeFirstOrThrow();
    const added = await app.services.twoFactor.methods.add(
      row,
      { type: 'email', name: 'Other mail', email: user.email },
      TEST_META,
    );
    expect(added.ok).toBe(true);

    const client = await pendingSignIn(app, user.email);
    await client.get('/login/2fa?method=email');
    const refused = await submitCode(client, 'email', setup.code);
    expect(refused.status).toBe(422);
    expect(textOf(refused.body)).toContain(NOT_CORRECT);
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);

    // A real sign-in code on the same pending sign-in works: the refusal was about the code.
    app.clock.advance(RESEND_WAIT_MS);
    const code = await mailedSignInCode(app, client, user.email);
    const ok = await submitCode(client, 'email', code);
    expect(ok.status).toBe(303);
    expect(ok.location).toBe('/');
  });

  it('refuses a sign-in code at set-up', async () => {
    const user = await userWithApp(app);
    await setUpEmail(app, user.client, user.email);
    app.clock.advance(RESEND_WAIT_MS);
    const client = await pendingSignIn(app, user.email);
    const signInCode = await mailedSignInCode(app, client, user.email);

    // The owner removes email authentication and sets it up again while that code is live.
    expect((await confirmRemoval(user.client, '/profile/2fa/email/remove')).status).toBe(303);
    app.clock.advance(RESEND_WAIT_MS);
    const setup = await startEmailSetup(user.client, user.email);
    const refused = await finishEmailSetup(user.client, setup.page, user.email, signInCode);
    expect(refused.status).toBe(422);
    expect(textOf(refused.body)).toContain(NOT_CORRECT);
    expect(await methodEmails(user.userId)).toEqual([]);

    const ok = await finishEmailSetup(user.client, setup.page, user.email, setup.code);
    expect(ok.status).toBe(303);
    expect(await methodEmails(user.userId)).toEqual([user.email]);
  });

  it('refuses the code of one pending sign-in on another pending sign-in of the same person', async () => {
    const user = await userWithApp(app);
    await setUpEmail(app, user.client, user.email);
    app.clock.advance(RESEND_WAIT_MS);

    const a = await pendingSignIn(app, user.email);
    const b = await pendingSignIn(app, user.email);
    const codeOfA = await mailedSignInCode(app, a, user.email);
    await b.get('/login/2fa?method=email');
    const refused = await submitCode(b, 'email', codeOfA);
    expect(refused.status).toBe(422);
    expect(textOf(refused.body)).toContain(NOT_CORRECT);
    expect(b.cookies.has(SESSION_COOKIE)).toBe(false);

    const ok = await submitCode(a, 'email', codeOfA);
    expect(ok.status).toBe(303);
    expect(ok.location).toBe('/');
    expect(b.cookies.has(SESSION_COOKIE)).toBe(false);
    expect(await sessionCount(app, user.userId)).toBe(2);
  });

  it('refuses a change-of-address code at sign-in and at set-up', async () => {
    const user = await userWithApp(app);
    await setUpEmail(app, user.client, user.email);
    app.clock.advance(RESEND_WAIT_MS);
    const newAddress = `new.${user.email}`;
    const change = await startAddressChange(user.client, newAddress);

    const client = await pendingSignIn(app, user.email);
    await client.get('/login/2fa?method=email');
    const atSignIn = await submitCode(client, 'email', change.code);
    expect(atSignIn.status).toBe(422);
    expect(textOf(atSignIn.body)).toContain(NOT_CORRECT);
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);

    // Email authentication is removed and set up again for the new address.
    expect((await confirmRemoval(user.client, '/profile/2fa/email/remove')).status).toBe(303);
    app.clock.advance(RESEND_WAIT_MS);
    const setup = await startEmailSetup(user.client, newAddress);
    const atSetup = await finishEmailSetup(user.client, setup.page, newAddress, change.code);
    expect(atSetup.status).toBe(422);
    expect(textOf(atSetup.body)).toContain(NOT_CORRECT);
    expect(await methodEmails(user.userId)).toEqual([]);

    const ok = await finishEmailSetup(user.client, setup.page, newAddress, setup.code);
    expect(ok.status).toBe(303);
    expect(await methodEmails(user.userId)).toEqual([newAddress]);
  });

  /** Posts an app set-up page's form with the code of `secret` now (`base`: where it is). */
  function finishApp(client: Client, page: Page, secret: string, base = '/profile/2fa') {
    return client.post(`${base}/app/new`, {
      setup_id: hiddenValue(page, 'setup_id'),
      name: 'My phone',
      code: totpCodeAt(secret, app.clock.now()),
    });
  }

  it('checks a log-in page’s code only against the log-in it was shown for, not one that replaced it', async () => {
    // One browser, two tabs: Dana logs in, then Zoë in the other tab, which replaces the
    // browser's pending log-in. Dana's right code typed into her tab is checked against nothing,
    // and counts as no failure of Zoë's.
    const dana = await userWithApp(app);
    const zoe = await userWithApp(app);
    const browser = await pendingSignIn(app, dana.email);
    const danasPage = await browser.get('/login/2fa');
    const danasTag = hiddenValue(danasPage, 'signin');
    expect(danasTag).toMatch(/^[\w-]{22}$/);
    expect((await logIn(browser, zoe.email)).location).toBe('/login/2fa');
    const zoesTag = hiddenValue(await browser.get('/login/2fa'), 'signin');
    expect(zoesTag).not.toBe(danasTag);

    const failuresBefore = await auditCount(app, 'two_factor.challenge_failed', zoe.userId);
    const danasCode = freshCode(app, dana.secret);
    const answer = await browser.post('/login/2fa', {
      method: 'totp',
      code: danasCode,
      signin: danasTag,
    });
    expect(answer.status).toBe(303);
    expect(answer.location).toBe('/login/2fa');
    // The page says whose log-in is in progress, so Dana's code is not typed into it again.
    const { name: zoeName } = await app.db
      .selectFrom('users')
      .select('name')
      .where('id', '=', zoe.userId)
      .executeTakeFirstOrThrow();
    expect(textOf((await browser.follow(answer)).body)).toContain(
      `This browser started another log-in after that page was opened, so nothing was checked. This page is now for the log-in of ${zoeName}:`,
    );
    // Asking for an email code, and Cancel, from Dana's page leave Zoë's log-in alone too.
    const send = await browser.post('/login/2fa/send', { signin: danasTag });
    expect(send.location).toBe('/login/2fa');
    const cancel = await browser.post('/login/2fa/cancel', { signin: danasTag });
    expect(cancel.location).toBe('/login/2fa');
    expect((await browser.get('/login/2fa')).status).toBe(200);
    expect(await auditCount(app, 'two_factor.challenge_failed', zoe.userId)).toBe(failuresBefore);
    expect(browser.cookies.has(SESSION_COOKIE)).toBe(false);

    // Zoë's own page goes on as before.
    const zoes = await browser.post('/login/2fa', {
      method: 'totp',
      code: freshCode(app, zoe.secret),
      signin: zoesTag,
    });
    expect(zoes.location).toBe('/');
    expect(browser.cookies.has(SESSION_COOKIE)).toBe(true);
  });

  /*
   * A set-up belongs to the browser that started it. Someone who has only the password gets a
   * pending sign-in that may set up a first method when 2FA is required; were the secret of
   * that set-up the person's, shown again to whoever asks, the owner would later scan the
   * stranger's secret, and the stranger would hold a working second factor.
   */
  it('keeps an app set-up and its secret to the session or pending sign-in that started it', async () => {
    await savePolicy(app, { require: 'all' });
    try {
      const ownerClient = newClient(app);
      const owner = { client: ownerClient, ...(await registerAndVerify(app, ownerClient)) };

      const stranger = newClient(app);
      expect((await logIn(stranger, owner.email)).location).toBe('/login/2fa/setup');
      const seen = await stranger.get('/login/2fa/setup/app/new');
      const strangerSecret = setupKeyOf(seen);

      expect((await logIn(owner.client, owner.email)).location).toBe('/login/2fa/setup');
      const ownPage = await owner.client.get('/login/2fa/setup/app/new');
      const ownSecret = setupKeyOf(ownPage);
      expect(ownSecret).not.toBe(strangerSecret);
      // The stranger's set-up id, with a right code for the stranger's secret, from the owner's
      // browser: not theirs to finish.
      const crossed = await finishApp(owner.client, seen, strangerSecret, '/login/2fa/setup');
      expect(crossed.status).toBe(422);
      expect(await methodCount(owner.userId)).toBe(0);
      // Shown again with the errors: the owner's own secret, not the stranger's.
      expect(setupKeyOf(crossed)).toBe(ownSecret);

      const done = await finishApp(owner.client, ownPage, ownSecret, '/login/2fa/setup');
      expect(done.status).toBe(303);
      expect(owner.client.cookies.has(SESSION_COOKIE)).toBe(true);

      // The stranger's secret opens nothing.
      nextStep(app);
      const later = await pendingSignIn(app, owner.email);
      const refused = await submitCode(later, 'totp', totpCodeAt(strangerSecret, app.clock.now()));
      expect(refused.status).toBe(422);
      expect(later.cookies.has(SESSION_COOKIE)).toBe(false);
    } finally {
      await savePolicy(app, {});
    }
  });

  it('shows another signed-in session of the same person a secret of its own', async () => {
    const first = await signedInUser(app);
    const second = newClient(app);
    await logIn(second, first.email);
    const one = await first.client.get('/profile/2fa/app/new');
    const other = await second.get('/profile/2fa/app/new');
    expect(setupKeyOf(other)).not.toBe(setupKeyOf(one));
    // Reloading shows the same secret again in the same session (it may be scanned already).
    expect(setupKeyOf(await first.client.get('/profile/2fa/app/new'))).toBe(setupKeyOf(one));
    // Starting in the second session did not end the first one's set-up.
    const secret = setupKeyOf(one);
    const done = await finishApp(first.client, one, secret);
    expect(done.status).toBe(303);
    expect(await methodCount(first.userId)).toBe(1);
  });

  it('keeps a set-up through a step-up in the same browser, which gives the session a new id', async () => {
    const user = await signedInUser(app);
    const page = await user.client.get('/profile/2fa/app/new');
    const secret = setupKeyOf(page);
    app.clock.advance(11 * 60_000);
    await user.client.get('/reauth?next=%2Fprofile%2F2fa%2Fapp%2Fnew');
    const reauth = await user.client.post('/reauth', {
      password: PASSWORD,
      next: '/profile/2fa/app/new',
    });
    expect(reauth.status).toBe(303);
    expect(setupKeyOf(await user.client.get('/profile/2fa/app/new'))).toBe(secret);
    const done = await finishApp(user.client, page, secret);
    expect(done.status).toBe(303);
    expect(await methodCount(user.userId)).toBe(1);
  });

  async function methodCount(userId: string): Promise<number> {
    const rows = await app.db
      .selectFrom('two_factor_methods')
      .select('id')
      .where('user_id', '=', userId)
      .execute();
    return rows.length;
  }
});
