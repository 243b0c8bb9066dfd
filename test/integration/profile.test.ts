import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, fieldError, textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, PASSWORD, registerAndVerify } from '../helpers/flows.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import { auditCount, passwordRow, sessionCount } from '../helpers/two-factor.js';

const NEW_PASSWORD = 'a fresh and long passphrase';
const SAME_PASSWORD = 'Choose a password that is different from your current one.';

describe.each(DIALECTS)('My Profile (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  async function signedIn() {
    const client = new Client(app.app);
    const account = await registerAndVerify(app, client, { name: 'Katherine Johnson' });
    await logIn(client, account.email);
    return { client, ...account };
  }

  it('needs a session', async () => {
    const client = new Client(app.app);
    for (const path of ['/profile', '/profile/password', '/profile/2fa', '/profile/emails']) {
      const page = await client.get(path);
      expect(page.status).toBe(303);
      expect(page.location).toBe(`/login?next=${encodeURIComponent(path)}`);
    }
  });

  it('shows the four sections in the order of the spec', async () => {
    const { client } = await signedIn();
    const page = await client.get('/profile');
    expect(page.status).toBe(200);
    const nav = /<nav class="profile-nav"[\s\S]*?<\/nav>/.exec(page.body)?.[0] ?? '';
    expect(textOf(nav)).toBe('My Profile Your account Your password Your 2FA Your email addresses');
    expect(nav).toMatch(/href="\/profile" aria-current="page"/);
  });

  it('saves the name and the preferred language, and then speaks that language', async () => {
    const { client, userId } = await signedIn();
    await client.get('/profile');
    const saved = await client.post('/profile', { name: '  Kathy Johnson ', locale: 'nl' });
    expect(saved.status).toBe(303);
    expect(saved.location).toBe('/profile');
    const page = await client.follow(saved);
    expect(page.body).toContain('<html lang="nl">');
    expect(page.body).toMatch(/<h1>Je account<\/h1>/);
    expect(textOf(page.body)).toContain('Je wijzigingen zijn opgeslagen.');
    expect(page.body).toContain('value="Kathy Johnson"');
    const user = await app.db
      .selectFrom('users')
      .select(['name', 'locale'])
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    expect(user).toEqual({ name: 'Kathy Johnson', locale: 'nl' });
    // The setting follows the account to another browser that asks for English.
    const other = new Client(app.app);
    const { email } = await app.db
      .selectFrom('email_addresses')
      .select('email')
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    await logIn(other, email);
    const elsewhere = await other.get('/profile', { 'accept-language': 'en' });
    expect(elsewhere.body).toContain('<html lang="nl">');
    // Saved again as it is: "saved", and no entry in the audit log for a change not made.
    const audited = () =>
      app.db
        .selectFrom('audit_events')
        .select('id')
        .where('event', '=', 'profile.updated')
        .where('actor_user_id', '=', userId)
        .execute();
    expect(await audited()).toHaveLength(1);
    const again = await client.post('/profile', { name: 'Kathy Johnson', locale: 'nl' });
    expect(textOf((await client.follow(again)).body)).toContain('Je wijzigingen zijn opgeslagen.');
    expect(await audited()).toHaveLength(1);
  });

  it('refuses an empty name or an unknown language with errors tied to the fields', async () => {
    const { client, userId } = await signedIn();
    await client.get('/profile');
    const page = await client.post('/profile', { name: '   ', locale: 'xx' });
    expect(page.status).toBe(422);
    expect(page.body).toMatch(/id="name-error"/);
    expect(page.body).toMatch(/aria-describedby="locale-error"/);
    expect(textOf(page.body)).toContain('Choose one of the listed languages.');
    const user = await app.db
      .selectFrom('users')
      .select('name')
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    expect(user.name).toBe('Katherine Johnson');
  });

  it('refuses a password change with a wrong current password (422, on the field)', async () => {
    const { client, email } = await signedIn();
    await client.get('/profile/password');
    const page = await client.post('/profile/password', {
      current_password: 'not my password at all',
      new_password: NEW_PASSWORD,
      confirm_password: NEW_PASSWORD,
    });
    expect(page.status).toBe(422);
    expect(page.body).toMatch(/id="current_password-error"/);
    expect(textOf(page.body)).toContain('Your current password is not correct.');
    expect((await logIn(new Client(app.app), email, PASSWORD)).status).toBe(303);
  });

  it('refuses a new password that does not match its confirmation', async () => {
    const { client, email } = await signedIn();
    await client.get('/profile/password');
    const page = await client.post('/profile/password', {
      current_password: PASSWORD,
      new_password: NEW_PASSWORD,
      confirm_password: `${NEW_PASSWORD}!`,
    });
    expect(page.status).toBe(422);
    expect(page.body).toMatch(/id="confirm_password-error"/);
    expect(textOf(page.body)).toContain('The two new passwords do not match.');
    expect((await logIn(new Client(app.app), email, NEW_PASSWORD)).status).toBe(401);
  });

  it('changes the password, says so, and mails the owner', async () => {
    const { client, email } = await signedIn();
    const form = await client.get('/profile/password');
    // The account's address, hidden, for a password manager to file the new password under.
    expect(form.body).toMatch(
      new RegExp(
        `name="username"\\s+autocomplete="username"\\s+value="${email.replace(/[.+]/g, '\\$&')}"`,
      ),
    );
    const since = app.mail.messages.length;
    const done = await client.post('/profile/password', {
      current_password: PASSWORD,
      new_password: NEW_PASSWORD,
      confirm_password: NEW_PASSWORD,
    });
    expect(done.status).toBe(303);
    expect(done.location).toBe('/profile/password');
    const page = await client.follow(done);
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/role="status"[^>]*>\s*Your password has been changed\./);
    const mail = await app.mail.waitFor(email, /password was changed/, { since });
    expect(mail.text).toMatch(/changed on \d{1,2} \w+ \d{4}/);
    expect(mail.text).toContain('every device remembered for two-factor sign-in was forgotten');
    expect((await logIn(new Client(app.app), email, PASSWORD)).status).toBe(401);
    expect((await logIn(new Client(app.app), email, NEW_PASSWORD)).status).toBe(303);
  });

  /** The password row and the account's sessions, to show that a refused change changed nothing. */
  async function credentialState(userId: string) {
    return { ...(await passwordRow(app, userId)), sessions: await sessionCount(app, userId) };
  }

  it('refuses the current password as the new one: nothing changes, no mail, no session ends', async () => {
    const { client, email, userId } = await signedIn();
    const elsewhere = new Client(app.app);
    await logIn(elsewhere, email);
    const before = await credentialState(userId);
    const session = client.cookies.get('portico_session');
    await client.get('/profile/password');
    const since = app.mail.messages.length;
    const page = await client.post('/profile/password', {
      current_password: PASSWORD,
      new_password: PASSWORD,
      confirm_password: PASSWORD,
    });
    expect(page.status).toBe(422);
    expect(fieldError(page.body, 'new_password')).toBe(SAME_PASSWORD);
    expect(fieldError(page.body, 'current_password')).toBeUndefined();
    expect(client.cookies.get('portico_session')).toBe(session);
    expect((await elsewhere.get('/profile')).status).toBe(200);
    expect(await credentialState(userId)).toEqual(before);
    expect(await auditCount(app, 'password.changed', userId)).toBe(0);
    await app.services.postman.drain();
    expect(app.mail.messages.slice(since).map((m) => m.subject)).toEqual([]);

    // In Dutch for a person who chose Dutch.
    expect(
      (await client.submit('/profile', { name: 'Katherine Johnson', locale: 'nl' })).status,
    ).toBe(303);
    await client.get('/profile/password');
    const dutch = await client.post('/profile/password', {
      current_password: PASSWORD,
      new_password: PASSWORD,
      confirm_password: PASSWORD,
    });
    expect(dutch.status).toBe(422);
    expect(fieldError(dutch.body, 'new_password')).toBe(
      'Kies een ander wachtwoord dan je huidige.',
    );
    expect((await logIn(new Client(app.app), email, PASSWORD)).status).toBe(303);
  });

  it('still reports a wrong current password first, whatever the new one is', async () => {
    const { client, email, userId } = await signedIn();
    const before = await credentialState(userId);
    await client.get('/profile/password');
    // The new password is the real one: answering "same as current" here would let a session
    // guess the password past the current-password check and its rate limit.
    const page = await client.post('/profile/password', {
      current_password: 'not my password at all',
      new_password: PASSWORD,
      confirm_password: PASSWORD,
    });
    expect(page.status).toBe(422);
    expect(fieldError(page.body, 'current_password')).toBe('Your current password is not correct.');
    expect(fieldError(page.body, 'new_password')).toBeUndefined();
    expect(await credentialState(userId)).toEqual(before);
    expect((await logIn(new Client(app.app), email, PASSWORD)).status).toBe(303);
  });
});
