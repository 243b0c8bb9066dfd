/**
 * A code already mailed for an email set-up must stay usable. Someone who pressed "Send
 * Verification Code", went back to Your 2FA and opened the set-up again got, on pressing it
 * again within the minute, only "Codes are sent at most once a minute" and no field to type
 * the code that was on its way (the fresh form named no set-up). The same on "change address".
 * Refused as too soon, the page now asks for the code of the set-up already under way.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { codeIn } from '../helpers/mail-capture.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import { emailCodesAudited, hiddenValue, setUpEmail, signedInUser } from '../helpers/two-factor.js';

const TOO_SOON =
  'Codes are sent at most once a minute, and one was sent to you less than a minute ago.';

describe.each(DIALECTS)('email set-up asked again within the minute (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('asks for the code already sent when the set-up is opened again', async () => {
    const user = await signedInUser(app);
    await user.client.get('/profile/2fa/email/new');
    const since = app.mail.messages.length;
    const sent = await user.client.post('/profile/2fa/email/new', {
      action: 'send',
      name: 'Work mail',
      email: user.email,
    });
    expect(sent.status).toBe(200);
    const code = codeIn(await app.mail.waitFor(user.email, /verification code/, { since }));

    await user.client.get('/profile/2fa');
    // Opened again, the page is already at the code step, for the address the code went to.
    const reopened = await user.client.get('/profile/2fa/email/new');
    expect(reopened.body).toContain('name="code"');
    expect(hiddenValue(reopened, 'setup_id')).toBe(hiddenValue(sent, 'setup_id'));
    // With the name typed before, not the default again.
    expect(reopened.body).toMatch(/name="name"[^>]*value="Work mail"/);
    app.clock.advance(20_000);
    const again = await user.client.post('/profile/2fa/email/new', {
      action: 'send',
      name: 'Work mail',
      email: user.email,
    });
    expect(again.status).toBe(429);
    expect(textOf(again.body)).toContain(TOO_SOON);
    expect(again.body).toContain('name="code"');
    expect(hiddenValue(again, 'setup_id')).toBe(hiddenValue(sent, 'setup_id'));

    const created = await user.client.post('/profile/2fa/email/new', {
      action: 'create',
      setup_id: hiddenValue(again, 'setup_id'),
      name: 'Work mail',
      email: user.email,
      code,
    });
    expect(created.status).toBe(303);
    expect(created.location).toBe('/profile/2fa/recovery-codes');
    // The code mailed is in the audit log with its address; the refused second one is not.
    expect(await emailCodesAudited(app, user.userId, 'setup')).toEqual([
      { purpose: 'setup', email: user.email },
    ]);
  });

  it('asks for the code already sent when a change of address is opened again', async () => {
    const user = await signedInUser(app);
    await setUpEmail(app, user.client, user.email);
    app.clock.advance(61_000);
    const other = `new.${user.email}`;
    await user.client.get('/profile/2fa/email/edit');
    const since = app.mail.messages.length;
    const sent = await user.client.post('/profile/2fa/email/edit', {
      action: 'change',
      email: other,
    });
    expect(sent.status).toBe(200);
    const code = codeIn(await app.mail.waitFor(other, /verification code/, { since }));

    await user.client.get('/profile/2fa');
    // Opened again: the code field for the address the code went to, with no new send.
    const reopened = await user.client.get('/profile/2fa/email/edit');
    expect(reopened.body).toContain('name="code"');
    expect(hiddenValue(reopened, 'setup_id')).toBe(hiddenValue(sent, 'setup_id'));
    app.clock.advance(20_000);
    const again = await user.client.post('/profile/2fa/email/edit', {
      action: 'change',
      email: other,
    });
    expect(again.status).toBe(429);
    expect(textOf(again.body)).toContain(TOO_SOON);
    expect(again.body).toContain('name="code"');

    const confirmed = await user.client.post('/profile/2fa/email/edit', {
      action: 'confirm',
      setup_id: hiddenValue(again, 'setup_id'),
      email: other,
      code,
    });
    expect(confirmed.status).toBe(303);
    expect(confirmed.location).toBe('/profile/2fa');
    expect(await emailCodesAudited(app, user.userId, 'change')).toEqual([
      { purpose: 'change', email: other },
    ]);
  });
  it('keeps a change of address waiting for its code when the name form is saved meanwhile', async () => {
    const user = await signedInUser(app);
    await setUpEmail(app, user.client, user.email);
    app.clock.advance(61_000);
    const other = `renamed.${user.email}`;
    await user.client.get('/profile/2fa/email/edit');
    const since = app.mail.messages.length;
    const sent = await user.client.post('/profile/2fa/email/edit', {
      action: 'change',
      email: other,
    });
    const code = codeIn(await app.mail.waitFor(other, /verification code/, { since }));
    // "Save" of the name form, pressed after typing the code into the form below it: the
    // name is saved, and the page says the address has not changed yet, asking for the code.
    expect(sent.body).toMatch(/<input type="hidden" name="setup_id"[^>]*>[\s\S]*?value="rename"/);
    const saved = await user.client.post('/profile/2fa/email/edit', {
      action: 'rename',
      name: 'Home mail',
      setup_id: hiddenValue(sent, 'setup_id'),
    });
    expect(saved.status).toBe(200);
    expect(textOf(saved.body)).toContain(
      `The name has been saved. Codes still go to ${user.email}: enter the code sent to ${other} and choose “Confirm new address”.`,
    );
    expect(saved.body).toContain('name="code"');
    // The name field shows the name just saved, so saving again keeps it.
    expect(saved.body).toMatch(/<input[^>]*name="name"[^>]*value="Home mail"/);
    const [method] = await app.services.twoFactor.methods.list(user.userId);
    expect(method).toMatchObject({ name: 'Home mail', email: user.email });
    const confirmed = await user.client.post('/profile/2fa/email/edit', {
      action: 'confirm',
      setup_id: hiddenValue(saved, 'setup_id'),
      email: other,
      code,
    });
    expect(confirmed.location).toBe('/profile/2fa');
    expect((await app.services.twoFactor.methods.list(user.userId))[0]?.email).toBe(other);
  });
});
