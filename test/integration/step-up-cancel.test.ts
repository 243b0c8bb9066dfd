/*
 * Cancel on "Confirm it's you". Without a place of its own it leads back to the page that
 * asked for the confirmation; where that page itself needs a recent sign-in, Cancel only
 * brought the person back to the confirmation, with no way out. Every page that asks for a
 * recent sign-in now has a Cancel that leads to a page that opens.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SignedInAdmin } from '../helpers/admin.js';
import { plainUser, signedInAdmin } from '../helpers/admin.js';
import type { Client, Page } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import { signedInUser, userWithApp } from '../helpers/two-factor.js';

const ELEVEN_MINUTES = 11 * 60_000;

/** The href of the re-authentication page's Cancel link. */
function cancelHref(body: string): string | undefined {
  return /<a class="button secondary" href="([^"]*)"\s*>\s*Cancel\s*<\/a\s*>/.exec(body)?.[1];
}

type Attempt = [what: string, attempt: (client: Client) => Promise<Page>];

describe.each(DIALECTS)('Cancel on the step-up (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  /**
   * Each attempt is sent to "Confirm it's you"; its Cancel opens `expected`, a page, and not
   * another step-up.
   */
  async function expectCancelOpens(client: Client, attempts: Attempt[], expected: string) {
    for (const [what, attempt] of attempts) {
      const asked = await attempt(client);
      expect(asked.status, what).toBe(303);
      expect(asked.location ?? '', what).toMatch(/^\/reauth\?/);
      const reauth = await client.follow(asked);
      expect(reauth.status, what).toBe(200);
      const cancel = cancelHref(reauth.body);
      expect(cancel, what).toBe(expected);
      const page = await client.get(cancel ?? '');
      expect(page.status, `${what}: Cancel leads to ${cancel ?? ''}`).toBe(200);
      expect(page.location, what).toBeUndefined();
    }
  }

  describe('on My Profile', () => {
    it('leads from the password change to the profile', async () => {
      const { client } = await signedInUser(app);
      app.clock.advance(ELEVEN_MINUTES);
      await expectCancelOpens(
        client,
        [
          ['GET /profile/password', (c) => c.get('/profile/password')],
          [
            'POST /profile/password',
            (c) =>
              c.post('/profile/password', {
                current_password: 'x',
                new_password: 'y',
                confirm_password: 'y',
              }),
          ],
        ],
        '/profile',
      );
    });

    it('leads from an email address change to the addresses', async () => {
      const { client } = await signedInUser(app);
      app.clock.advance(ELEVEN_MINUTES);
      await expectCancelOpens(
        client,
        [
          [
            'POST /profile/emails',
            (c) => c.post('/profile/emails', { email: 'another@example.org' }),
          ],
        ],
        '/profile/emails',
      );
    });
  });

  describe('on Your 2FA', () => {
    it('leads from setting up a method to Your 2FA', async () => {
      const { client } = await signedInUser(app);
      app.clock.advance(ELEVEN_MINUTES);
      await expectCancelOpens(
        client,
        [
          ['GET /profile/2fa/app/new', (c) => c.get('/profile/2fa/app/new')],
          [
            'POST /profile/2fa/app/new',
            (c) => c.post('/profile/2fa/app/new', { setup_id: 'x', name: 'New', code: '123456' }),
          ],
          ['GET /profile/2fa/email/new', (c) => c.get('/profile/2fa/email/new')],
          [
            'POST /profile/2fa/email/new',
            (c) =>
              c.post('/profile/2fa/email/new', {
                action: 'send',
                name: 'Other',
                email: 'someone.else@example.net',
              }),
          ],
          ['GET /profile/2fa/security-keys/new', (c) => c.get('/profile/2fa/security-keys/new')],
        ],
        '/profile/2fa',
      );
    });

    it('leads from managing a method, a key or the recovery codes to Your 2FA', async () => {
      const { client } = await userWithApp(app);
      app.clock.advance(ELEVEN_MINUTES);
      await expectCancelOpens(
        client,
        [
          ['GET /profile/2fa/app/edit', (c) => c.get('/profile/2fa/app/edit')],
          [
            'POST /profile/2fa/app/edit',
            (c) => c.post('/profile/2fa/app/edit', { name: 'Renamed' }),
          ],
          [
            'POST /profile/2fa/email/edit',
            (c) => c.post('/profile/2fa/email/edit', { action: 'rename', name: 'Renamed' }),
          ],
          ['GET /profile/2fa/app/remove', (c) => c.get('/profile/2fa/app/remove')],
          ['POST /profile/2fa/app/remove', (c) => c.post('/profile/2fa/app/remove')],
          ['GET /profile/2fa/email/remove', (c) => c.get('/profile/2fa/email/remove')],
          ['POST /profile/2fa/recovery-codes', (c) => c.post('/profile/2fa/recovery-codes')],
          [
            'GET /profile/2fa/security-keys/:id/rename',
            (c) => c.get('/profile/2fa/security-keys/some-key/rename'),
          ],
          [
            'POST /profile/2fa/security-keys/:id/rename',
            (c) => c.post('/profile/2fa/security-keys/some-key/rename', { name: 'Renamed' }),
          ],
          [
            'GET /profile/2fa/security-keys/:id/remove',
            (c) => c.get('/profile/2fa/security-keys/some-key/remove'),
          ],
          [
            'POST /profile/2fa/security-keys/:id/remove',
            (c) => c.post('/profile/2fa/security-keys/some-key/remove'),
          ],
        ],
        '/profile/2fa',
      );
    });
  });

  describe('in the admin console', () => {
    let admin: SignedInAdmin;
    beforeAll(async () => {
      admin = await signedInAdmin(app);
    });

    it('leads from granting administrator rights and disabling an account to the user’s page', async () => {
      const other = await plainUser(app, { name: 'Cora Cancel' });
      app.clock.advance(ELEVEN_MINUTES);
      await expectCancelOpens(
        admin.client,
        [
          [
            'GET /admin/users/:id/grant-admin',
            (c) => c.get(`/admin/users/${other.userId}/grant-admin`),
          ],
          [
            'POST /admin/users/:id/grant-admin',
            (c) => c.post(`/admin/users/${other.userId}/grant-admin`),
          ],
          ['GET /admin/users/:id/disable', (c) => c.get(`/admin/users/${other.userId}/disable`)],
          ['POST /admin/users/:id/disable', (c) => c.post(`/admin/users/${other.userId}/disable`)],
        ],
        `/admin/users/${other.userId}`,
      );
      const after = await app.services.admin.directory.find(other.userId);
      expect(after?.is_admin).toBe(0);
      expect(after?.disabled_at).toBeNull();
    });

    it('leads from making an API key to the list of keys', async () => {
      app.clock.advance(ELEVEN_MINUTES);
      await expectCancelOpens(
        admin.client,
        [['POST /admin/api-keys', (c) => c.post('/admin/api-keys', { name: 'Cancelled key' })]],
        '/admin/api-keys',
      );
    });
  });
});
