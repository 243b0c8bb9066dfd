/**
 * PORTICO_SUPPORT_CONTACT: where pages and mails tell people to contact their helpdesk (a
 * lost second factor, a disabled account, a change they did not make), they say how. Without
 * it those words stand alone, as before.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../helpers/client.js';
import { logIn, registerAndVerify } from '../helpers/flows.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import { pendingSignIn, userWithApp } from '../helpers/two-factor.js';

const LINK = '<a href="mailto:help@example.com">help@example.com</a>';

describe('how to reach the helpdesk', () => {
  let app: TestApp;
  let plain: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ env: { PORTICO_SUPPORT_CONTACT: 'help@example.com' } });
    plain = await createTestApp();
  });
  afterAll(async () => {
    await app?.close();
    await plain?.close();
  });

  it('is linked on the second step, on Your 2FA and for a disabled account, and in mails', async () => {
    const user = await userWithApp(app);
    expect((await app.mail.waitFor(user.email, /method added/)).text).toContain(
      'To reach your helpdesk: help@example.com',
    );
    expect((await user.client.get('/profile/2fa')).body).toContain(LINK);
    expect((await pendingSignIn(app, user.email).then((c) => c.get('/login/2fa'))).body).toContain(
      LINK,
    );
    await app.db
      .updateTable('users')
      .set({ disabled_at: app.clock.now() })
      .where('id', '=', user.userId)
      .execute();
    const refused = await logIn(new Client(app.app), user.email);
    expect(refused.status).toBe(403);
    expect(refused.body).toContain(LINK);
  });

  it('is not there when not configured', async () => {
    const client = new Client(plain.app);
    const { email } = await registerAndVerify(plain, client);
    await logIn(client, email);
    expect((await client.get('/profile/2fa')).body).not.toContain('support-contact');
    const mail = await plain.mail.waitFor(email, /Verify/);
    expect(mail.text).not.toContain('To reach your helpdesk');
  });
});
