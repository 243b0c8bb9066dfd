/*
 * The administrator's 2FA policy as a security boundary. When an administrator turns a method
 * off (say email, which NIST does not count as an authenticator) nobody can set it up any more,
 * not only through the menu; those who have it keep signing in with it, never with the password
 * alone. When 2FA is required (for everyone,
 * or for a group), a person without it must not get a session until a method exists, may
 * postpone only while the grace date lasts (GitLab two_factor_required_spec), and cannot
 * remove their last method. These tests change the policy through the service, as the admin
 * page does, and put it back after each test.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { totpCodeAt } from '../../src/two-factor/totp/totp.js';
import type { TwoFactorPolicy } from '../../src/two-factor/policy.js';
import type { Client } from '../helpers/client.js';
import { textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, PASSWORD, registerAndVerify } from '../helpers/flows.js';
import { codeIn } from '../helpers/mail-capture.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import {
  confirmRemoval,
  freshCode,
  hiddenValue,
  newClient,
  PENDING_COOKIE,
  pendingSignIn,
  SESSION_COOKIE,
  sessionCount,
  setupKeyOf,
  setUpApp,
  setUpEmail,
  signedInUser,
  submitCode,
  TEST_META,
  userWithApp,
  savePolicy as savePolicyOf,
} from '../helpers/two-factor.js';

const DISABLED = 'This method has been turned off by your administrator.';
const CANNOT_REMOVE = 'You cannot remove your last method';

describe.each(DIALECTS)('two-factor policy (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterEach(async () => {
    await savePolicy({});
  });
  afterAll(async () => {
    await app?.close();
  });

  const savePolicy = (change: Partial<TwoFactorPolicy>) => savePolicyOf(app, change);

  async function methodTypes(userId: string): Promise<string[]> {
    const rows = await app.db
      .selectFrom('two_factor_methods')
      .select('type')
      .where('user_id', '=', userId)
      .orderBy('type')
      .execute();
    return rows.map((r) => r.type);
  }

  /** A verified user who is not signed in, on a client of their own. */
  async function newUser(): Promise<{ client: Client; email: string; userId: string }> {
    const client = newClient(app);
    const { email, userId } = await registerAndVerify(app, client);
    return { client, email, userId };
  }

  it('writes no audit entry for a save of the policy as it was', async () => {
    const saves = async () =>
      (
        await app.db
          .selectFrom('audit_events')
          .select('id')
          .where('event', '=', 'two_factor.policy_changed')
          .execute()
      ).length;
    const before = await saves();
    const noApp = { methods: { email: true, totp: false, webauthn: true } };
    await savePolicy(noApp);
    expect(await saves()).toBe(before + 1);
    await savePolicy(noApp);
    expect(await saves()).toBe(before + 1);
    await savePolicy({});
    expect(await saves()).toBe(before + 2);
  });

  it('refuses to set up a disabled authenticator app (403), even a set-up started before', async () => {
    const user = await signedInUser(app);
    const started = await user.client.get('/profile/2fa/app/new');
    expect(started.status).toBe(200);
    const secret = setupKeyOf(started);
    await savePolicy({ methods: { email: true, totp: false, webauthn: true } });

    const overview = await user.client.get('/profile/2fa');
    expect(textOf(overview.body)).not.toContain('Set up authentication app');
    const get = await user.client.get('/profile/2fa/app/new');
    expect(get.status).toBe(403);
    expect(textOf(get.body)).toContain(DISABLED);
    await user.client.get('/profile/2fa');
    const post = await user.client.post('/profile/2fa/app/new', {
      setup_id: hiddenValue(started, 'setup_id'),
      name: 'My phone',
      code: totpCodeAt(secret, app.clock.now()),
    });
    expect(post.status).toBe(403);
    expect(await methodTypes(user.userId)).toEqual([]);
  });

  it('lets the address of an email method move while email is turned off: it keeps working', async () => {
    const user = await signedInUser(app);
    await setUpEmail(app, user.client, user.email);
    app.clock.advance(61_000);
    const newAddress = `changed.${user.email}`;
    await user.client.get('/profile/2fa/email/edit');
    const since = app.mail.messages.length;
    const sent = await user.client.post('/profile/2fa/email/edit', {
      action: 'send',
      email: newAddress,
    });
    expect(sent.status).toBe(200);
    const code = codeIn(await app.mail.waitFor(newAddress, /verification code/, { since }));
    await savePolicy({ methods: { email: false, totp: true, webauthn: true } });

    const confirm = await user.client.post('/profile/2fa/email/edit', {
      action: 'confirm',
      setup_id: hiddenValue(sent, 'setup_id'),
      email: newAddress,
      code,
    });
    expect(confirm.status).toBe(303);
    const method = await app.db
      .selectFrom('two_factor_methods')
      .select('email')
      .where('user_id', '=', user.userId)
      .executeTakeFirstOrThrow();
    expect(method.email).toBe(newAddress);
  });

  it('refuses to set up disabled email authentication (403), even with a code sent before', async () => {
    const user = await signedInUser(app);
    await user.client.get('/profile/2fa/email/new');
    const since = app.mail.messages.length;
    const sent = await user.client.post('/profile/2fa/email/new', {
      action: 'send',
      name: 'Work mail',
      email: user.email,
    });
    const code = codeIn(await app.mail.waitFor(user.email, /verification code/, { since }));
    await savePolicy({ methods: { email: false, totp: true, webauthn: true } });

    expect((await user.client.get('/profile/2fa/email/new')).status).toBe(403);
    await user.client.get('/profile/2fa');
    const create = await user.client.post('/profile/2fa/email/new', {
      action: 'create',
      setup_id: hiddenValue(sent, 'setup_id'),
      name: 'Work mail',
      email: user.email,
      code,
    });
    expect(create.status).toBe(403);
    app.clock.advance(61_000);
    await app.services.postman.drain();
    const mails = app.mail.messages.length;
    await user.client.get('/profile/2fa');
    const send = await user.client.post('/profile/2fa/email/new', {
      action: 'send',
      name: 'Work mail',
      email: user.email,
    });
    expect(send.status).toBe(403);
    await app.services.postman.drain();
    expect(app.mail.messages.length).toBe(mails);
    expect(await methodTypes(user.userId)).toEqual([]);
  });

  /*
   * Turning a method off hides it for new set-ups (SPEC §2.7). Were it also refused at sign-in,
   * its users would fall back to the password alone, unasked and untold, and anyone with the
   * password could then set up a method of their own.
   */
  it('keeps asking for a method turned off after it was set up, and accepts it', async () => {
    const user = await userWithApp(app);
    await user.client.post('/logout');
    await savePolicy({ methods: { email: true, totp: false, webauthn: true } });

    const client = await pendingSignIn(app, user.email);
    const challenge = await client.get('/login/2fa');
    expect(challenge.body).toContain('name="method" value="totp"');
    const signedIn = await submitCode(client, 'totp', freshCode(app, user.secret));
    expect(signedIn.location).toBe('/');
    expect(client.cookies.has(SESSION_COOKIE)).toBe(true);
  });

  it('never lets a password alone in for someone whose only method was turned off', async () => {
    const user = await userWithApp(app);
    await user.client.post('/logout');
    for (const require of ['nobody', 'all'] as const) {
      await savePolicy({ require, methods: { email: true, totp: false, webauthn: true } });
      const client = newClient(app);
      const login = await logIn(client, user.email);
      expect(login.location).toBe('/login/2fa');
      expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
      expect((await submitCode(client, 'totp', freshCode(app, user.secret))).location).toBe('/');
      // Nor can the password alone start a set-up on the way, which would choose a new method.
      const other = newClient(app);
      await logIn(other, user.email);
      // (Email, which is on: the app's set-up would be refused as turned off anyway.)
      const setUp = await other.get('/login/2fa/setup/email/new');
      expect(setUp.status).toBe(303);
      expect(setUp.body).not.toContain('name="email"');
      expect(other.cookies.has(SESSION_COOKIE)).toBe(false);
      app.clock.advance(31_000);
    }
    expect(await sessionCount(app, user.userId)).toBe(2);
  });

  it('still asks for a method turned off when 2FA is required, and lets it be removed only once another exists', async () => {
    const user = await userWithApp(app);
    await savePolicy({ require: 'all', methods: { email: true, totp: false, webauthn: true } });
    const page = await user.client.get('/profile/2fa/app/edit');
    expect(textOf(page.body)).toContain(CANNOT_REMOVE);
    await setUpEmail(app, user.client, user.email);
    const freed = await user.client.get('/profile/2fa/app/edit');
    expect(textOf(freed.body)).not.toContain(CANNOT_REMOVE);
    // The app turned off still counts as a method: the email one may go, leaving it.
    const email = await user.client.get('/profile/2fa/email/edit');
    expect(textOf(email.body)).not.toContain(CANNOT_REMOVE);
  });

  it('with 2FA required for all, gives no session until a method is created at log-in', async () => {
    await savePolicy({ require: 'all' });
    for (const method of ['app', 'email'] as const) {
      const user = await newUser();
      const login = await logIn(user.client, user.email);
      expect(login.status).toBe(303);
      expect(login.location).toBe('/login/2fa/setup');
      expect(user.client.cookies.has(SESSION_COOKIE)).toBe(false);
      expect(user.client.cookies.has(PENDING_COOKIE)).toBe(true);
      expect((await user.client.get('/profile')).location).toMatch(/^\/login/);
      expect((await user.client.get('/')).body).not.toContain('aria-label="Account menu"');
      const choice = await user.client.get('/login/2fa/setup');
      expect(choice.status).toBe(200);
      expect(textOf(choice.body)).not.toContain('Set up later');
      expect(await sessionCount(app, user.userId)).toBe(0);
      // The code page of a log-in (the back button) leads back to the set-up, and keeps it.
      const back = await user.client.get('/login/2fa');
      expect(back.location).toBe('/login/2fa/setup');
      expect(user.client.cookies.has(PENDING_COOKIE)).toBe(true);

      const { page } =
        method === 'app'
          ? await setUpApp(app, user.client, '/login/2fa/setup')
          : await setUpEmail(app, user.client, user.email, '/login/2fa/setup');
      expect(page.status).toBe(200);
      expect(textOf(page.body)).toContain('Save your recovery codes');
      expect(user.client.cookies.has(SESSION_COOKIE)).toBe(true);
      expect(user.client.cookies.has(PENDING_COOKIE)).toBe(false);
      expect(await sessionCount(app, user.userId)).toBe(1);
      expect((await user.client.get('/profile')).status).toBe(200);
    }
  });

  it('lets someone at the mandatory set-up in once the requirement is lifted, and no one else', async () => {
    await savePolicy({ require: 'all' });
    const user = await newUser();
    await user.client.submit(
      '/login?next=%2Fkb',
      { email: user.email, password: PASSWORD, next: '/kb' },
      '/login',
    );
    const stillRequired = await user.client.get('/login/2fa/setup/app/new');
    expect(stillRequired.status).toBe(200);
    expect(await sessionCount(app, user.userId)).toBe(0);

    await savePolicy({ require: 'nobody' });
    const reloaded = await user.client.get('/login/2fa/setup/app/new');
    expect(reloaded.status).toBe(303);
    expect(reloaded.location).toBe('/kb');
    expect(user.client.cookies.has(SESSION_COOKIE)).toBe(true);
    expect(user.client.cookies.has(PENDING_COOKIE)).toBe(false);
    expect(await sessionCount(app, user.userId)).toBe(1);
    expect((await user.client.get('/profile')).status).toBe(200);

    // Anyone else still has only what they had: no pending sign-in, no session.
    const stranger = newClient(app);
    expect((await stranger.get('/login/2fa/setup')).location).toBe('/login');
    expect(stranger.cookies.has(SESSION_COOKIE)).toBe(false);
  });

  it('takes the person on to the page asked for once the mandatory set-up is done', async () => {
    const logInFor = (user: { client: Client; email: string }, next: string) =>
      user.client.submit(
        `/login?next=${encodeURIComponent(next)}`,
        { email: user.email, password: PASSWORD, next },
        '/login',
      );
    await savePolicy({ require: 'all' });
    const user = await newUser();
    expect((await logInFor(user, '/profile/email')).location).toBe('/login/2fa/setup');
    await setUpApp(app, user.client, '/login/2fa/setup');
    // "Continue" on the recovery codes leads there, not home.
    const done = await user.client.get('/profile/2fa/recovery-codes/done');
    expect(done.location).toBe('/profile/email');

    // Set up later, too; and a page of another site is never the way on.
    await savePolicy({ require: 'all', graceUntil: app.clock.now() + 24 * 60 * 60_000 });
    const later = await newUser();
    await logInFor(later, '/kb');
    expect((await later.client.post('/login/2fa/setup/later')).location).toBe('/kb');
    const tricked = await newUser();
    await logInFor(tricked, '//evil.example/');
    expect((await tricked.client.post('/login/2fa/setup/later')).location).toBe('/');
    // Nothing asked for: home, even when an earlier log-in in this browser asked for a page.
    const plain = await newUser();
    plain.client.cookies.set('portico_next', '/kb');
    await logIn(plain.client, plain.email);
    expect((await plain.client.post('/login/2fa/setup/later')).location).toBe('/');
  });

  /*
   * A policy that newly requires 2FA must not wait up to 12 hours for the sessions made with
   * a password alone: those of people who must now use it and have no method end when it is
   * saved, and the next log-in asks for a set-up. While set-up may still be postponed, or for
   * those who have a method, sessions stay.
   */
  it('ends the password-only sessions of people a new requirement covers, unless they may postpone', async () => {
    const bare = await newUser();
    await logIn(bare.client, bare.email);
    const withApp = await userWithApp(app);
    // Signed in with a second factor, then removed the only method: covered as well.
    const removedApp = await userWithApp(app);
    const secondFactorSession = newClient(app);
    await logIn(secondFactorSession, removedApp.email);
    const verified = await submitCode(
      secondFactorSession,
      'totp',
      freshCode(app, removedApp.secret),
    );
    expect(verified.status).toBe(303);
    expect((await confirmRemoval(secondFactorSession, '/profile/2fa/app/remove')).status).toBe(303);
    expect(await methodTypes(removedApp.userId)).toEqual([]);
    await savePolicy({ require: 'all', graceUntil: app.clock.now() + 24 * 60 * 60_000 });
    expect((await bare.client.get('/profile')).status).toBe(200);

    app.clock.advance(1_000);
    await savePolicy({ require: 'all', graceUntil: null });
    const after = await bare.client.get('/profile');
    expect(after.status).toBe(303);
    expect(after.location).toMatch(/^\/login/);
    expect(await sessionCount(app, bare.userId)).toBe(0);
    expect((await logIn(newClient(app), bare.email)).location).toBe('/login/2fa/setup');
    expect((await secondFactorSession.get('/profile')).location).toMatch(/^\/login/);
    // Someone with a method keeps their session.
    expect((await withApp.client.get('/profile')).status).toBe(200);
    const audit = await app.db
      .selectFrom('audit_events')
      .select('details')
      .where('event', '=', 'two_factor.policy_changed')
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    // Other tests' people may have been signed in without 2FA too.
    const details = JSON.parse(audit.details ?? '{}') as { sessionsEnded?: number };
    expect(details.sessionsEnded).toBeGreaterThanOrEqual(1);
  });

  /*
   * Postponing set-up is not a session for 12 hours: once the grace date passes, a session
   * made with the password alone ends, whether it was opened with "Set up later" or before the
   * requirement was saved, and the next log-in asks for a method.
   */
  it('ends the password-only sessions of people it covers when the grace date passes', async () => {
    const GRACE_MS = 20 * 60_000;
    const withApp = await userWithApp(app);
    const before = await newUser();
    await logIn(before.client, before.email);
    await savePolicy({ require: 'all', graceUntil: app.clock.now() + GRACE_MS });
    const later = await newUser();
    await logIn(later.client, later.email);
    expect((await later.client.post('/login/2fa/setup/later')).status).toBe(303);
    // Postponed, then set up after all: nothing left to hold the session short for.
    const complied = await newUser();
    await logIn(complied.client, complied.email);
    await complied.client.post('/login/2fa/setup/later');
    await setUpApp(app, complied.client);

    app.clock.advance(GRACE_MS - 60_000);
    for (const user of [before, later, withApp, complied])
      expect((await user.client.get('/profile')).status).toBe(200);
    app.clock.advance(2 * 60_000);
    for (const user of [before, later]) {
      const after = await user.client.get('/profile');
      expect(after.status).toBe(303);
      expect(after.location).toMatch(/^\/login/);
      const again = newClient(app);
      expect((await logIn(again, user.email)).location).toBe('/login/2fa/setup');
      expect(textOf((await again.get('/login/2fa/setup')).body)).not.toContain('Set up later');
    }
    expect((await withApp.client.get('/profile')).status).toBe(200);
    expect((await complied.client.get('/profile')).status).toBe(200);
  });

  // The form keeps the ticked groups when "Nobody" or "All users" is chosen, for a return to
  // "Selected user groups"; but a group still showed, and was kept, as required.
  it('treats no group as required while the policy does not require groups', async () => {
    const actor = { actorLabel: 'test', meta: TEST_META };
    const group = await app.services.admin.groups.create(`Once required ${Date.now()}`, actor);
    if (!group.ok) throw new Error('group');
    const id = group.value.id;
    await savePolicy({ require: 'groups', groupIds: [id] });
    expect((await app.services.admin.groups.remove(id, actor)).ok).toBe(false);
    await savePolicy({ require: 'nobody', groupIds: [id] });
    expect((await app.services.admin.groups.requiredGroupIds()).size).toBe(0);
    const changed = await app.db
      .selectFrom('audit_events')
      .select('details')
      .where('event', '=', 'two_factor.policy_changed')
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(changed.details ?? '{}')).not.toHaveProperty('groups');
    expect((await app.services.admin.groups.remove(id, actor)).ok).toBe(true);
    // Gone from the kept groups too: the policy, read and sent back, names no deleted group.
    expect((await app.services.twoFactor.policy.get()).groupIds).not.toContain(id);
  });

  it('holds someone added to a required group to it at once, or at the end of the grace date', async () => {
    const actor = { actorLabel: 'test', meta: TEST_META };
    const group = await app.services.admin.groups.create(`Required ${Date.now()}`, actor);
    if (!group.ok) throw new Error('group');
    const add = (email: string) =>
      app.services.admin.groups.addMemberByEmail(group.value.id, email, actor);
    await savePolicy({ require: 'groups', groupIds: [group.value.id] });
    const bare = await newUser();
    await logIn(bare.client, bare.email);
    const withApp = await userWithApp(app);
    expect((await bare.client.get('/profile')).status).toBe(200);

    await add(bare.email);
    await add(withApp.email);
    expect((await bare.client.get('/profile')).location).toMatch(/^\/login/);
    expect(await sessionCount(app, bare.userId)).toBe(0);
    expect((await logIn(newClient(app), bare.email)).location).toBe('/login/2fa/setup');
    expect((await withApp.client.get('/profile')).status).toBe(200);
    const added = await app.db
      .selectFrom('audit_events')
      .select('details')
      .where('event', '=', 'user_group.member_added')
      .where('target_user_id', '=', bare.userId)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(added.details ?? '{}')).toMatchObject({ sessionsEnded: 1 });

    // While set-up may be postponed, the session lasts until the grace date, no longer.
    await savePolicy({
      require: 'groups',
      groupIds: [group.value.id],
      graceUntil: app.clock.now() + 20 * 60_000,
    });
    const newcomer = await newUser();
    await logIn(newcomer.client, newcomer.email);
    await add(newcomer.email);
    expect((await newcomer.client.get('/profile')).status).toBe(200);
    app.clock.advance(21 * 60_000);
    expect((await newcomer.client.get('/profile')).location).toMatch(/^\/login/);
  });

  it('offers "Set up later" only while the grace date lasts', async () => {
    await savePolicy({ require: 'all', graceUntil: app.clock.now() + 24 * 60 * 60_000 });
    const early = await newUser();
    await logIn(early.client, early.email);
    const choice = await early.client.get('/login/2fa/setup');
    expect(textOf(choice.body)).toContain('Set up later');
    const later = await early.client.post('/login/2fa/setup/later');
    expect(later.status).toBe(303);
    expect(later.location).toBe('/');
    expect(early.client.cookies.has(SESSION_COOKIE)).toBe(true);
    expect(await methodTypes(early.userId)).toEqual([]);
    // Postponed, not forgotten: the next page and Your 2FA say until when.
    const grace = new Date(app.clock.now() + 24 * 60 * 60_000);
    const until = grace.toLocaleString('en-GB', { day: 'numeric', month: 'long', timeZone: 'UTC' });
    const home = textOf((await early.client.follow(later)).body);
    expect(home).toContain('Two-factor authentication is postponed until');
    expect(home).toContain(until);
    // The grace date of the console is a day, included: "the end of" it.
    await savePolicy({ require: 'all', graceUntil: Date.UTC(2099, 0, 1) });
    expect(textOf((await early.client.get('/profile/2fa')).body)).toContain(
      'Set up a method before the end of 31 December 2098 (UTC)',
    );
    await savePolicy({ require: 'all', graceUntil: app.clock.now() + 24 * 60 * 60_000 });
    const overview = textOf((await early.client.get('/profile/2fa')).body);
    expect(overview).toContain('Set up a method before');
    expect(overview).toContain(until);

    for (const graceUntil of [null, app.clock.now() - 1_000]) {
      await savePolicy({ require: 'all', graceUntil });
      const user = await newUser();
      await logIn(user.client, user.email);
      const page = await user.client.get('/login/2fa/setup');
      expect(textOf(page.body)).not.toContain('Set up later');
      const refused = await user.client.post('/login/2fa/setup/later');
      expect(refused.status).toBe(303);
      expect(refused.location).toBe('/login/2fa/setup');
      expect(user.client.cookies.has(SESSION_COOKIE)).toBe(false);
      expect(await sessionCount(app, user.userId)).toBe(0);
    }
  });

  it('makes 2FA mandatory for members of a required group only', async () => {
    const actor = { actorLabel: 'test', meta: TEST_META };
    const created = await app.services.twoFactor.groups.create(`Agents ${Date.now()}`, actor);
    if (!created.ok) throw new Error(created.error);
    const member = await newUser();
    const other = await newUser();
    await app.services.twoFactor.groups.addMember(created.value.id, member.userId, actor);
    await savePolicy({ require: 'groups', groupIds: [created.value.id] });

    const memberLogin = await logIn(member.client, member.email);
    expect(memberLogin.location).toBe('/login/2fa/setup');
    expect(member.client.cookies.has(SESSION_COOKIE)).toBe(false);
    const otherLogin = await logIn(other.client, other.email);
    expect(otherLogin.location).toBe('/');
    expect(other.client.cookies.has(SESSION_COOKIE)).toBe(true);
  });

  it('does not let the last method go while 2FA is mandatory, and says why (409)', async () => {
    const user = await userWithApp(app);
    await savePolicy({ require: 'all' });

    // The manage page says why instead of offering the removal.
    const manage = await user.client.get('/profile/2fa/app/edit');
    expect(textOf(manage.body)).toContain(CANNOT_REMOVE);
    expect(manage.body).not.toContain('href="/profile/2fa/app/remove"');
    const confirm = await user.client.get('/profile/2fa/app/remove');
    expect(confirm.status).toBe(200);
    expect(textOf(confirm.body)).toContain(CANNOT_REMOVE);
    // Posted all the same (a page opened before the policy changed): refused.
    const app_ = await app.services.twoFactor.methods.find(user.userId, 'totp');
    const removed = await user.client.post('/profile/2fa/app/remove', {
      method_id: app_?.id ?? '',
    });
    expect(removed.status).toBe(409);
    expect(textOf(removed.body)).toContain(CANNOT_REMOVE);
    expect(await methodTypes(user.userId)).toEqual(['totp']);
    expect(await app.services.twoFactor.recovery.remaining(user.userId)).toBe(10);

    // With a second method either one may go; without the requirement the last one too.
    await setUpEmail(app, user.client, user.email);
    expect((await user.client.get('/profile/2fa/email/edit')).body).toContain(
      'href="/profile/2fa/email/remove"',
    );
    expect((await confirmRemoval(user.client, '/profile/2fa/email/remove')).status).toBe(303);
    expect(await methodTypes(user.userId)).toEqual(['totp']);
    await savePolicy({});
    expect((await confirmRemoval(user.client, '/profile/2fa/app/remove')).status).toBe(303);
    expect(await methodTypes(user.userId)).toEqual([]);
  });

  it('keeps one method when both are removed at once while 2FA is mandatory', async () => {
    const user = await userWithApp(app);
    await setUpEmail(app, user.client, user.email);
    await savePolicy({ require: 'all' });
    const row = await app.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', user.userId)
      .executeTakeFirstOrThrow();
    const { methods } = app.services.twoFactor;
    const both = await methods.list(user.userId);
    expect(both).toHaveLength(2);
    const results = await Promise.all(both.map((m) => methods.remove(row, m.id, TEST_META)));
    expect(results.filter((r) => r.ok)).toHaveLength(1);
    expect(results.filter((r) => !r.ok).map((r) => !r.ok && r.error)).toEqual([
      'LAST_METHOD_REQUIRED',
    ]);
    expect(await methodTypes(user.userId)).toHaveLength(1);
    // The refusal left nothing behind: the recovery codes are all there.
    expect(await app.services.twoFactor.recovery.remaining(user.userId)).toBe(10);
  });
});
