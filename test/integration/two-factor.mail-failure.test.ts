/*
 * A code that never left. When the mail relay does not take a sign-in or set-up code, the
 * person waiting for it is told so (503, "We could not send the email"), instead of a page
 * saying it was sent. Nothing is stored for the code that was not sent: the code sent before
 * stays the valid one, and asking again works at once, without the minute's wait. The relay
 * here is a real SMTP server that refuses the address (450), as a relay with a full or
 * unreachable mailbox does.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { textOf } from '../helpers/client.js';
import { codeIn } from '../helpers/mail-capture.js';
import { DIALECTS } from '../helpers/databases.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import {
  emailCodesAudited,
  hiddenValue,
  loggedOutUserWithEmail,
  mailedSignInCode,
  pendingSignIn,
  SESSION_COOKIE,
  setUpEmail,
  signedInUser,
  submitCode,
} from '../helpers/two-factor.js';

const NOT_SENT = 'We could not send the email. Try again in a moment.';

describe.each(DIALECTS)('a code mail the relay refuses (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterEach(() => {
    app.mail.refused.clear();
  });
  afterAll(async () => {
    await app?.close();
  });

  const userWithEmail = () => loggedOutUserWithEmail(app, 61 * 60_000);

  async function codeRows(userId: string): Promise<number> {
    const rows = await app.db
      .selectFrom('email_codes')
      .select('id')
      .where('user_id', '=', userId)
      .execute();
    return rows.length;
  }

  it('says a sign-in code was not sent, and sends one at once when asked again', async () => {
    const { email, userId } = await userWithEmail();
    const client = await pendingSignIn(app, email);
    const codesBefore = await codeRows(userId);
    app.mail.refused.add(email);

    await client.get('/login/2fa?method=email');
    const failed = await client.post('/login/2fa/send');
    expect(failed.status).toBe(503);
    expect(textOf(failed.body)).toContain(NOT_SENT);
    expect(textOf(failed.body)).not.toContain('We sent a code');
    expect(app.mail.to(email).filter((m) => /verification code/.test(m.subject))).toHaveLength(1);
    expect(await codeRows(userId)).toBe(codesBefore);
    expect(await emailCodesAudited(app, userId, 'sign_in')).toHaveLength(0);

    // No minute's wait: the failed mail was not the minute's code.
    app.mail.refused.clear();
    const code = await mailedSignInCode(app, client, email);
    expect(await emailCodesAudited(app, userId, 'sign_in')).toHaveLength(1);
    const ok = await submitCode(client, 'email', code);
    expect(ok.status).toBe(303);
    expect(ok.location).toBe('/');
    expect(client.cookies.has(SESSION_COOKIE)).toBe(true);
  });

  it('keeps the code sent before valid when a new one cannot be sent', async () => {
    const { email } = await userWithEmail();
    const client = await pendingSignIn(app, email);
    const first = await mailedSignInCode(app, client, email);
    app.clock.advance(61_000);
    app.mail.refused.add(email);

    const failed = await client.post('/login/2fa/send');
    expect(failed.status).toBe(503);
    expect(textOf(failed.body)).toContain(NOT_SENT);

    const ok = await submitCode(client, 'email', first);
    expect(ok.status).toBe(303);
    expect(ok.location).toBe('/');
  });

  it('says a set-up code was not sent, keeps the form, and stores no set-up', async () => {
    const { client, email, userId } = await signedInUser(app);
    app.mail.refused.add(email);
    await client.get('/profile/2fa/email/new');
    const failed = await client.post('/profile/2fa/email/new', {
      action: 'send',
      name: 'Work mail',
      email,
    });
    expect(failed.status).toBe(503);
    expect(textOf(failed.body)).toContain(NOT_SENT);
    expect(failed.body).toContain(`value="${email}"`);
    expect(failed.body).toContain('value="Work mail"');
    expect(failed.body).not.toContain('name="setup_id"');
    const setups = await app.db
      .selectFrom('two_factor_setups')
      .select('id')
      .where('user_id', '=', userId)
      .execute();
    expect(setups).toHaveLength(0);
    expect(await codeRows(userId)).toBe(0);

    app.mail.refused.clear();
    const since = app.mail.messages.length;
    const sent = await client.post('/profile/2fa/email/new', {
      action: 'send',
      name: 'Work mail',
      email,
    });
    expect(sent.status).toBe(200);
    const mail = await app.mail.waitFor(email, /verification code/, { since });
    const done = await client.post('/profile/2fa/email/new', {
      action: 'create',
      setup_id: hiddenValue(sent, 'setup_id'),
      name: 'Work mail',
      email,
      code: codeIn(mail),
    });
    expect(done.status).toBe(303);
  });

  it('keeps the new address typed for a change of address whose code was not sent', async () => {
    const { client, email } = await signedInUser(app);
    await setUpEmail(app, client, email);
    app.clock.advance(61_000);
    // A first change, to an address with a typo, sent; then the corrected one is not.
    const typo = `tpyo.${email}`;
    await client.get('/profile/2fa/email/edit');
    const first = await client.post('/profile/2fa/email/edit', { action: 'send', email: typo });
    expect(first.status).toBe(200);
    app.clock.advance(61_000);
    const other = `other.${email}`;
    app.mail.refused.add(other);
    const failed = await client.post('/profile/2fa/email/edit', {
      action: 'send',
      setup_id: hiddenValue(first, 'setup_id'),
      email: other,
    });
    expect(failed.status).toBe(503);
    expect(textOf(failed.body)).toContain(NOT_SENT);
    expect(failed.body).toContain(`value="${other}"`);
    expect(failed.body).not.toContain(typo);
    expect(failed.body).not.toContain('name="setup_id"');

    // Asked again at once, with the relay back: the code comes, and the change goes through.
    app.mail.refused.clear();
    const since = app.mail.messages.length;
    const sent = await client.post('/profile/2fa/email/edit', { action: 'send', email: other });
    expect(sent.status).toBe(200);
    const mail = await app.mail.waitFor(other, /verification code/, { since });
    const done = await client.post('/profile/2fa/email/edit', {
      action: 'confirm',
      setup_id: hiddenValue(sent, 'setup_id'),
      email: other,
      code: codeIn(mail),
    });
    expect(done.status).toBe(303);
    expect(done.location).toBe('/profile/2fa');
  });
});
