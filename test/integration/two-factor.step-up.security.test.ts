/*
 * Changing the second factor from a session left open. Whoever finds a signed-in browser, or
 * steals its cookie, must not be able to add their own authenticator, rename or remove the
 * owner's, or print fresh recovery codes: Zimbra had to start requiring authentication for 2FA
 * changes (CVE-2025-54391), Firefox Accounts let 2FA be disabled without a code (mozilla/fxa
 * #6055). SPEC §4: these need a sign-in, password and second factor, from the last 10
 * minutes. Older sessions are sent to /reauth; for a person with 2FA the password alone
 * leaves the step-up pending; after the second factor the action works under a new session id.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client } from '../helpers/client.js';
import { textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, PASSWORD } from '../helpers/flows.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import {
  confirmRemoval,
  freshCode,
  mailedSignInCode,
  newClient,
  PENDING_COOKIE,
  RECOVERY_CODES_PAGE,
  recoveryCodesOf,
  SESSION_COOKIE,
  setUpEmail,
  submitCode,
  userWithApp,
  wrongCode,
} from '../helpers/two-factor.js';

const ELEVEN_MINUTES = 11 * 60_000;

describe.each(DIALECTS)('two-factor step-up (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  /** What the methods and recovery codes look like, to see that nothing changed. */
  async function secondFactorState(userId: string) {
    const methods = await app.db
      .selectFrom('two_factor_methods')
      .select(['id', 'type', 'name', 'email'])
      .where('user_id', '=', userId)
      .orderBy('id')
      .execute();
    const recovery = await app.db
      .selectFrom('recovery_codes')
      .select(['code_hash', 'used_at'])
      .where('user_id', '=', userId)
      .orderBy('code_hash')
      .execute();
    const setups = await app.db
      .selectFrom('two_factor_setups')
      .select('id')
      .where('user_id', '=', userId)
      .execute();
    return { methods, recovery, setups: setups.length };
  }

  function expectStepUp(page: { status: number; location: string | undefined }, back: string) {
    expect(page.status, back).toBe(303);
    // Cancel leads to Your 2FA, not back to the page that would ask again.
    const cancel = back === '/profile/2fa' ? '' : '&cancel=%2Fprofile%2F2fa';
    expect(page.location, back).toBe(`/reauth?next=${encodeURIComponent(back)}${cancel}`);
  }

  /** A user with the app and email authentication whose last sign-in is 11 minutes old. */
  async function staleUser() {
    const user = await userWithApp(app);
    await setUpEmail(app, user.client, user.email);
    app.clock.advance(ELEVEN_MINUTES);
    await user.client.get('/profile/2fa');
    return user;
  }

  async function attemptEveryChange(client: Client) {
    const attempts: Array<[string, () => Promise<{ status: number; location?: string }>]> = [
      ['/profile/2fa/app/new', () => client.get('/profile/2fa/app/new')],
      [
        '/profile/2fa/app/new',
        () => client.post('/profile/2fa/app/new', { setup_id: 'x', name: 'New', code: '123456' }),
      ],
      ['/profile/2fa/email/new', () => client.get('/profile/2fa/email/new')],
      [
        '/profile/2fa/email/new',
        () =>
          client.post('/profile/2fa/email/new', {
            action: 'send',
            name: 'Other',
            email: 'someone.else@example.net',
          }),
      ],
      ['/profile/2fa/app/edit', () => client.get('/profile/2fa/app/edit')],
      ['/profile/2fa/app/edit', () => client.post('/profile/2fa/app/edit', { name: 'Renamed' })],
      [
        '/profile/2fa/email/edit',
        () => client.post('/profile/2fa/email/edit', { action: 'rename', name: 'Renamed' }),
      ],
      [
        '/profile/2fa/email/edit',
        () =>
          client.post('/profile/2fa/email/edit', {
            action: 'change',
            email: 'someone.else@example.net',
          }),
      ],
      ['/profile/2fa/app/remove', () => client.get('/profile/2fa/app/remove')],
      ['/profile/2fa/app/remove', () => client.post('/profile/2fa/app/remove')],
      ['/profile/2fa/email/remove', () => client.post('/profile/2fa/email/remove')],
      ['/profile/2fa/recovery-codes/new', () => client.get('/profile/2fa/recovery-codes/new')],
      ['/profile/2fa/recovery-codes/new', () => client.post('/profile/2fa/recovery-codes')],
    ];
    for (const [back, attempt] of attempts) {
      const page = await attempt();
      expectStepUp({ status: page.status, location: page.location }, back);
    }
  }

  it('sends every change to the second factor to /reauth when the sign-in is older than 10 minutes', async () => {
    const user = await staleUser();
    const before = await secondFactorState(user.userId);
    await app.services.postman.drain();
    const mails = app.mail.messages.length;
    await attemptEveryChange(user.client);
    expect(await secondFactorState(user.userId)).toEqual(before);
    await app.services.postman.drain();
    expect(app.mail.messages.length).toBe(mails);
    // Looking is fine: the overview is not a change.
    expect((await user.client.get('/profile/2fa')).status).toBe(200);
  });

  it('sends a password change to /reauth when the sign-in is older than 10 minutes, changing nothing', async () => {
    const user = await staleUser();
    const changed = await user.client.post('/profile/password', {
      current_password: PASSWORD,
      new_password: 'a brand new passphrase',
      confirm_password: 'a brand new passphrase',
    });
    expect(changed.status).toBe(303);
    expect(changed.location).toBe('/reauth?next=%2Fprofile%2Fpassword&cancel=%2Fprofile');
    expect((await logIn(newClient(app), user.email)).location).toBe('/login/2fa');
  });

  it('needs the second factor as well as the password to step up, then allows the change under a new session id', async () => {
    const user = await staleUser();
    const before = await secondFactorState(user.userId);
    const oldSession = user.client.cookies.get(SESSION_COOKIE) ?? '';
    const authenticatedAt = await app.db
      .selectFrom('sessions')
      .select('authenticated_at')
      .where('user_id', '=', user.userId)
      .executeTakeFirstOrThrow();

    await user.client.get('/reauth?next=%2Fprofile%2F2fa%2Fapp%2Fedit');
    const password = await user.client.post('/reauth', {
      password: PASSWORD,
      next: '/profile/2fa/app/edit',
    });
    expect(password.status).toBe(303);
    expect(password.location).toBe('/reauth/2fa?next=%2Fprofile%2F2fa%2Fapp%2Fedit');
    expect(user.client.cookies.has(PENDING_COOKIE)).toBe(true);

    // The password alone changed nothing: same session, same age, still sent to /reauth.
    expect(user.client.cookies.get(SESSION_COOKIE)).toBe(oldSession);
    expect(
      await app.db
        .selectFrom('sessions')
        .select('authenticated_at')
        .where('user_id', '=', user.userId)
        .executeTakeFirstOrThrow(),
    ).toEqual(authenticatedAt);
    await attemptEveryChange(user.client);
    expect(await secondFactorState(user.userId)).toEqual(before);

    const challenge = await user.client.get('/reauth/2fa?next=%2Fprofile%2F2fa%2Fapp%2Fedit');
    expect(challenge.status).toBe(200);
    const done = await user.client.post('/reauth/2fa', {
      method: 'totp',
      code: freshCode(app, user.secret),
      next: '/profile/2fa/app/edit',
    });
    expect(done.status).toBe(303);
    expect(done.location).toBe('/profile/2fa/app/edit');
    const newSession = user.client.cookies.get(SESSION_COOKIE) ?? '';
    expect(newSession).not.toBe('');
    expect(newSession).not.toBe(oldSession);

    // The old cookie is dead; the new one may change things.
    const stale = newClient(app);
    stale.cookies.set(SESSION_COOKIE, oldSession);
    expect((await stale.get('/profile')).location).toMatch(/^\/login/);

    await user.client.get('/profile/2fa/app/edit');
    const renamed = await user.client.post('/profile/2fa/app/edit', { name: 'Renamed phone' });
    expect(renamed.status).toBe(303);
    expect(renamed.location).toBe('/profile/2fa');
    const question = await user.client.get('/profile/2fa/recovery-codes/new');
    expect(textOf(question.body)).toContain('Generate new recovery codes?');
    const posted = await user.client.post('/profile/2fa/recovery-codes');
    expect(posted.location).toBe(RECOVERY_CODES_PAGE);
    const regenerated = await user.client.follow(posted);
    expect(regenerated.status).toBe(200);
    expect(recoveryCodesOf(regenerated)).toHaveLength(10);
    const removed = await confirmRemoval(user.client, '/profile/2fa/email/remove');
    expect(removed.status).toBe(303);
    const after = await secondFactorState(user.userId);
    expect(after.methods.map((m) => [m.type, m.name])).toEqual([['totp', 'Renamed phone']]);
    expect(after.recovery).not.toEqual(before.recovery);
  });

  it('mails that a recovery code confirmed the person, not that it logged in', async () => {
    const user = await userWithApp(app);
    app.clock.advance(ELEVEN_MINUTES);
    await user.client.get('/reauth');
    const password = await user.client.post('/reauth', {
      password: PASSWORD,
      next: '/profile/2fa/app/edit',
    });
    expect(password.location).toMatch(/^\/reauth\/2fa/);
    await user.client.get('/reauth/2fa');
    const since = app.mail.messages.length;
    const done = await user.client.post('/reauth/2fa', {
      method: 'recovery',
      code: user.recoveryCodes[0] ?? '',
      next: '/profile/2fa/app/edit',
    });
    expect(done.location).toBe('/profile/2fa/app/edit');
    const mail = await app.mail.waitFor(user.email, /recovery code was used/, { since });
    expect(mail.text).toContain('to confirm it was you, before a change that needs it');
    expect(mail.text).not.toContain('to log in');
  });

  it('mails a code for "Confirm it’s you" as such, not as one to finish logging in', async () => {
    const user = await userWithApp(app);
    await setUpEmail(app, user.client, user.email);
    app.clock.advance(ELEVEN_MINUTES);
    await user.client.get('/reauth');
    await user.client.post('/reauth', { password: PASSWORD, next: '/profile/2fa' });
    const code = await mailedSignInCode(app, user.client, user.email, '/reauth/2fa');
    const mail = app.mail.to(user.email).at(-1);
    expect(mail?.text).toContain('Use this code to confirm it’s you. It is valid for 10 minutes');
    expect(mail?.text).toContain('If you did not just confirm it’s you');
    expect(mail?.text).not.toContain('logging in');
    expect(mail?.text).not.toContain('try to log in');
    const done = await submitCode(user.client, 'email', code, '/reauth/2fa');
    expect(done.status).toBe(303);
  });

  it('opens no new step-up window by a password change, which proves the password alone', async () => {
    const user = await userWithApp(app);
    app.clock.advance(9 * 60_000);
    await user.client.get('/profile/password');
    const changed = await user.client.post('/profile/password', {
      current_password: PASSWORD,
      new_password: 'a brand new passphrase for step-up',
      confirm_password: 'a brand new passphrase for step-up',
    });
    expect(changed.status).toBe(303);
    expect((await user.client.get('/profile')).status).toBe(200);
    // Eleven minutes after the sign-in, two after the change: the window has closed.
    app.clock.advance(2 * 60_000);
    expectStepUp(await user.client.get('/profile/2fa/app/edit'), '/profile/2fa/app/edit');
  });

  it('refuses a wrong password at /reauth and starts no step-up', async () => {
    const user = await staleUser();
    await user.client.get('/reauth');
    const wrong = await user.client.post('/reauth', { password: 'not the password at all' });
    expect(wrong.status).toBe(422);
    expect(user.client.cookies.has(PENDING_COOKIE)).toBe(false);
    // Audited as a wrong password at log-in is, with where it was tried.
    const audited = await app.db
      .selectFrom('audit_events')
      .select('details')
      .where('event', '=', 'password.check_failed')
      .where('target_user_id', '=', user.userId)
      .execute();
    expect(audited.map((row) => JSON.parse(row.details ?? '{}') as unknown)).toEqual([
      { where: 'reauthentication' },
    ]);
    const pending = await app.db
      .selectFrom('pending_sign_ins')
      .select('id_hash')
      .where('user_id', '=', user.userId)
      .execute();
    expect(pending).toHaveLength(0);
    const challenge = await user.client.get('/reauth/2fa');
    expect(challenge.status).toBe(303);
    expect(challenge.location).toBe('/profile/2fa');
  });

  it('says so when wrong codes end a step-up, and when a step-up is gone, changing nothing', async () => {
    const user = await staleUser();
    const before = await secondFactorState(user.userId);
    await user.client.get('/reauth');
    await user.client.post('/reauth', { password: PASSWORD });
    await user.client.get('/reauth/2fa');
    let last = await user.client.post('/reauth/2fa', {
      method: 'totp',
      code: wrongCode(app, user.secret),
    });
    for (let i = 1; i < 5; i += 1) {
      expect(last.status).toBe(422);
      last = await user.client.post('/reauth/2fa', {
        method: 'totp',
        code: wrongCode(app, user.secret),
      });
    }
    expect(last.status).toBe(303);
    expect(last.location).toBe('/profile/2fa');
    expect(textOf((await user.client.follow(last)).body)).toContain(
      'Too many wrong codes. Nothing was changed: start again and confirm it’s you.',
    );
    // The back button to the step-up's page, or its form sent again: gone, and said so.
    const again = await user.client.post('/reauth/2fa', {
      method: 'totp',
      code: freshCode(app, user.secret),
    });
    expect(again.location).toBe('/profile/2fa');
    expect(textOf((await user.client.follow(again)).body)).toContain(
      'Confirming it’s you took too long, or was already done. Nothing was changed: start again.',
    );
    expect(await secondFactorState(user.userId)).toEqual(before);
  });

  it('does not let a step-up finish for a different session of the same person', async () => {
    const user = await staleUser();
    await user.client.get('/reauth');
    await user.client.post('/reauth', { password: PASSWORD });
    const pending = user.client.cookies.get(PENDING_COOKIE) ?? '';

    // Another signed-in browser of the same person, with the first one's step-up cookie.
    const other = newClient(app);
    await other.submit('/login', { email: user.email, password: PASSWORD });
    await submitCode(other, 'totp', freshCode(app, user.secret));
    const otherSession = other.cookies.get(SESSION_COOKIE) ?? '';
    app.clock.advance(ELEVEN_MINUTES);
    other.cookies.set(PENDING_COOKIE, pending);
    await other.get('/profile/2fa');
    const hijack = await submitCode(other, 'totp', freshCode(app, user.secret), '/reauth/2fa');
    expect(hijack.status).toBe(303);
    expect(hijack.location).toBe('/profile/2fa');
    expect(other.cookies.get(SESSION_COOKIE)).toBe(otherSession);
    expectStepUp(
      await other.post('/profile/2fa/recovery-codes'),
      '/profile/2fa/recovery-codes/new',
    );
    expect(textOf((await other.get('/profile/2fa')).body)).toContain('Edit authentication app');
  });
});
