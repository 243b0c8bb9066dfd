/**
 * An installation is named by its operator (PORTICO_SITE_NAME): people tell two help centers
 * apart by the name in the header, in every mail, and in their authenticator app's list.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../helpers/client.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import { signedInUser } from '../helpers/two-factor.js';

describe('the help center name', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect: 'sqlite', env: { PORTICO_SITE_NAME: 'Acme Support' } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('names the pages, the mails and the authenticator entry', async () => {
    const home = await new Client(app.app).get('/');
    expect(home.body).toMatch(/<title>[^<]*Acme Support<\/title>/);
    expect(home.body).not.toContain('Portico Help Center');

    const since = app.mail.messages.length;
    const user = await signedInUser(app);
    const mail = app.mail.to(user.email).find((m) => app.mail.messages.indexOf(m) >= since);
    expect(mail?.subject).toBe('Verify your email address for Acme Support');
    // Sent by the help center's name too, MAIL_FROM being unset.
    expect(mail?.from).toBe('"Acme Support" <no-reply@localhost>');
    expect(mail?.text).toContain('Acme Support');

    const auth = await app.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', user.userId)
      .executeTakeFirstOrThrow();
    const started = await app.services.twoFactor.setup.startTotp({ user: auth, requestId: 'r' });
    if (!started.ok) throw new Error(started.error);
    const uri = new URL(started.value.uri);
    expect(uri.searchParams.get('issuer')).toBe('Acme Support');
    expect(decodeURIComponent(uri.pathname)).toContain('Acme Support:');
  });
});
