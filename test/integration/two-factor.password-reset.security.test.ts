/*
 * The password reset as a way around the second factor. Whoever controls the mailbox (or a
 * forwarded reset mail) must still not get past 2FA: Flask-Security signed people in after a
 * reset without their second factor (pallets-eco/flask-security#258), Devise does by default
 * (sign_in_after_reset_password, antiwork/gumroad#4065), and Lemmy and PyPI had the same hole
 * (LemmyNet/lemmy#3714, pypi/warehouse#5938). A reset for a person with 2FA never signs in,
 * ends their sessions and pending sign-ins, keeps every method and recovery code, and the
 * next log-in with the new password still stops at the second step.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../helpers/client.js';
import { textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn } from '../helpers/flows.js';
import type { CapturedMail } from '../helpers/mail-capture.js';
import { linkIn, pathOf } from '../helpers/mail-capture.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import {
  freshCode,
  newClient,
  PENDING_COOKIE,
  pendingSignIn,
  SESSION_COOKIE,
  sessionCount,
  setUpEmail,
  submitCode,
  userWithApp,
} from '../helpers/two-factor.js';

const NEW_PASSWORD = 'a completely new passphrase';

describe.each(DIALECTS)('two-factor and password reset (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  async function requestResetMail(email: string): Promise<CapturedMail> {
    const since = app.mail.messages.length;
    const page = await newClient(app).submit('/password/forgot', { email });
    expect(page.status).toBe(200);
    return app.mail.waitFor(email, /Reset your password/, { since });
  }

  async function useLink(client: Client, mail: CapturedMail) {
    const form = await client.get(pathOf(linkIn(mail, '/password/reset')));
    expect(form.status).toBe(200);
    const token = /name="token" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    return client.post('/password/reset', {
      token,
      new_password: NEW_PASSWORD,
      confirm_password: NEW_PASSWORD,
    });
  }

  async function secondFactors(userId: string) {
    const methods = await app.db
      .selectFrom('two_factor_methods')
      .select(['id', 'type', 'secret_encrypted', 'email', 'last_used_step'])
      .where('user_id', '=', userId)
      .orderBy('id')
      .execute();
    const recovery = await app.db
      .selectFrom('recovery_codes')
      .select(['code_hash', 'used_at'])
      .where('user_id', '=', userId)
      .orderBy('code_hash')
      .execute();
    return { methods, recovery };
  }

  it('does not sign in, keeps every method, and the next log-in still asks for the second factor', async () => {
    const user = await userWithApp(app);
    await setUpEmail(app, user.client, user.email);
    const before = await secondFactors(user.userId);
    expect(before.methods).toHaveLength(2);
    const pending = await pendingSignIn(app, user.email);
    await pending.get('/login/2fa');
    const mail = await requestResetMail(user.email);

    const browser = newClient(app);
    const done = await useLink(browser, mail);
    expect(done.status).toBe(303);
    expect(done.location).toBe('/login');
    expect(browser.cookies.has(SESSION_COOKIE)).toBe(false);
    expect(browser.cookies.has(PENDING_COOKIE)).toBe(false);
    expect((await browser.get('/profile')).location).toMatch(/^\/login/);

    // Every session and pending sign-in of the person ended; the methods stayed.
    expect(await sessionCount(app, user.userId)).toBe(0);
    expect((await user.client.get('/profile')).location).toMatch(/^\/login/);
    const late = await submitCode(pending, 'totp', freshCode(app, user.secret));
    expect(late.status).toBe(303);
    expect(late.location).toBe('/login');
    expect(pending.cookies.has(SESSION_COOKIE)).toBe(false);
    expect(await secondFactors(user.userId)).toEqual(before);

    const login = await logIn(browser, user.email, NEW_PASSWORD);
    expect(login.status).toBe(303);
    expect(login.location).toBe('/login/2fa');
    expect(browser.cookies.has(SESSION_COOKIE)).toBe(false);
    expect((await browser.get('/profile')).location).toMatch(/^\/login/);
    const challenge = await browser.get('/login/2fa');
    expect(textOf(challenge.body)).toContain('Two-Factor Authentication');
    const finished = await submitCode(browser, 'totp', freshCode(app, user.secret));
    expect(finished.status).toBe(303);
    expect(finished.location).toBe('/');
    expect((await browser.get('/profile')).status).toBe(200);
  });

  it('ends the session of the browser that uses the link and gives it no new one', async () => {
    const user = await userWithApp(app);
    const before = await secondFactors(user.userId);
    const mail = await requestResetMail(user.email);
    const oldSession = user.client.cookies.get(SESSION_COOKIE);
    expect(oldSession).toBeDefined();

    const done = await useLink(user.client, mail);
    expect(done.status).toBe(303);
    expect(done.location).toBe('/login');
    expect(user.client.cookies.has(SESSION_COOKIE)).toBe(false);
    expect(await sessionCount(app, user.userId)).toBe(0);
    expect(await secondFactors(user.userId)).toEqual(before);
    expect((await logIn(user.client, user.email, NEW_PASSWORD)).location).toBe('/login/2fa');
    expect(user.client.cookies.has(SESSION_COOKIE)).toBe(false);
  });
});
