import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sql } from '../../src/db/kysely.js';
import { MINUTE_MS } from '../../src/clock.js';
import { Client, textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, PASSWORD, registerAndVerify, uniqueEmail } from '../helpers/flows.js';
import type { CapturedMail } from '../helpers/mail-capture.js';
import { linkIn, pathOf } from '../helpers/mail-capture.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import { newClient, savePolicy, setUpEmail } from '../helpers/two-factor.js';

describe.each(DIALECTS)('email addresses (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  async function signedIn(password = PASSWORD) {
    const client = new Client(app.app);
    const account = await registerAndVerify(app, client, { password });
    await logIn(client, account.email, password);
    return { client, ...account };
  }

  async function addressRow(userId: string, email: string) {
    return app.db
      .selectFrom('email_addresses')
      .selectAll()
      .where('user_id', '=', userId)
      .where('email_normalized', '=', email.toLowerCase())
      .executeTakeFirst();
  }

  /** Adds an address through the form; returns the verification mail sent to it. */
  async function add(client: Client, email: string): Promise<CapturedMail> {
    const since = app.mail.messages.length;
    const page = await client.submit('/profile/emails', { email });
    expect(page.status).toBe(303);
    expect(page.location).toBe('/profile/emails');
    expect(textOf((await client.follow(page)).body)).toContain(
      `We sent a verification link to ${email}.`,
    );
    return app.mail.waitFor(email, /Verify the new address/, { since });
  }

  /** Opens the link from the mail and presses its button. */
  async function verifyWith(client: Client, mail: CapturedMail) {
    const page = await client.get(pathOf(linkIn(mail, '/verify-email')));
    expect(page.status).toBe(200);
    const address = mail.to;
    expect(textOf(page.body)).toContain(
      `Press the button below to confirm that ${address} is your email address.`,
    );
    const token = /name="token" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    return client.post('/verify-email', { token });
  }

  it('adds an address, verifies it by the link in the mail, and signs in with it', async () => {
    const { client, userId } = await signedIn();
    const second = uniqueEmail('second');
    const mail = await add(client, second);
    // Greeted without the account's name: the mailbox has not shown it is the account's.
    expect(mail.text).toMatch(/^Hello,$/m);
    expect((await addressRow(userId, second))?.verified_at).toBeNull();
    // Not usable before it is verified.
    const early = new Client(app.app);
    expect((await logIn(early, second)).status).toBe(401);
    expect(early.cookies.has('portico_session')).toBe(false);

    const verified = await verifyWith(client, mail);
    expect(verified.status).toBe(303);
    expect(verified.location).toBe('/profile/emails');
    const list = await client.follow(verified);
    expect(textOf(list.body)).toContain('The email address is verified.');
    expect((await addressRow(userId, second))?.verified_at).not.toBeNull();
    expect((await logIn(new Client(app.app), second)).status).toBe(303);
  });

  it('adds an address pressed twice at once once, telling the second it is already there', async () => {
    const { client, userId, email } = await signedIn();
    const twice = `twice.${email}`;
    await client.get('/profile/emails');
    const answers = await Promise.all(
      [1, 2].map(() => client.post('/profile/emails', { email: twice })),
    );
    expect(answers.map((a) => a.status).sort()).toEqual([303, 422]);
    const refused = answers.find((a) => a.status === 422);
    expect(textOf(refused?.body ?? '')).toContain('already');
    const rows = await app.db
      .selectFrom('email_addresses')
      .select('id')
      .where('user_id', '=', userId)
      .where('email_normalized', '=', twice.toLowerCase())
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('keeps to ten addresses when several are added at once', async () => {
    const { userId, email } = await signedIn();
    const user = await app.services.admin.directory.find(userId);
    if (!user) throw new Error('no user');
    const { emailAddresses } = app.services.accounts;
    const meta = { ip: '127.0.0.1', userAgent: 'test' };
    const outcomes = await Promise.all(
      // Ten: as many as the hourly limit on adding lets through.
      Array.from({ length: 10 }, (_, i) => emailAddresses.add(user, `many${i}.${email}`, meta)),
    );
    expect(outcomes.filter((o) => o.ok)).toHaveLength(9);
    expect(outcomes.filter((o) => !o.ok).map((o) => !o.ok && o.error)).toEqual([
      'TOO_MANY_ADDRESSES',
    ]);
    const rows = await app.db
      .selectFrom('email_addresses')
      .select('id')
      .where('user_id', '=', userId)
      .execute();
    expect(rows).toHaveLength(10);
  });

  it('asks for the password again when the last sign-in is older than 10 minutes', async () => {
    const { client, userId } = await signedIn();
    app.clock.advance(11 * MINUTE_MS);
    const third = uniqueEmail('third');
    const refused = await client.submit('/profile/emails', { email: third });
    expect(refused.status).toBe(303);
    expect(refused.location).toMatch(/^\/reauth\?next=%2Fprofile%2Femails%3Femail%3D/);
    expect(await addressRow(userId, third)).toBeUndefined();

    const reauth = await client.follow(refused);
    expect(reauth.status).toBe(200);
    expect(textOf(reauth.body)).toContain('Confirm it’s you');
    const wrong = await client.post('/reauth', {
      password: 'not the password',
      next: '/profile/emails',
    });
    expect(wrong.status).toBe(422);
    expect(textOf(wrong.body)).toContain('The password is not correct.');
    const ok = await client.post('/reauth', { password: PASSWORD, next: '/profile/emails' });
    expect(ok.status).toBe(303);
    expect(ok.location).toBe('/profile/emails');
    await add(client, third);
    expect(await addressRow(userId, third)).toBeDefined();
  });

  it('makes a verified address primary, never an unverified one', async () => {
    const { client, userId, email } = await signedIn();
    const second = uniqueEmail('second');
    await verifyWith(client, await add(client, second));
    const unverified = uniqueEmail('pending');
    await add(client, unverified);
    const pendingRow = await addressRow(userId, unverified);
    await client.get('/profile/emails');
    const refused = await client.post(`/profile/emails/${pendingRow?.id}/primary`);
    expect(refused.status).toBe(409);
    expect(textOf(refused.body)).toContain('Only a verified address can be primary.');

    const secondRow = await addressRow(userId, second);
    const made = await client.post(`/profile/emails/${secondRow?.id}/primary`);
    expect(made.status).toBe(303);
    expect(textOf((await client.follow(made)).body)).toContain(
      `${second} is now your primary address.`,
    );
    expect((await addressRow(userId, second))?.is_primary).toBe(1);
    expect((await addressRow(userId, email))?.is_primary).toBe(0);
    // Mail now goes to the primary address.
    const since = app.mail.messages.length;
    await client.submit('/profile/password', {
      current_password: PASSWORD,
      new_password: 'another long passphrase',
      confirm_password: 'another long passphrase',
    });
    await app.mail.waitFor(second, /password was changed/, { since });
  });

  it('never removes the primary or the only verified address; removes a secondary one', async () => {
    const { client, userId, email } = await signedIn();
    const primary = await addressRow(userId, email);
    await client.get('/profile/emails');
    const onlyOne = await client.post(`/profile/emails/${primary?.id}/remove`);
    expect(onlyOne.status).toBe(409);
    expect(onlyOne.body).toMatch(/role="alert"/);
    expect(await addressRow(userId, email)).toBeDefined();

    const second = uniqueEmail('second');
    await verifyWith(client, await add(client, second));
    await client.get('/profile/emails');
    const stillPrimary = await client.post(`/profile/emails/${primary?.id}/remove`);
    expect(stillPrimary.status).toBe(409);
    expect(textOf(stillPrimary.body)).toContain(
      'Make another verified address primary before you remove this one.',
    );
    expect(await addressRow(userId, email)).toBeDefined();

    const secondRow = await addressRow(userId, second);
    const removed = await client.post(`/profile/emails/${secondRow?.id}/remove`);
    expect(removed.status).toBe(303);
    expect(textOf((await client.follow(removed)).body)).toContain(`${second} has been removed.`);
    expect(await addressRow(userId, second)).toBeUndefined();
    expect((await logIn(new Client(app.app), second)).status).toBe(401);
  });

  it('offers the address typed at log-in to the email method, while it is still verified', async () => {
    const { client, userId, email } = await signedIn();
    const second = uniqueEmail('second');
    await verifyWith(client, await add(client, second));
    const offered = async (c: Client, path = '/profile/2fa/email/new') => {
      const page = await c.get(path);
      expect(page.location).toBeUndefined();
      expect(page.status).toBe(200);
      return /name="email"[^>]*value="([^"]*)"/.exec(page.body)?.[1];
    };
    // Signed in with the primary address: that one.
    expect(await offered(client)).toBe(email);
    // Signed in with the second address: that one, not the primary.
    const other = new Client(app.app);
    expect((await logIn(other, second)).status).toBe(303);
    expect(await offered(other)).toBe(second);
    // Removed since: the primary address instead.
    const secondRow = await addressRow(userId, second);
    await client.get('/profile/emails');
    expect((await client.post(`/profile/emails/${secondRow?.id}/remove`)).status).toBe(303);
    expect(await offered(other)).toBe(email);
    // A set-up the policy requires at log-in offers it too. (Such a policy ends the sessions
    // of those without 2FA: last.)
    const third = uniqueEmail('third');
    await verifyWith(client, await add(client, third));
    await savePolicy(app, { require: 'all' });
    try {
      const pending = new Client(app.app);
      const loggedIn = await logIn(pending, third);
      expect(loggedIn.location).toBe('/login/2fa/setup');
      expect(await offered(pending, '/login/2fa/setup/email/new')).toBe(third);
    } finally {
      await savePolicy(app, {});
    }
  });

  it('says "already verified" to a second press of the link’s button, not that it does not work', async () => {
    const { client, userId } = await signedIn();
    const second = uniqueEmail('double');
    const mail = await add(client, second);
    // Opened where the account is not signed in: the button comes with the password, whose
    // check gives the second press time to pass the page's own "already verified" look.
    const elsewhere = new Client(app.app);
    const page = await elsewhere.get(pathOf(linkIn(mail, '/verify-email')));
    const token = /name="token" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    // A double click: both presses at once.
    const presses = await Promise.all([
      elsewhere.post('/verify-email', { token, password: PASSWORD }),
      elsewhere.post('/verify-email', { token, password: PASSWORD }),
    ]);
    expect(presses.map((p) => p.status).sort()).toEqual([200, 303]);
    const later = presses.find((p) => p.status === 200);
    expect(textOf(later?.body ?? '')).toContain('This address is already verified');
    expect((await addressRow(userId, second))?.verified_at).not.toBeNull();
  });

  it('ends the verification links of an account an administrator disables', async () => {
    const { client, userId, email } = await signedIn();
    const second = uniqueEmail('through-disable');
    const mail = await add(client, second);
    const actor = { actorLabel: 'test' };
    expect((await app.services.admin.accounts.disable(userId, actor)).ok).toBe(true);
    expect((await app.services.admin.accounts.enable(userId, actor)).ok).toBe(true);
    // Whoever holds the password and that mailbox gets no address of their own through it.
    const stranger = new Client(app.app);
    const page = await stranger.get(pathOf(linkIn(mail, '/verify-email')));
    expect(page.status).toBe(400);
    const token = /[?&]token=([^&\s"]+)/.exec(linkIn(mail, '/verify-email'))?.[1] ?? '';
    const pressed = await stranger.post('/verify-email', { token, password: PASSWORD });
    expect(pressed.status).toBe(400);
    expect((await addressRow(userId, second))?.verified_at).toBeNull();
    // The account itself works as before.
    expect((await logIn(new Client(app.app), email)).status).toBe(303);
  });

  // Another account proving the address between the add's commit and its link drops this
  // claim (proveAddress). A trigger stands in for that other account: it deletes the row as
  // soon as it is written.
  it.skipIf(dialect !== 'sqlite')(
    'asks to add an address again that was claimed away before its link was made',
    async () => {
      const { client, userId } = await signedIn();
      const contested = uniqueEmail('contested');
      await sql`create trigger claimed_away after insert on email_addresses
        when new.email_normalized = ${sql.lit(contested.toLowerCase())}
        begin delete from email_addresses where id = new.id; end`.execute(app.db);
      try {
        await client.get('/profile/emails');
        const page = await client.post('/profile/emails', { email: contested });
        expect(page.status).toBe(422);
        expect(textOf(page.body)).toContain(
          'The address could not be added this time. Add it again.',
        );
        expect(await addressRow(userId, contested)).toBeUndefined();
      } finally {
        await sql`drop trigger claimed_away`.execute(app.db);
      }
    },
  );

  it('acts only on the signed-in person’s own addresses', async () => {
    const victim = await signedIn();
    const victimSecond = uniqueEmail('victim');
    await verifyWith(victim.client, await add(victim.client, victimSecond));
    const row = await addressRow(victim.userId, victimSecond);
    const attacker = await signedIn();
    await attacker.client.get('/profile/emails');
    for (const action of ['remove', 'primary', 'resend']) {
      const page = await attacker.client.post(`/profile/emails/${row?.id}/${action}`);
      expect(page.status, action).toBe(404);
    }
    expect(await addressRow(victim.userId, victimSecond)).toMatchObject({ is_primary: 0 });
  });

  it('does not let a second account claim an address another account has verified', async () => {
    const owner = await signedIn();
    const claimer = await signedIn('the claimer own password');
    const mail = await add(claimer.client, owner.email);
    const claimed = await addressRow(claimer.userId, owner.email);
    expect(claimed?.verified_at).toBeNull();
    // Even with the link (the owner might click it), the address stays the owner's.
    const attempt = await verifyWith(claimer.client, mail);
    expect(attempt.status).toBe(400);
    expect(textOf(attempt.body)).toContain('already in use by another account');
    expect((await addressRow(claimer.userId, owner.email))?.verified_at).toBeNull();
    expect((await addressRow(owner.userId, owner.email))?.verified_at).not.toBeNull();
    // Signing in with the address and the claimer's password opens nothing.
    const asClaimer = await logIn(new Client(app.app), owner.email, 'the claimer own password');
    expect(asClaimer.status).toBe(401);
    const who = new Client(app.app);
    expect((await logIn(who, owner.email, PASSWORD)).status).toBe(303);
    const page = await who.get('/profile/emails');
    expect(textOf(page.body)).not.toContain(claimer.email);
  });

  it('refuses an address that is already on the account', async () => {
    const { client, email } = await signedIn();
    const page = await client.submit('/profile/emails', { email: email.toUpperCase() });
    expect(page.status).toBe(422);
    expect(textOf(page.body)).toContain('This address is already on your account.');
  });

  it('sends the link again on request, at most once a minute', async () => {
    const { client, userId } = await signedIn();
    const second = uniqueEmail('second');
    const first = await add(client, second);
    const row = await addressRow(userId, second);
    // The link just mailed is the minute's: pressed at once, the button sends none.
    await client.get('/profile/emails');
    const atOnce = await client.post(`/profile/emails/${row?.id}/resend`);
    expect(atOnce.status).toBe(429);
    app.clock.advance(2 * MINUTE_MS);
    await client.get('/profile/emails');
    const since = app.mail.messages.length;
    const resent = await client.post(`/profile/emails/${row?.id}/resend`);
    expect(resent.status).toBe(303);
    const again = await app.mail.waitFor(second, /Verify the new address/, { since });
    expect(linkIn(again, '/verify-email')).not.toBe(linkIn(first, '/verify-email'));
    const tooSoon = await client.post(`/profile/emails/${row?.id}/resend`);
    expect(tooSoon.status).toBe(429);
    expect(textOf(tooSoon.body)).toContain(
      'A new link can be sent once a minute. Try again in a minute.',
    );
    expect((await verifyWith(client, again)).status).toBe(303);
  });

  it('says so when the verification link could not be sent, never that it was', async () => {
    const { client, userId } = await signedIn();
    const second = uniqueEmail('refused');
    app.mail.refused.add(second.toLowerCase());
    try {
      const added = await client.submit('/profile/emails', { email: second });
      expect(added.status).toBe(303);
      const page = textOf((await client.get('/profile/emails')).body);
      expect(page).toContain(
        `${second} was added, but we could not send its verification link. Try “Send link again” in a moment.`,
      );
      expect(page).not.toContain('We sent a verification link');
      const row = await addressRow(userId, second);
      const resent = await client.post(`/profile/emails/${row?.id}/resend`);
      expect(resent.status).toBe(303);
      const after = textOf((await client.get('/profile/emails')).body);
      expect(after).toContain(`We could not send the link to ${second}. Try again in a minute.`);
      expect(after).not.toContain('We sent a new verification link');
    } finally {
      app.mail.refused.delete(second.toLowerCase());
    }
  });

  it('says when sign-in codes still go to an address just removed', async () => {
    const { client, userId } = await signedIn();
    const old = uniqueEmail('codes');
    await verifyWith(client, await add(client, old));
    await setUpEmail(app, client, old);
    await client.get('/profile/emails');
    const row = await addressRow(userId, old);
    const removed = await client.post(`/profile/emails/${row?.id}/remove`);
    expect(removed.status).toBe(303);
    expect(textOf((await client.follow(removed)).body)).toContain(
      `${old} has been removed. Your sign-in codes still go to it: if you no longer read that mailbox, change the address under Your 2FA.`,
    );
  });

  it('says, on the page and in the mail, that sign-in codes stay with their address when another becomes primary', async () => {
    // A network address of its own: the links opened here count against the address's limits.
    const client = newClient(app);
    const { userId, email } = await registerAndVerify(app, client);
    await logIn(client, email);
    await setUpEmail(app, client, email);
    const other = uniqueEmail('primary');
    await verifyWith(client, await add(client, other));
    await client.get('/profile/emails');
    const row = await addressRow(userId, other);
    await app.services.postman.drain();
    const since = app.mail.messages.length;
    const made = await client.post(`/profile/emails/${row?.id}/primary`);
    expect(made.status).toBe(303);
    expect(textOf((await client.follow(made)).body)).toContain(
      `${other} is now your primary address. Your sign-in codes still go to the address of your email authentication`,
    );
    const notice = await app.mail.waitFor(other, /addresses of your .* changed/, { since });
    expect(notice.text).toContain(`but sign-in codes still go to ${email}`);
    // Made primary again, the address the codes go to: nothing more to say.
    await client.get('/profile/emails');
    const back = await client.post(
      `/profile/emails/${(await addressRow(userId, email))?.id}/primary`,
    );
    const plain = textOf((await client.follow(back)).body);
    expect(plain).toContain(`${email} is now your primary address.`);
    expect(plain).not.toContain('still go to');
  });

  /*
   * An address is removed because its mailbox is no longer the owner's: a reset link already
   * sent there must not outlive it.
   */
  it('ends the reset links of an account when one of its addresses is removed', async () => {
    const { client, userId } = await signedIn();
    const old = uniqueEmail('old');
    await verifyWith(client, await add(client, old));
    const since = app.mail.messages.length;
    const stranger = new Client(app.app);
    await stranger.get('/password/forgot');
    expect((await stranger.submit('/password/forgot', { email: old })).status).toBe(200);
    await app.services.postman.drain();
    const link = pathOf(
      linkIn(await app.mail.waitFor(old, /Reset your password/, { since }), '/password/reset'),
    );
    expect((await stranger.get(link)).status).toBe(200);

    await client.get('/profile/emails');
    const row = await addressRow(userId, old);
    expect((await client.post(`/profile/emails/${row?.id}/remove`)).status).toBe(303);

    const page = await stranger.get(link);
    expect(page.status).toBe(400);
    const token = new URL(link, 'http://x').searchParams.get('token') ?? '';
    const refused = await stranger.submit('/password/reset', {
      token,
      new_password: 'a quite new passphrase 7',
      confirm_password: 'a quite new passphrase 7',
    });
    expect(refused.status).toBe(400);
    // The owner is still signed in: nothing was reset.
    expect((await client.get('/profile')).status).toBe(200);
  });

  /*
   * Whoever holds a session could add an address of their own, make it primary and reset the
   * password through it: each step is told to every verified address, and a removal to the
   * removed address too, so the owner hears of it.
   */
  it('tells every verified address when one is added, made primary or removed', async () => {
    const { client, userId, email } = await signedIn();
    await app.services.postman.drain();
    const registration = app.mail.to(email).length;
    const second = uniqueEmail('second');
    await verifyWith(client, await add(client, second));
    await app.services.postman.drain();
    const addedNotice = await app.mail.waitFor(email, /email addresses of your .* changed/);
    expect(addedNotice.text).toContain(`${second} was added to your account, and verified`);
    expect(app.mail.to(second).some((m) => /addresses of your/.test(m.subject))).toBe(true);

    await client.get('/profile/emails');
    const secondRow = await addressRow(userId, second);
    let since = app.mail.messages.length;
    await client.post(`/profile/emails/${secondRow?.id}/primary`);
    for (const to of [email, second]) {
      const notice = await app.mail.waitFor(to, /addresses of your .* changed/, { since });
      expect(notice.text).toContain(`${second} became the primary address of your account`);
    }

    since = app.mail.messages.length;
    const firstRow = await addressRow(userId, email);
    await client.post(`/profile/emails/${firstRow?.id}/remove`);
    for (const to of [email, second]) {
      const notice = await app.mail.waitFor(to, /addresses of your .* changed/, { since });
      expect(notice.text).toContain(`${email} was removed from your account`);
      // The removed address cannot reset the password: it is told whom to ask instead.
      expect(notice.text.includes('contact your helpdesk administrator at once')).toBe(
        to === email,
      );
    }

    // An address never verified is not told, and its removal tells no one.
    const unverified = uniqueEmail('never');
    await add(client, unverified);
    since = app.mail.messages.length;
    const row = await addressRow(userId, unverified);
    await client.post(`/profile/emails/${row?.id}/remove`);
    await app.services.postman.drain();
    expect(app.mail.messages.slice(since)).toEqual([]);
    // The registration's own verification told no one of an added address.
    expect(
      app.mail
        .to(email)
        .slice(0, registration)
        .some((m) => /addresses of your/.test(m.subject)),
    ).toBe(false);
  });
});
