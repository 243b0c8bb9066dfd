/**
 * NIST SP 800-63B 5.1.1.2: a new password is compared against values known to be commonly
 * used, expected or compromised, and against words of the context (the person's name, the
 * service's name). Without the check, `Password123!` passes a length rule and falls to the
 * first thousand guesses of any list. These tests pin that every way a password is chosen
 * refuses such a password on its field, stores nothing, mails nothing, and keeps what the
 * person had; and that the refusal says nothing about whether an address has an account.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, fieldError, textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, PASSWORD, registerAndVerify, uniqueEmail } from '../helpers/flows.js';
import { linkIn, pathOf } from '../helpers/mail-capture.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import { auditCount, passwordRow, sessionCount } from '../helpers/two-factor.js';

const COMMON = 'Password123!';
const TOO_COMMON = 'This password is too common: many people use it, or one very like it.';
const STRONG = 'velvet harbour quietly ninety';

describe.each(DIALECTS)('easily guessed passwords (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  const userCount = async () =>
    Number(
      (
        await app.db
          .selectFrom('users')
          .select(app.db.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const credentials = (userId: string) => passwordRow(app, userId);

  it('refuses a common password at registration, on the field, keeping the name and address', async () => {
    const email = uniqueEmail('common');
    const users = await userCount();
    const since = app.mail.messages.length;
    const page = await new Client(app.app).submit('/register', {
      name: 'Ada Lovelace',
      email,
      password: COMMON,
    });
    expect(page.status).toBe(422);
    expect(fieldError(page.body, 'password')).toContain(TOO_COMMON);
    expect(page.body).toContain('value="Ada Lovelace"');
    expect(page.body).toContain(`value="${email}"`);
    expect(page.body).not.toContain(COMMON);
    expect(await userCount()).toBe(users);
    await app.services.postman.drain();
    expect(app.mail.messages.slice(since)).toEqual([]);

    const dutchClient = new Client(app.app);
    await dutchClient.get('/register');
    const dutch = await dutchClient.post(
      '/register',
      { name: 'Ada Lovelace', email, password: COMMON },
      { 'accept-language': 'nl' },
    );
    expect(dutch.status).toBe(422);
    expect(fieldError(dutch.body, 'password')).toContain('Dit wachtwoord is te gewoon');
  });

  it('says a password is too common in the same answer as a mistake in another field', async () => {
    const users = await userCount();
    const page = await new Client(app.app).submit('/register', {
      name: '',
      email: 'not an address',
      password: COMMON,
    });
    expect(page.status).toBe(422);
    expect(fieldError(page.body, 'name')).toBeTruthy();
    expect(fieldError(page.body, 'email')).toBeTruthy();
    expect(fieldError(page.body, 'password')).toContain(TOO_COMMON);
    expect(page.body).not.toContain(COMMON);
    // A strong one gets no word of its own beside the others' errors.
    const strong = await new Client(app.app).submit('/register', {
      name: '',
      email: 'not an address',
      password: STRONG,
    });
    expect(strong.status).toBe(422);
    expect(fieldError(strong.body, 'email')).toBeTruthy();
    expect(fieldError(strong.body, 'password')).toBeUndefined();
    expect(await userCount()).toBe(users);
  });

  it('refuses a password made of the person’s own name and address', async () => {
    const email = uniqueEmail('grace');
    const page = await new Client(app.app).submit('/register', {
      name: 'Grace Hopper',
      email,
      password: 'GraceHopper1906',
    });
    expect(page.status).toBe(422);
    expect(fieldError(page.body, 'password')).toContain(
      'it is made of your name, your email address or the name of this site',
    );
    const address = await new Client(app.app).submit('/register', {
      name: 'Grace Hopper',
      email,
      password: email,
    });
    expect(address.status).toBe(422);
  });

  it('gives the same refusal for an address that has an account and one that has none', async () => {
    const { email: taken } = await registerAndVerify(app, new Client(app.app));
    const since = app.mail.messages.length;
    const known = await new Client(app.app).submit('/register', {
      name: 'Someone',
      email: taken,
      password: COMMON,
    });
    const unknown = await new Client(app.app).submit('/register', {
      name: 'Someone',
      email: uniqueEmail('unknown'),
      password: COMMON,
    });
    expect(known.status).toBe(422);
    expect(unknown.status).toBe(known.status);
    const normalise = (body: string) =>
      textOf(body)
        .replace(/\S+@example\.com/g, 'EMAIL')
        .replace(/value="[^"]*"/g, '');
    expect(normalise(unknown.body)).toBe(normalise(known.body));
    // The owner is not told of a registration that was refused before it began.
    await app.services.postman.drain();
    expect(app.mail.to(taken).filter((mail) => mail.subject.includes('register'))).toEqual([]);
    expect(app.mail.messages.slice(since)).toEqual([]);
  });

  it('refuses a common new password under Your password: nothing changes, no mail, no session ends', async () => {
    const client = new Client(app.app);
    const { email, userId } = await registerAndVerify(app, client);
    await logIn(client, email);
    const elsewhere = new Client(app.app);
    await logIn(elsewhere, email);
    const before = await credentials(userId);
    await client.get('/profile/password');
    const since = app.mail.messages.length;
    const page = await client.post('/profile/password', {
      current_password: PASSWORD,
      new_password: 'letmein123456',
      confirm_password: 'letmein123456',
    });
    expect(page.status).toBe(422);
    expect(fieldError(page.body, 'new_password')).toContain(TOO_COMMON);
    expect(fieldError(page.body, 'current_password')).toBeUndefined();
    expect(await credentials(userId)).toEqual(before);
    expect(await sessionCount(app, userId)).toBe(2);
    expect((await elsewhere.get('/profile')).status).toBe(200);
    expect(await auditCount(app, 'password.changed', userId)).toBe(0);
    await app.services.postman.drain();
    expect(app.mail.messages.slice(since)).toEqual([]);

    // A wrong current password is still named first: the screen is no way around its limit.
    const wrong = await client.post('/profile/password', {
      current_password: 'not my password at all',
      new_password: 'letmein123456',
      confirm_password: 'letmein123456',
    });
    expect(fieldError(wrong.body, 'current_password')).toBe(
      'Your current password is not correct.',
    );
    expect(fieldError(wrong.body, 'new_password')).toBeUndefined();

    const changed = await client.post('/profile/password', {
      current_password: PASSWORD,
      new_password: STRONG,
      confirm_password: STRONG,
    });
    expect(changed.status).toBe(303);
    expect((await logIn(new Client(app.app), email, STRONG)).status).toBe(303);
  });

  it('refuses a common password from a reset link, and leaves the link usable', async () => {
    const { email, userId } = await registerAndVerify(app, new Client(app.app));
    const since = app.mail.messages.length;
    await new Client(app.app).submit('/password/forgot', { email });
    const mail = await app.mail.waitFor(email, /Reset your password/, { since });
    const client = new Client(app.app);
    const form = await client.get(pathOf(linkIn(mail, '/password/reset')));
    const token = /name="token" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    const before = await credentials(userId);
    const weak = await client.post('/password/reset', {
      token,
      new_password: '111111111111',
      confirm_password: '111111111111',
    });
    expect(weak.status).toBe(422);
    expect(fieldError(weak.body, 'new_password')).toContain('it repeats characters or a pattern');
    expect(await credentials(userId)).toEqual(before);
    expect(await auditCount(app, 'password.reset', userId)).toBe(0);
    expect((await logIn(new Client(app.app), email, PASSWORD)).status).toBe(303);

    const done = await client.post('/password/reset', {
      token,
      new_password: STRONG,
      confirm_password: STRONG,
    });
    expect(done.status).toBe(303);
    expect((await logIn(new Client(app.app), email, STRONG)).status).toBe(303);
  });
});
