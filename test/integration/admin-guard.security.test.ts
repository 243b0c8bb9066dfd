/**
 * Threat: the admin console is the most valuable target of the product — from it anyone's
 * second factor can be removed. A stolen password of an administrator, a session made before
 * someone became administrator, or a plain user guessing URLs must not open it. SPEC §2.7 and
 * ASVS (administrative interfaces need multi-factor authentication): only an administrator
 * whose session was made, or stepped up, with a second factor gets in.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCodeAt } from '../../src/two-factor/totp/totp.js';
import { signedInAdmin, adminClient } from '../helpers/admin.js';
import { textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, registerAndVerify } from '../helpers/flows.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import { nextStep, setUpApp } from '../helpers/two-factor.js';

describe.each(DIALECTS)('admin console guard (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  const promote = (userId: string) =>
    app.db.updateTable('users').set({ is_admin: 1 }).where('id', '=', userId).execute();

  const CONSOLE_PAGES = [
    '/admin',
    '/admin/users',
    '/admin/groups',
    '/admin/2fa',
    '/admin/audit',
    '/admin/audit.csv',
  ];

  it('sends an anonymous visitor to log in, and back afterwards', async () => {
    const client = adminClient(app);
    for (const path of CONSOLE_PAGES) {
      const page = await client.get(path);
      expect(page.status).toBe(303);
      expect(page.location).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
  });

  it('refuses a signed-in person who is not an administrator with the styled 403 page', async () => {
    const client = adminClient(app);
    const { email } = await registerAndVerify(app, client);
    await logIn(client, email);
    for (const path of CONSOLE_PAGES) {
      const page = await client.get(path);
      expect(page.status).toBe(403);
      expect(page.headers['content-type']).toMatch(/text\/html/);
      expect(textOf(page.body)).toContain('Not allowed');
    }
    const before = await app.services.twoFactor.policy.get();
    const post = await client.post('/admin/2fa', { email: 'on', require: 'all' });
    expect(post.status).toBe(403);
    expect(await app.services.twoFactor.policy.get()).toEqual(before);
  });

  it('lets in an administrator whose session was made with a second factor', async () => {
    const admin = await signedInAdmin(app);
    const page = await admin.client.get('/admin');
    expect(page.status).toBe(200);
    expect(textOf(page.body)).toContain('Dashboard');
  });

  it('asks an administrator whose session had no second factor to step up with it', async () => {
    // Signed in as a plain user with the app set up, then made administrator meanwhile: the
    // session was made with the password alone.
    const client = adminClient(app);
    const { email, userId } = await registerAndVerify(app, client);
    await logIn(client, email);
    const { secret } = await setUpApp(app, client);
    await promote(userId);

    const page = await client.get('/admin?from=mail');
    expect(page.status).toBe(303);
    expect(page.location).toBe(
      `/reauth?next=${encodeURIComponent('/admin?from=mail')}&cancel=${encodeURIComponent('/')}`,
    );
    // Its Cancel leads home: the console would only ask again.
    const confirm = await client.get(page.location ?? '');
    expect(confirm.body).toMatch(/<a[^>]*href="\/"[^>]*>Cancel<\/a>/);
    // A form post is not carried through the step-up; it comes back to the console.
    const post = await client.post('/admin/2fa', { email: 'on', require: 'all' });
    expect(post.status).toBe(303);
    expect(post.location).toBe(`/reauth?next=${encodeURIComponent('/admin')}&cancel=%2F`);
    expect((await app.services.twoFactor.policy.get()).require).toBe('nobody');

    // The step-up: password, then the code from the app.
    const reauth = await client.submit(
      '/reauth?next=%2Fadmin',
      {
        password: 'correct horse battery staple',
        next: '/admin',
      },
      '/reauth',
    );
    expect(reauth.location).toBe('/reauth/2fa?next=%2Fadmin');
    nextStep(app);
    const verified = await client.submit(
      '/reauth/2fa?next=%2Fadmin',
      {
        method: 'totp',
        code: totpCodeAt(secret, app.clock.now()),
        next: '/admin',
      },
      '/reauth/2fa',
    );
    expect(verified.status).toBe(303);
    expect(verified.location).toBe('/admin');
    expect((await client.get('/admin')).status).toBe(200);
  });

  it('sends an administrator without any method to set one up', async () => {
    const client = adminClient(app);
    const { email, userId } = await registerAndVerify(app, client);
    await logIn(client, email);
    await promote(userId);
    const page = await client.get('/admin');
    expect(page.status).toBe(303);
    expect(page.location).toBe('/profile/2fa');
    const profile = await client.follow();
    expect(textOf(profile.body)).toContain('The admin console needs two-factor authentication');
    // A password step-up is no way around it: the session still has no second factor.
    await client.submit(
      '/reauth?next=%2Fadmin',
      { password: 'correct horse battery staple', next: '/admin' },
      '/reauth',
    );
    expect((await client.get('/admin')).location).toBe('/profile/2fa');
  });

  it('makes an administrator without 2FA set it up at log-in, then opens the console', async () => {
    const client = adminClient(app);
    const { email, userId } = await registerAndVerify(app, client);
    await promote(userId);
    const login = await logIn(client, email);
    expect(login.location).toBe('/login/2fa/setup');
    // No session before the method exists.
    expect((await client.get('/admin')).location).toBe('/login?next=%2Fadmin');
    const { page } = await setUpApp(app, client, '/login/2fa/setup');
    expect(page.status).toBe(200);
    expect(textOf(page.body)).toContain('Save your recovery codes');
    expect((await client.get('/admin')).status).toBe(200);
  });

  it('closes the console to an administrator whose rights were revoked', async () => {
    const admin = await signedInAdmin(app);
    expect((await admin.client.get('/admin')).status).toBe(200);
    await app.db.updateTable('users').set({ is_admin: 0 }).where('id', '=', admin.userId).execute();
    expect((await admin.client.get('/admin')).status).toBe(403);
  });
});
