/**
 * A password-reset link is a key to the account sent through email. If it worked twice, never
 * expired, or signed the person in, then anyone who sees the mail later (a shared mailbox, a
 * forwarded message, a mail scanner, a browser history) could take the account, and a reset
 * would bypass two-factor authentication. These tests pin SPEC §4 "password reset": single
 * use, 30 minutes, never a session, every session ended, the owner notified.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../../src/clock.js';
import { Client, textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, PASSWORD, registerAndVerify, uniqueEmail } from '../helpers/flows.js';
import type { CapturedMail } from '../helpers/mail-capture.js';
import { linkIn, pathOf } from '../helpers/mail-capture.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import { auditCount, passwordRow, sessionCount } from '../helpers/two-factor.js';

const NEW_PASSWORD = 'my brand new passphrase';
const DEAD_LINK = 'The reset link is wrong, was already used, or has expired.';
const SAME_PASSWORD = 'Choose a password that is different from your current one.';

describe.each(DIALECTS)('password reset (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  async function requestResetMail(email: string): Promise<CapturedMail> {
    const since = app.mail.messages.length;
    const page = await new Client(app.app).submit('/password/forgot', { email });
    expect(page.status).toBe(200);
    return app.mail.waitFor(email, /Reset your password/, { since });
  }

  /** Opens the link from the mail and submits the form on that page, as a person would. */
  async function useLink(client: Client, mail: CapturedMail, password = NEW_PASSWORD) {
    const link = linkIn(mail, '/password/reset');
    const form = await client.get(pathOf(link));
    if (form.status !== 200) return form;
    const token = /name="token" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    return client.post('/password/reset', {
      token,
      new_password: password,
      confirm_password: password,
    });
  }

  it('sets the new password once, without signing in, and tells the owner', async () => {
    const { email } = await registerAndVerify(app, new Client(app.app));
    const mail = await requestResetMail(email);
    expect(mail.text).toContain('valid for 30 minutes');

    const client = new Client(app.app);
    const since = app.mail.messages.length;
    const done = await useLink(client, mail);
    expect(done.status).toBe(303);
    expect(done.location).toBe('/login');
    expect(client.cookies.has('portico_session')).toBe(false);
    const notice = await client.follow(done);
    expect(textOf(notice.body)).toContain('Log in with your new password.');
    const profile = await client.get('/profile');
    expect(profile.status).toBe(303);
    expect(profile.location).toMatch(/^\/login/);

    const changed = await app.mail.waitFor(email, /password was changed/, { since });
    // What a reset did: every session ended (none is kept, unlike a change), devices forgotten.
    expect(changed.text).toContain('was reset on');
    expect(changed.text).toContain(
      'Every session was signed out, and every device remembered for two-factor sign-in was forgotten.',
    );
    expect(changed.text).not.toContain('All other sessions');

    expect((await logIn(new Client(app.app), email, PASSWORD)).status).toBe(401);
    expect((await logIn(new Client(app.app), email, NEW_PASSWORD)).status).toBe(303);

    // The same link again, even from the same browser, does nothing.
    const again = await useLink(new Client(app.app), mail, 'yet another passphrase');
    expect(again.status).toBe(400);
    expect(textOf(again.body)).toContain(DEAD_LINK);
    expect((await logIn(new Client(app.app), email, NEW_PASSWORD)).status).toBe(303);
  });

  it('refuses a link older than 30 minutes', async () => {
    const { email } = await registerAndVerify(app, new Client(app.app));
    const mail = await requestResetMail(email);
    const client = new Client(app.app);
    const form = await client.get(pathOf(linkIn(mail, '/password/reset')));
    expect(form.status).toBe(200);
    app.clock.advance(30 * MINUTE_MS + 1000);
    const late = await client.post('/password/reset', {
      token: new URL(linkIn(mail, '/password/reset')).searchParams.get('token') ?? '',
      new_password: NEW_PASSWORD,
      confirm_password: NEW_PASSWORD,
    });
    expect(late.status).toBe(400);
    expect(textOf(late.body)).toContain(DEAD_LINK);
    expect((await client.get(pathOf(linkIn(mail, '/password/reset')))).status).toBe(400);
    expect((await logIn(new Client(app.app), email, PASSWORD)).status).toBe(303);
  });

  it('still works just before 30 minutes', async () => {
    const { email } = await registerAndVerify(app, new Client(app.app));
    const mail = await requestResetMail(email);
    app.clock.advance(29 * MINUTE_MS);
    expect((await useLink(new Client(app.app), mail)).status).toBe(303);
  });

  it('ends every session of the account, including the one in the browser that resets', async () => {
    const { email } = await registerAndVerify(app, new Client(app.app));
    const here = new Client(app.app);
    const elsewhere = new Client(app.app);
    await logIn(here, email);
    await logIn(elsewhere, email);
    const mail = await requestResetMail(email);
    const done = await useLink(here, mail);
    expect(done.status).toBe(303);
    expect(here.cookies.has('portico_session')).toBe(false);
    expect((await here.get('/profile')).status).toBe(303);
    expect((await elsewhere.get('/profile')).status).toBe(303);
    const userId = (
      await app.db
        .selectFrom('email_addresses')
        .select('user_id')
        .where('email_normalized', '=', email.toLowerCase())
        .executeTakeFirstOrThrow()
    ).user_id;
    expect(
      await app.db.selectFrom('sessions').select('id_hash').where('user_id', '=', userId).execute(),
    ).toEqual([]);
  });

  it('keeps only the newest link: an older one dies when another is sent, or one is used', async () => {
    const { email } = await registerAndVerify(app, new Client(app.app));
    const first = await requestResetMail(email);
    const second = await requestResetMail(email);
    expect(linkIn(second, '/password/reset')).not.toBe(linkIn(first, '/password/reset'));
    expect((await useLink(new Client(app.app), first, 'an older link password')).status).toBe(400);
    // So does the one an "account exists" mail carries, when someone registers the address.
    const since = app.mail.messages.length;
    await new Client(app.app).submit('/register', { name: 'Again', email, password: PASSWORD });
    const exists = await app.mail.waitFor(email, /Someone tried to register/, { since });
    expect((await useLink(new Client(app.app), second, 'a second link password')).status).toBe(400);
    expect((await useLink(new Client(app.app), exists)).status).toBe(303);
  });

  it('checks the new password like registration does, and changes nothing on error', async () => {
    const { email } = await registerAndVerify(app, new Client(app.app));
    const mail = await requestResetMail(email);
    const client = new Client(app.app);
    await client.get(pathOf(linkIn(mail, '/password/reset')));
    const token = new URL(linkIn(mail, '/password/reset')).searchParams.get('token') ?? '';
    const short = await client.post('/password/reset', {
      token,
      new_password: 'short',
      confirm_password: 'short',
    });
    expect(short.status).toBe(422);
    expect(textOf(short.body)).toContain('Use a password of at least 12 characters');
    const mismatch = await client.post('/password/reset', {
      token,
      new_password: NEW_PASSWORD,
      confirm_password: NEW_PASSWORD + 'x',
    });
    expect(mismatch.status).toBe(422);
    expect(textOf(mismatch.body)).toContain('The two new passwords do not match.');
    expect((await logIn(new Client(app.app), email, PASSWORD)).status).toBe(303);
    // The link still works after the failed tries.
    expect((await useLink(new Client(app.app), mail)).status).toBe(303);
  });

  it('refuses the current password as the new one, on the field, and keeps everything as it was', async () => {
    const { email, userId } = await registerAndVerify(app, new Client(app.app));
    const elsewhere = new Client(app.app);
    await logIn(elsewhere, email);
    const mail = await requestResetMail(email);
    const credentials = () => passwordRow(app, userId);
    const before = await credentials();
    const since = app.mail.messages.length;

    const client = new Client(app.app);
    const same = await useLink(client, mail, PASSWORD);
    expect(same.status).toBe(422);
    expect(same.body).toMatch(
      /<p class="error-message" id="new_password-error">\s*Choose a password that is different/,
    );
    expect(same.body).toMatch(/aria-describedby="new_password-hint new_password-error"/);
    expect(textOf(same.body)).toContain(SAME_PASSWORD);
    expect(await credentials()).toEqual(before);
    expect(await sessionCount(app, userId)).toBe(1);
    expect((await elsewhere.get('/profile')).status).toBe(200);
    expect(await auditCount(app, 'password.reset', userId)).toBe(0);
    await app.services.postman.drain();
    expect(app.mail.messages.slice(since).map((m) => m.subject)).toEqual([]);

    const token = /name="token" value="([^"]+)"/.exec(same.body)?.[1] ?? '';
    const dutch = await client.post(
      '/password/reset',
      { token, new_password: PASSWORD, confirm_password: PASSWORD },
      { 'accept-language': 'nl' },
    );
    expect(dutch.status).toBe(422);
    expect(textOf(dutch.body)).toContain('Kies een ander wachtwoord dan je huidige.');

    // The link was not used up: a different password still goes through.
    expect((await logIn(new Client(app.app), email, PASSWORD)).status).toBe(303);
    expect((await useLink(new Client(app.app), mail)).status).toBe(303);
    expect((await logIn(new Client(app.app), email, NEW_PASSWORD)).status).toBe(303);
  });

  /** Registers through the form and leaves the address unverified; answers the account's id. */
  async function registerOnly(email: string, password = PASSWORD, name = 'Walt Waiting') {
    const since = app.mail.messages.length;
    const page = await new Client(app.app).submit('/register', { name, email, password });
    expect(page.status).toBe(200);
    await app.mail.waitFor(email, /Verify your email address/, { since });
  }

  const holders = (email: string) =>
    app.db
      .selectFrom('email_addresses')
      .select(['user_id', 'verified_at'])
      .where('email_normalized', '=', email.toLowerCase())
      .execute();

  /*
   * Registered, never opened the verification link, and forgot the password: the link needs
   * the password, logging in needs the link. A reset link mailed to the address proves the
   * mailbox as the verification link does, and the one who reads it chooses the password, so
   * nobody else's password comes with the account.
   */
  it('mails a registration still waiting for its link, and the new password verifies the address', async () => {
    const email = uniqueEmail('waiting');
    await registerOnly(email);
    const mail = await requestResetMail(email);
    // The mailbox is not yet known to be the account's: no greeting with the name typed.
    expect(mail.text.split('\n')[0]).toBe('Hello,');
    expect(mail.text).not.toContain('Walt Waiting');
    expect(mail.text).toContain('Your email address is not verified yet');
    expect(mail.text).toContain('valid for 30 minutes');

    const done = await useLink(new Client(app.app), mail);
    expect(done.status).toBe(303);
    expect(done.location).toBe('/login');
    const [address] = await holders(email);
    expect(address?.verified_at).not.toBeNull();
    const userId = address?.user_id ?? '';
    expect(await auditCount(app, 'email.verified', userId)).toBe(1);
    expect(await auditCount(app, 'password.reset', userId)).toBe(1);
    expect((await logIn(new Client(app.app), email, PASSWORD)).status).toBe(401);
    const login = await logIn(new Client(app.app), email, NEW_PASSWORD);
    expect(login.status).toBe(303);
    expect(login.location).toBe('/');
    // Used once, like any reset link.
    expect((await useLink(new Client(app.app), mail, 'yet another passphrase')).status).toBe(400);
    // The notice that the password changed greets without the typed name too.
    const changed = await app.mail.waitFor(email, /password was changed/);
    expect(changed.text.split('\n')[0]).toBe('Hello,');
    expect(changed.text).not.toContain('Walt Waiting');
  });

  /*
   * Two registrations of one address, each with a reset link (each was the newest when it
   * asked), used at the same moment: each transaction holds its own address and wants the
   * other's, and PostgreSQL may end one in a deadlock. One gets the address, the other a dead
   * link; neither a server error.
   */
  it('lets one of two registrations of an address take it when both links are used at once', async () => {
    for (let round = 0; round < 4; round++) {
      const email = uniqueEmail(`race${round}`);
      await registerOnly(email, 'the first password typed');
      const first = await requestResetMail(email);
      await registerOnly(email, 'the second password typed');
      const second = await requestResetMail(email);
      const answers = await Promise.all(
        [first, second].map((mail) => useLink(new Client(app.app), mail)),
      );
      expect(answers.map((a) => a.status).sort(), `round ${round}`).toEqual([303, 400]);
      const left = await holders(email);
      expect(left).toHaveLength(1);
      expect(left[0]?.verified_at).not.toBeNull();
      expect((await logIn(new Client(app.app), email, NEW_PASSWORD)).status).toBe(303);
    }
    // An hour on: the forms' counts for this client's network start afresh for the next test.
    app.clock.advance(61 * MINUTE_MS);
  });

  it('resets the newest registration of an address waiting for its link and drops the others', async () => {
    const email = uniqueEmail('twice');
    await registerOnly(email, 'the first password typed');
    await registerOnly(email, 'the second password typed');
    expect(await holders(email)).toHaveLength(2);
    const since = app.mail.messages.length;
    const mail = await requestResetMail(email);
    await app.services.postman.drain();
    expect(
      app.mail.messages.slice(since).filter((m) => m.to.includes(email) && /Reset/.test(m.subject)),
    ).toHaveLength(1);
    expect((await useLink(new Client(app.app), mail)).status).toBe(303);
    const left = await holders(email);
    expect(left).toHaveLength(1);
    expect(left[0]?.verified_at).not.toBeNull();
    for (const password of ['the first password typed', 'the second password typed'])
      expect((await logIn(new Client(app.app), email, password)).status).toBe(401);
    expect((await logIn(new Client(app.app), email, NEW_PASSWORD)).status).toBe(303);
  });

  /*
   * Anyone may add someone else's address to their own account: it stays unverified there.
   * A reset link to it would let whoever reads that mailbox set the password of the account
   * that merely typed it, or, turned around, a link the account's owner asked for could go to
   * a mailbox they do not hold. Only an account's verified addresses, or the address of a
   * registration that has verified none, get a link.
   */
  it('mails nothing to an address another account only added, and resets no account through it', async () => {
    const stranger = new Client(app.app);
    const own = await registerAndVerify(app, stranger, { password: 'the stranger chose this' });
    await logIn(stranger, own.email, 'the stranger chose this');
    const victim = uniqueEmail('victim');
    const added = app.mail.messages.length;
    expect((await stranger.submit('/profile/emails', { email: victim })).status).toBe(303);
    await app.mail.waitFor(victim, /Verify the new address/, { since: added });
    const since = app.mail.messages.length;
    expect((await new Client(app.app).submit('/password/forgot', { email: victim })).status).toBe(
      200,
    );
    await app.services.postman.drain();
    expect(app.mail.messages.slice(since)).toEqual([]);

    // The owner of the mailbox registers it too, and forgets the password: their registration
    // gets the link, and once they chose a password the stranger's claim of it is gone.
    await registerOnly(victim, 'the owner forgot this one', 'Vic Owner');
    const mail = await requestResetMail(victim);
    expect((await useLink(new Client(app.app), mail)).status).toBe(303);
    const left = await holders(victim);
    expect(left).toHaveLength(1);
    expect(left[0]?.user_id).not.toBe(own.userId);
    expect((await logIn(new Client(app.app), victim, NEW_PASSWORD)).status).toBe(303);
    expect((await logIn(new Client(app.app), own.email, 'the stranger chose this')).status).toBe(
      303,
    );
  });

  it('says nothing about the current password to a dead link', async () => {
    const { email } = await registerAndVerify(app, new Client(app.app));
    const mail = await requestResetMail(email);
    expect((await useLink(new Client(app.app), mail)).status).toBe(303);
    const token = new URL(linkIn(mail, '/password/reset')).searchParams.get('token') ?? '';
    // Used once: the new password is now the current one, and a dead link is not told so.
    for (const password of [PASSWORD, NEW_PASSWORD]) {
      const again = await new Client(app.app).post('/password/reset', {
        token,
        new_password: password,
        confirm_password: password,
      });
      expect(again.status).toBe(400);
      expect(textOf(again.body)).toContain(DEAD_LINK);
      expect(textOf(again.body)).not.toContain(SAME_PASSWORD);
    }
  });
});
