/*
 * Trusted devices ("Remember this device for 30 days", SPEC §2.6 and §3). A remembered
 * browser may skip the second step of a log-in, so its token is a credential: only its hash
 * is stored; it works only with the right password, for its own user, for 30 days; never for
 * a step-up, an administrator or a locked second factor; and it is forgotten on request, on a
 * password change or reset, on an administrator's reset and when the last method goes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findUserById } from '../../src/accounts/users.js';
import { DAY_MS } from '../../src/clock.js';
import { hashToken } from '../../src/security/tokens.js';
import type { Client } from '../helpers/client.js';
import { textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, PASSWORD } from '../helpers/flows.js';
import { linkIn, pathOf } from '../helpers/mail-capture.js';
import { signedInAdmin } from '../helpers/admin.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import {
  auditCount,
  freshCode,
  newClient,
  SESSION_COOKIE,
  TEST_META,
  userWithApp,
  wrongCode,
} from '../helpers/two-factor.js';

const DEVICE_COOKIE = 'portico_device';

describe.each(DIALECTS)('trusted devices (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  /** Password, then a code from the app, with "Remember this device" ticked or not. */
  async function signInWithCode(client: Client, email: string, secret: string, remember: boolean) {
    const login = await logIn(client, email);
    expect(login.location).toBe('/login/2fa');
    const challenge = await client.get('/login/2fa');
    expect(textOf(challenge.body)).toContain('Remember this device for 30 days');
    return client.post('/login/2fa', {
      method: 'totp',
      code: freshCode(app, secret),
      ...(remember ? { remember: '1' } : {}),
    });
  }

  /** A user with the app whose browser `client` was remembered at the last sign-in. */
  async function rememberedUser() {
    const user = await userWithApp(app);
    const client = newClient(app);
    const done = await signInWithCode(client, user.email, user.secret, true);
    expect(done.status).toBe(303);
    expect(done.location).toBe('/');
    expect(client.cookies.has(DEVICE_COOKIE)).toBe(true);
    await client.post('/logout');
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
    return { ...user, client };
  }

  async function devicesOf(userId: string) {
    return app.db.selectFrom('trusted_devices').selectAll().where('user_id', '=', userId).execute();
  }

  it('remembers a browser only when asked, with a 30-day cookie and only its hash stored', async () => {
    const user = await userWithApp(app);
    const plain = newClient(app);
    expect((await signInWithCode(plain, user.email, user.secret, false)).location).toBe('/');
    expect(plain.cookies.has(DEVICE_COOKIE)).toBe(false);
    expect(await devicesOf(user.userId)).toHaveLength(0);

    const client = newClient(app);
    const done = await signInWithCode(client, user.email, user.secret, true);
    const cookie = String(done.headers['set-cookie'])
      .split(/,(?=\s*\w+=)/)
      .find((c) => c.trim().startsWith(`${DEVICE_COOKIE}=`));
    expect(cookie).toMatch(/Max-Age=2592000/);
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
    const token = client.cookies.get(DEVICE_COOKIE) ?? '';
    const [device] = await devicesOf(user.userId);
    expect(device?.token_hash).toBe(hashToken(token));
    expect(JSON.stringify(await devicesOf(user.userId))).not.toContain(token);
    expect(device?.expires_at).toBe(app.clock.now() + 30 * DAY_MS);
    expect(await auditCount(app, 'two_factor.device_trusted', user.userId)).toBe(1);
  });

  it('keeps "Remember this device" as it was ticked when a code is refused', async () => {
    const user = await userWithApp(app);
    const client = newClient(app);
    await logIn(client, user.email);
    await client.get('/login/2fa');
    const box = (page: { body: string }) =>
      /<input[^>]*id="remember-totp"[^>]*>/.exec(page.body)?.[0] ?? '';
    const ticked = await client.post('/login/2fa', {
      method: 'totp',
      code: wrongCode(app, user.secret),
      remember: '1',
    });
    expect(ticked.status).toBe(422);
    expect(box(ticked)).toMatch(/\bchecked\b/);
    const unticked = await client.post('/login/2fa', {
      method: 'totp',
      code: wrongCode(app, user.secret),
    });
    expect(box(unticked)).not.toBe('');
    expect(box(unticked)).not.toMatch(/\bchecked\b/);
  });

  it('lets the remembered browser skip the second step, with the right password only', async () => {
    const user = await rememberedUser();
    const wrong = await user.client.submit('/login', {
      email: user.email,
      password: 'not the password at all',
    });
    expect(wrong.status).toBe(401);
    expect(user.client.cookies.has(SESSION_COOKIE)).toBe(false);

    app.clock.advance(60_000);
    const login = await logIn(user.client, user.email);
    expect(login.status).toBe(303);
    expect(login.location).toBe('/');
    expect(user.client.cookies.has(SESSION_COOKIE)).toBe(true);
    const succeeded = await app.db
      .selectFrom('audit_events')
      .select('details')
      .where('event', '=', 'sign_in.succeeded')
      .where('actor_user_id', '=', user.userId)
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(succeeded.details ?? '{}')).toEqual({ method: 'trusted_device' });
    const [device] = await devicesOf(user.userId);
    expect(device?.last_used_at).toBe(app.clock.now());
  });

  it('is worth nothing for another account or after 30 days', async () => {
    const user = await rememberedUser();
    const other = await userWithApp(app);
    const borrowed = newClient(app);
    borrowed.cookies.set(DEVICE_COOKIE, user.client.cookies.get(DEVICE_COOKIE) ?? '');
    expect((await logIn(borrowed, other.email)).location).toBe('/login/2fa');

    app.clock.advance(30 * DAY_MS + 60_000);
    expect((await logIn(user.client, user.email)).location).toBe('/login/2fa');
    expect(await app.services.twoFactor.trustedDevices.list(user.userId)).toHaveLength(0);
  });

  /*
   * An account is disabled when it is feared lost; enabled again, a browser remembered before
   * must not skip the second step that might be all that stands between it and a stranger.
   */
  it('forgets the remembered browsers of a disabled account', async () => {
    const user = await rememberedUser();
    const admin = await userWithApp(app);
    const actor = { actorUserId: admin.userId };
    expect((await app.services.admin.accounts.disable(user.userId, actor)).ok).toBe(true);
    expect(await devicesOf(user.userId)).toHaveLength(0);
    expect((await app.services.admin.accounts.enable(user.userId, actor)).ok).toBe(true);
    expect((await logIn(user.client, user.email)).location).toBe('/login/2fa');
  });

  /** The account as it stands, as the second step reads it. */
  async function userNow(userId: string) {
    const user = await findUserById(app.db, userId);
    if (!user) throw new Error(`no user ${userId}`);
    return user;
  }

  it('remembers no browser for an account disabled or given a new password since its second step', async () => {
    // The step's own commit, then a disable or a reset from elsewhere, then "remember": the
    // account as the step read it is not the account any more.
    const admin = await userWithApp(app);
    const actor = { actorUserId: admin.userId };
    const { trustedDevices } = app.services.twoFactor;
    const disabled = await userWithApp(app);
    const asRead = await userNow(disabled.userId);
    expect((await app.services.admin.accounts.disable(disabled.userId, actor)).ok).toBe(true);
    expect(await trustedDevices.remember(asRead, TEST_META)).toBeNull();
    expect((await app.services.admin.accounts.enable(disabled.userId, actor)).ok).toBe(true);
    expect(await devicesOf(disabled.userId)).toHaveLength(0);

    const reset = await userWithApp(app);
    const before = await userNow(reset.userId);
    await app.db
      .updateTable('users')
      .set({ credential_version: before.credential_version + 1 })
      .where('id', '=', reset.userId)
      .execute();
    expect(await trustedDevices.remember(before, TEST_META)).toBeNull();
    expect(await devicesOf(reset.userId)).toHaveLength(0);
    // As it stands now: remembered.
    const now = await userNow(reset.userId);
    expect(await trustedDevices.remember(now, TEST_META)).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await devicesOf(reset.userId)).toHaveLength(1);
  });

  it('never skips a step-up, and a forged or unknown token counts for nothing', async () => {
    const user = await rememberedUser();
    const forged = newClient(app);
    forged.cookies.set(DEVICE_COOKIE, 'A'.repeat(43));
    expect((await logIn(forged, user.email)).location).toBe('/login/2fa');

    expect((await logIn(user.client, user.email)).location).toBe('/');
    app.clock.advance(11 * 60_000);
    const reauth = await user.client.submit('/reauth', {
      password: PASSWORD,
      next: '/profile/2fa',
    });
    expect(reauth.location).toMatch(/^\/reauth\/2fa/);
    const stepUp = await user.client.get('/reauth/2fa');
    expect(textOf(stepUp.body)).not.toContain('Remember this device');
  });

  it('is not a recent sign-in: right after it, a change to 2FA still asks for the second factor', async () => {
    const user = await rememberedUser();
    expect((await logIn(user.client, user.email)).location).toBe('/');
    const methodsBefore = await app.services.twoFactor.methods.list(user.userId);
    for (const [back, attempt] of [
      ['/profile/2fa/recovery-codes/new', () => user.client.post('/profile/2fa/recovery-codes')],
      ['/profile/2fa/app/remove', () => user.client.post('/profile/2fa/app/remove')],
      ['/profile/2fa/app/edit', () => user.client.post('/profile/2fa/app/edit', { name: 'X' })],
    ] as const) {
      const page = await attempt();
      expect(page.status, back).toBe(303);
      expect(page.location, back).toBe(
        `/reauth?next=${encodeURIComponent(back)}&cancel=%2Fprofile%2F2fa`,
      );
    }
    expect(await app.services.twoFactor.methods.list(user.userId)).toEqual(methodsBefore);

    // The step-up asks for the password and then the second factor, and then the change goes.
    const reauth = await user.client.submit('/reauth', {
      password: PASSWORD,
      next: '/profile/2fa/recovery-codes/new',
    });
    expect(reauth.location).toMatch(/^\/reauth\/2fa/);
    const confirmed = await user.client.post('/reauth/2fa', {
      method: 'totp',
      code: freshCode(app, user.secret),
    });
    expect(confirmed.status).toBe(303);
    expect((await user.client.post('/profile/2fa/recovery-codes')).location).toBe(
      '/profile/2fa/recovery-codes',
    );
  });

  it('does not count as a second factor for the admin console', async () => {
    const user = await rememberedUser();
    expect((await logIn(user.client, user.email)).location).toBe('/');
    await app.db.updateTable('users').set({ is_admin: 1 }).where('id', '=', user.userId).execute();
    const console = await user.client.get('/admin');
    expect(console.status).toBe(303);
    expect(console.location).toBe(`/reauth?next=${encodeURIComponent('/admin')}&cancel=%2F`);
  });

  it('does not skip a locked second factor', async () => {
    const user = await rememberedUser();
    for (let i = 0; i < 2; i++) {
      const client = newClient(app);
      await logIn(client, user.email);
      for (let j = 0; j < 5; j++) {
        await client.post('/login/2fa', { method: 'totp', code: wrongCode(app, user.secret) });
      }
    }
    const login = await logIn(user.client, user.email);
    expect(login.location).toBe('/login/2fa');
  });

  it('is listed under Your 2FA and can be forgotten one by one or all at once', async () => {
    const user = await rememberedUser();
    const second = newClient(app);
    second.userAgent =
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0';
    await signInWithCode(second, user.email, user.secret, true);
    const page = await second.get('/profile/2fa');
    const text = textOf(page.body);
    expect(text).toContain('Trusted devices');
    expect(text).toContain('Firefox on Windows');
    expect(text).toContain('this browser');
    const devices = await devicesOf(user.userId);
    expect(devices).toHaveLength(2);
    const first = devices.find(
      (d) => d.token_hash === hashToken(user.client.cookies.get(DEVICE_COOKIE) ?? ''),
    );

    // Another account cannot forget it; an odd id is no device.
    const stranger = await userWithApp(app);
    expect((await stranger.client.post(`/profile/2fa/devices/${first?.id}/forget`)).status).toBe(
      404,
    );
    expect((await second.post('/profile/2fa/devices/not-an-id/forget')).status).toBe(404);

    const forgot = await second.post(`/profile/2fa/devices/${first?.id}/forget`);
    expect(forgot.location).toBe('/profile/2fa');
    expect(await devicesOf(user.userId)).toHaveLength(1);
    expect((await logIn(user.client, user.email)).location).toBe('/login/2fa');
    // Forgetting another browser leaves this one's cookie alone.
    expect(second.cookies.has(DEVICE_COOKIE)).toBe(true);

    const all = await second.post('/profile/2fa/devices/forget-all');
    expect(all.location).toBe('/profile/2fa');
    expect(second.cookies.has(DEVICE_COOKIE)).toBe(false);
    expect(await devicesOf(user.userId)).toHaveLength(0);
    expect(await auditCount(app, 'two_factor.device_forgotten', user.userId)).toBe(2);
  });

  it('clears the cookie of the browser that forgets itself', async () => {
    const user = await rememberedUser();
    expect((await logIn(user.client, user.email)).location).toBe('/');
    const [device] = await devicesOf(user.userId);
    await user.client.get('/profile/2fa');
    const forgot = await user.client.post(`/profile/2fa/devices/${device?.id}/forget`);
    expect(forgot.location).toBe('/profile/2fa');
    expect(user.client.cookies.has(DEVICE_COOKIE)).toBe(false);
    expect(await devicesOf(user.userId)).toHaveLength(0);
  });

  it('is forgotten when the password changes or is reset, and by an administrator’s reset', async () => {
    const changed = await rememberedUser();
    const session = newClient(app);
    await signInWithCode(session, changed.email, changed.secret, false);
    const newPassword = 'another long passphrase';
    const change = await session.submit('/profile/password', {
      current_password: PASSWORD,
      new_password: newPassword,
      confirm_password: newPassword,
    });
    expect(change.status).toBe(303);
    expect(await devicesOf(changed.userId)).toHaveLength(0);

    const reset = await rememberedUser();
    const since = app.mail.messages.length;
    await newClient(app).submit('/password/forgot', { email: reset.email });
    const mail = await app.mail.waitFor(reset.email, /Reset your password/, { since });
    const form = await reset.client.get(pathOf(linkIn(mail, '/password/reset')));
    const token = /name="token" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    const done = await reset.client.post('/password/reset', {
      token,
      new_password: newPassword,
      confirm_password: newPassword,
    });
    expect(done.status).toBeLessThan(400);
    expect(await devicesOf(reset.userId)).toHaveLength(0);
    expect((await logIn(reset.client, reset.email, newPassword)).location).toBe('/login/2fa');

    const byAdmin = await rememberedUser();
    const admin = await signedInAdmin(app);
    const outcome = await app.services.twoFactor.resetTwoFactor(
      byAdmin.userId,
      {
        actorUserId: admin.userId,
        meta: TEST_META,
      },
      { administrators: true },
    );
    expect(outcome).toBe('reset');
    expect(await devicesOf(byAdmin.userId)).toHaveLength(0);
  });

  it('is never offered to or honoured for an administrator', async () => {
    const admin = await signedInAdmin(app);
    const client = newClient(app);
    await logIn(client, admin.email);
    const challenge = await client.get('/login/2fa');
    expect(textOf(challenge.body)).not.toContain('Remember this device');
    const done = await client.post('/login/2fa', {
      method: 'totp',
      code: freshCode(app, admin.secret),
      remember: '1',
    });
    expect(done.location).toBe('/');
    expect(client.cookies.has(DEVICE_COOKIE)).toBe(false);
    expect(await devicesOf(admin.userId)).toHaveLength(0);
  });
});
