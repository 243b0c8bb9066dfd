import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCodeAt } from '../../src/two-factor/totp/totp.js';
import { Client, fieldError, textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, registerAndVerify } from '../helpers/flows.js';
import { codeIn } from '../helpers/mail-capture.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import {
  confirmRemoval,
  followToCodes,
  hiddenValue,
  loggedOutUserWithEmail,
  recoveryCodesOf,
  TEST_META,
  nextStep,
  setUpApp,
  setUpEmail,
  setupKeyOf,
  wrongCode,
} from '../helpers/two-factor.js';

describe.each(DIALECTS)('two-factor journeys (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('sets up the app, shows recovery codes once, then asks for a code at log-in', async () => {
    const client = new Client(app.app);
    const { email } = await registerAndVerify(app, client);
    await logIn(client, email);
    const overview = await client.get('/profile/2fa');
    expect(textOf(overview.body)).toContain('Set up authentication app');
    const { secret, recoveryCodes, page } = await setUpApp(app, client);
    expect(page.status).toBe(200);
    expect(textOf(page.body)).toContain('Save your recovery codes');
    expect(recoveryCodes).toHaveLength(10);
    expect(textOf((await client.get('/profile/2fa')).body)).toContain('Edit authentication app');
    await app.mail.waitFor(email, /method added/);

    await client.post('/logout');
    const login = await logIn(client, email);
    expect(login.location).toBe('/login/2fa');
    expect((await client.get('/profile')).location).toMatch(/^\/login/);
    const challenge = await client.get('/login/2fa');
    expect(textOf(challenge.body)).toContain('Two-Factor Authentication');
    nextStep(app);
    const verified = await client.post('/login/2fa', {
      method: 'totp',
      code: totpCodeAt(secret, app.clock.now()),
    });
    expect(verified.status).toBe(303);
    expect((await client.get('/profile')).status).toBe(200);
  });

  it('says every mistake of the app set-up form at once, and counts no try for a code that could not be right', async () => {
    const client = new Client(app.app);
    const { email } = await registerAndVerify(app, client);
    await logIn(client, email);
    const setup = await client.get('/profile/2fa/app/new');
    const setupId = hiddenValue(setup, 'setup_id');
    const tries = async () =>
      (
        await app.db
          .selectFrom('rate_limits')
          .select('count')
          .where('key', '=', `setup-fail:${setupId}`)
          .executeTakeFirst()
      )?.count ?? 0;
    for (const code of ['12', '12345x', '1234567']) {
      const page = await client.post('/profile/2fa/app/new', { setup_id: setupId, name: '', code });
      expect(page.status, code).toBe(422);
      expect(fieldError(page.body, 'name'), code).toBe('Fill in “Authenticator Name”.');
      expect(fieldError(page.body, 'code'), code).toBe(
        'A code has 6 digits. Check it and try again.',
      );
    }
    const named = await client.post('/profile/2fa/app/new', {
      setup_id: setupId,
      name: 'Phone',
      code: '',
    });
    expect(fieldError(named.body, 'name')).toBeUndefined();
    expect(fieldError(named.body, 'code')).toBe('Enter the verification code.');
    expect(await tries()).toBe(0);
    // A code of the right shape is a try.
    await client.post('/profile/2fa/app/new', { setup_id: setupId, name: 'Phone', code: '000000' });
    expect(await tries()).toBe(1);
  });

  it('counts no try for an email code that could not be right, and reads full-width digits', async () => {
    const client = new Client(app.app);
    const { email } = await registerAndVerify(app, client);
    await logIn(client, email);
    await client.get('/profile/2fa/email/new');
    const since = app.mail.messages.length;
    const sent = await client.post('/profile/2fa/email/new', {
      action: 'send',
      name: 'Mail',
      email,
    });
    const setupId = hiddenValue(sent, 'setup_id');
    const code = codeIn(await app.mail.waitFor(email, /verification code/, { since }));
    const create = (typed: string) =>
      client.post('/profile/2fa/email/new', {
        action: 'create',
        setup_id: setupId,
        name: 'Mail',
        email,
        code: typed,
      });
    for (const typed of [`${code.slice(0, 3)}-${code.slice(3)}`, '12345', '1234567']) {
      const page = await create(typed);
      expect(page.status, typed).toBe(422);
      expect(fieldError(page.body, 'code'), typed).toBe(
        'A code has 6 digits. Check it and try again.',
      );
    }
    const tries = await app.db
      .selectFrom('rate_limits')
      .select('count')
      .where('key', '=', `setup-fail:${setupId}`)
      .executeTakeFirst();
    expect(tries?.count ?? 0).toBe(0);
    // As a Japanese or Chinese input method types them: the same code.
    const fullWidth = [...code].map((d) => String.fromCharCode(0xff10 + Number(d))).join('');
    expect((await followToCodes(client, await create(fullWidth))).status).toBe(200);
    const user = await app.services.admin.directory.findByEmail(email);
    expect((await app.services.twoFactor.methods.list(user?.id ?? '')).map((m) => m.type)).toEqual([
      'email',
    ]);
  });

  it('says the app set-up ended after its fifth wrong code, and that the key in the app is dead', async () => {
    const client = new Client(app.app);
    const { email } = await registerAndVerify(app, client);
    await logIn(client, email);
    const setup = await client.get('/profile/2fa/app/new');
    const setupId = hiddenValue(setup, 'setup_id');
    const key = setupKeyOf(setup);
    let page = setup;
    for (let n = 1; n <= 5; n++) {
      page = await client.post('/profile/2fa/app/new', {
        setup_id: setupId,
        name: 'Phone',
        code: wrongCode(app, key),
      });
      expect(page.status).toBe(422);
    }
    expect(fieldError(page.body, 'code')).toContain(
      'That set-up has ended (too many wrong codes, or it was left too long)',
    );
    expect(hiddenValue(page, 'setup_id')).not.toBe(setupId);
    expect(setupKeyOf(page)).not.toBe(key);
  });

  it('removes only the method its confirmation named, never one set up since', async () => {
    const client = new Client(app.app);
    const { email } = await registerAndVerify(app, client);
    await logIn(client, email);
    await setUpApp(app, client);
    // A confirmation left open in another tab while the app is removed and set up again.
    const stale = await client.get('/profile/2fa/app/remove');
    expect((await confirmRemoval(client, '/profile/2fa/app/remove')).status).toBe(303);
    const { recoveryCodes } = await setUpApp(app, client);
    const late = await client.post('/profile/2fa/app/remove', {
      method_id: hiddenValue(stale, 'method_id'),
    });
    expect(late.status).toBe(303);
    const overview = textOf((await client.follow(late)).body);
    expect(overview).toContain('This method does not exist any more.');
    expect(overview).toContain('Edit authentication app');
    const user = await app.services.admin.directory.findByEmail(email);
    expect(await app.services.twoFactor.methods.list(user?.id ?? '')).toHaveLength(1);
    expect(await app.services.twoFactor.recovery.remaining(user?.id ?? '')).toBe(
      recoveryCodes.length,
    );
  });

  it('saves a name only for the method its page showed, and says when that one is gone', async () => {
    const client = new Client(app.app);
    const { email } = await registerAndVerify(app, client);
    await logIn(client, email);
    await setUpApp(app, client);
    // The edit page left open in another tab while the app is removed.
    const stale = await client.get('/profile/2fa/app/edit');
    const rename = () =>
      client.post('/profile/2fa/app/edit', {
        method_id: hiddenValue(stale, 'method_id'),
        name: 'Renamed',
      });
    expect((await confirmRemoval(client, '/profile/2fa/app/remove')).status).toBe(303);
    const gone = await rename();
    expect(gone.location).toBe('/profile/2fa');
    expect(textOf((await client.follow(gone)).body)).toContain(
      'This method does not exist any more.',
    );
    // Set up again since: the old page's Save does not rename the new one.
    await setUpApp(app, client);
    const late = await rename();
    expect(textOf((await client.follow(late)).body)).toContain(
      'This method does not exist any more.',
    );
    const user = await app.services.admin.directory.findByEmail(email);
    const [method] = await app.services.twoFactor.methods.list(user?.id ?? '');
    expect(method?.name).not.toBe('Renamed');
  });

  it('answers a double-clicked removal as done, never as refused', async () => {
    const client = new Client(app.app);
    const { email } = await registerAndVerify(app, client);
    await logIn(client, email);
    await setUpApp(app, client);
    const confirm = await client.get('/profile/2fa/app/remove');
    const form = { method_id: hiddenValue(confirm, 'method_id') };
    const answers = await Promise.all(
      [1, 2].map(() => client.post('/profile/2fa/app/remove', form)),
    );
    expect(answers.map((a) => [a.status, a.location])).toEqual([
      [303, '/profile/2fa'],
      [303, '/profile/2fa'],
    ]);
  });

  it('never shows recovery codes that a newer set has replaced', async () => {
    const client = new Client(app.app);
    const { email } = await registerAndVerify(app, client);
    await logIn(client, email);
    await setUpApp(app, client);
    await client.get('/profile/2fa');
    expect((await client.post('/profile/2fa/recovery-codes')).location).toBe(
      '/profile/2fa/recovery-codes',
    );
    // Made again in another tab before this one's page opened.
    const user = await app.services.admin.directory.findByEmail(email);
    if (!user) throw new Error('no user');
    await app.services.twoFactor.regenerateRecoveryCodes(user, TEST_META);
    const stale = await client.get('/profile/2fa/recovery-codes');
    expect(stale.status).toBe(303);
    expect(stale.location).toBe('/profile/2fa');
    expect(textOf((await client.follow(stale)).body)).toContain(
      'Those recovery codes were replaced by a newer set',
    );
    // The page of the set that works still shows it.
    expect((await client.post('/profile/2fa/recovery-codes')).status).toBe(303);
    const fresh = await client.get('/profile/2fa/recovery-codes');
    expect(fresh.status).toBe(200);
    expect(recoveryCodesOf(fresh)).toHaveLength(10);
  });

  it('sets up email authentication and signs in with a mailed code', async () => {
    const client = new Client(app.app);
    const { email } = await registerAndVerify(app, client);
    await logIn(client, email);
    const { recoveryCodes } = await setUpEmail(app, client, email);
    expect(recoveryCodes).toHaveLength(10);
    await client.post('/logout');
    await logIn(client, email);
    const challenge = await client.get('/login/2fa');
    expect(textOf(challenge.body)).toMatch(/Send code to \S•••@example\.com/);
    // One code a minute per person: the set-up code was just sent.
    app.clock.advance(61_000);
    const since = app.mail.messages.length;
    const sent = await client.post('/login/2fa/send');
    expect(sent.status).toBe(303);
    const mail = await app.mail.waitFor(email, /verification code/, { since });
    // With a code on its way, its field comes first and the button asks for another.
    const waiting = textOf((await client.get(sent.location ?? '/login/2fa')).body);
    expect(waiting).toMatch(/Verification Code .* Verify Send a new code to \S•••@example\.com/);
    expect(waiting).not.toContain('Send code to');
    const verified = await client.post('/login/2fa', { method: 'email', code: codeIn(mail) });
    expect(verified.status).toBe(303);
    expect((await client.get('/profile')).status).toBe(200);
  });

  it('saves the email method under the name the form has when the code is entered, for the address the code went to', async () => {
    const client = new Client(app.app);
    const { email, userId } = await registerAndVerify(app, client);
    await logIn(client, email);
    await client.get('/profile/2fa/email/new');
    const since = app.mail.messages.length;
    const sent = await client.post('/profile/2fa/email/new', {
      action: 'send',
      name: 'Work mail',
      email,
    });
    // One form now: name, address, code, and the button that creates comes first.
    expect(sent.body.match(/action="\/profile\/2fa\/email\/new"/g)?.length).toBe(1);
    expect(sent.body.indexOf('value="create"')).toBeLessThan(sent.body.indexOf('value="send"'));
    const code = codeIn(await app.mail.waitFor(email, /verification code/, { since }));
    const setupId = hiddenValue(sent, 'setup_id');

    const otherAddress = await client.post('/profile/2fa/email/new', {
      action: 'create',
      setup_id: setupId,
      name: 'Work mail',
      email: `other.${email}`,
      code,
    });
    expect(otherAddress.status).toBe(422);
    expect(fieldError(otherAddress.body, 'email')).toBe(
      'The code was sent to another address. To use this one, send a code to it first.',
    );

    // A name left empty is asked for again, with the code step still there.
    const noName = await client.post('/profile/2fa/email/new', {
      action: 'create',
      setup_id: setupId,
      name: '',
      email,
      code,
    });
    expect(noName.status).toBe(422);
    expect(fieldError(noName.body, 'name')).toBeDefined();
    expect(hiddenValue(noName, 'setup_id')).toBe(setupId);
    expect(noName.body).toContain('name="code"');

    const created = await client.post('/profile/2fa/email/new', {
      action: 'create',
      setup_id: setupId,
      name: 'Renamed after the code',
      email,
      code,
    });
    expect(created.status).toBe(303);
    const methods = await app.services.twoFactor.methods.list(userId);
    expect(methods.map((m) => [m.name, m.email])).toEqual([['Renamed after the code', email]]);
  });

  it('accepts a recovery code once, read with 0, 1 and 8 for o, l and b', async () => {
    const client = new Client(app.app);
    const { email } = await registerAndVerify(app, client);
    await logIn(client, email);
    const { recoveryCodes } = await setUpApp(app, client);
    // A code with an o, l or b in it, typed as a reader of a printout might: 0, 1, 8.
    const code = recoveryCodes.find((c) => /[olb]/.test(c)) ?? '';
    expect(code).not.toBe('');
    const misread = code.replace(/o/g, '0').replace(/l/g, '1').replace(/b/g, '8');
    await client.post('/logout');
    await logIn(client, email);
    // Each method's page has a title of its own; the choice has the step's.
    const titleOf = async (path: string) =>
      /<title>([^<]*)<\/title>/.exec((await client.get(path)).body)?.[1];
    expect(await titleOf('/login/2fa?method=choose')).toBe(
      'Two-Factor Authentication · Portico Help Center',
    );
    expect(await titleOf('/login/2fa?method=totp')).toBe(
      'Use your authenticator app · Two-Factor Authentication · Portico Help Center',
    );
    expect(await titleOf('/login/2fa?method=recovery')).toBe(
      'Use a recovery code · Two-Factor Authentication · Portico Help Center',
    );
    // Sent empty, it asks for what the field is labelled, a recovery code.
    const empty = await client.post('/login/2fa', { method: 'recovery', code: '' });
    expect(empty.status).toBe(422);
    expect(fieldError(empty.body, 'code')).toBe('Enter one of your recovery codes.');
    const ok = await client.post('/login/2fa', {
      method: 'recovery',
      code: misread.toUpperCase(),
    });
    expect(ok.status).toBe(303);
    // The first page says a code is gone, and how many are left.
    expect(textOf((await client.follow(ok)).body)).toContain(
      'You logged in with a recovery code, which now no longer works. You have 9 left; you can make a new set under Your 2FA.',
    );
    await client.post('/logout');
    await logIn(client, email);
    await client.get('/login/2fa?method=recovery');
    const again = await client.post('/login/2fa', { method: 'recovery', code });
    expect(again.status).toBe(422);
    await app.mail.waitFor(email, /recovery code was used/);
  });

  // public/notices.js reads out what carries data-announce: "we sent a code" is news on the
  // page that answers the send, not on a form sent back with an error after it (where it
  // would follow the error as if a code had just gone out).
  it('reads out "we sent a code" only on the page that answers the send', async () => {
    const announcedSent = (body: string) => /data-announce>\s*We sent a 6-digit code/.test(body);
    const shownSent = (body: string) => /role="status">\s*We sent a 6-digit code/.test(body);

    // At log-in.
    const user = await loggedOutUserWithEmail(app, 2 * 60_000);
    await logIn(user.client, user.email);
    await user.client.get('/login/2fa?method=email');
    const sent = await user.client.follow(await user.client.post('/login/2fa/send'));
    expect(announcedSent(sent.body)).toBe(true);
    const wrong = await user.client.post('/login/2fa', { method: 'email', code: '000000' });
    expect(wrong.status).toBe(422);
    expect(shownSent(wrong.body)).toBe(true);
    expect(announcedSent(wrong.body)).toBe(false);
    const tooSoon = await user.client.post('/login/2fa/send');
    expect(shownSent(tooSoon.body)).toBe(true);
    expect(announcedSent(tooSoon.body)).toBe(false);

    // At set-up.
    const client = new Client(app.app);
    const { email } = await registerAndVerify(app, client);
    await logIn(client, email);
    await client.get('/profile/2fa/email/new');
    const setupSent = await client.post('/profile/2fa/email/new', {
      action: 'send',
      name: 'Mail',
      email,
    });
    expect(announcedSent(setupSent.body)).toBe(true);
    const setupWrong = await client.post('/profile/2fa/email/new', {
      action: 'create',
      setup_id: hiddenValue(setupSent, 'setup_id'),
      name: 'Mail',
      email,
      code: '000000',
    });
    expect(setupWrong.status).toBe(422);
    expect(shownSent(setupWrong.body)).toBe(true);
    expect(announcedSent(setupWrong.body)).toBe(false);
  });
});
