/**
 * Anyone may register, or add to their own account, an address that is not theirs. Its owner
 * then gets a "Verify" mail like any other; pressing it must not hand the address to an account
 * whose password a stranger chose (account pre-hijacking: the stranger would wait for the owner
 * to verify, sign in, and hold an account the owner believes is theirs). The link needs the
 * account's password as well, unless that account is signed in where the link is opened.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, PASSWORD, registerAndVerify, uniqueEmail } from '../helpers/flows.js';
import { linkIn, pathOf } from '../helpers/mail-capture.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import { signedInAdmin } from '../helpers/admin.js';

const STRANGER_PASSWORD = 'a stranger chose this one';

describe.each(DIALECTS)('claiming an address through its link (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  async function register(email: string, password: string) {
    const since = app.mail.messages.length;
    const client = new Client(app.app);
    expect((await client.submit('/register', { name: 'Someone', email, password })).status).toBe(
      200,
    );
    const mail = await app.mail.waitFor(email, /Verify your email address/, { since });
    return pathOf(linkIn(mail, '/verify-email'));
  }

  const tokenOf = (link: string) => new URL(link, 'http://x').searchParams.get('token') ?? '';

  async function verifiedOwner(email: string) {
    const row = await app.db
      .selectFrom('email_addresses')
      .select('user_id')
      .where('email_normalized', '=', email.toLowerCase())
      .where('verified_at', 'is not', null)
      .executeTakeFirst();
    return row?.user_id;
  }

  it("does not verify a stranger's registration with the owner's password", async () => {
    const email = uniqueEmail('owner');
    const ownLink = await register(email, PASSWORD);
    // The stranger registers the same address after the owner: theirs is the newest mail.
    const strangersLink = await register(email, STRANGER_PASSWORD);

    const owner = new Client(app.app);
    const page = await owner.get(strangersLink);
    expect(page.status).toBe(200);
    expect(page.body).toMatch(/<input[^>]+name="password"/);

    const empty = await owner.post('/verify-email', { token: tokenOf(strangersLink) });
    expect(empty.status).toBe(422);
    expect(textOf(empty.body)).toContain('Fill in “Password”.');

    const wrong = await owner.post('/verify-email', {
      token: tokenOf(strangersLink),
      password: PASSWORD,
    });
    expect(wrong.status).toBe(422);
    expect(textOf(wrong.body)).toContain(
      'This is not the password of the account this link is for.',
    );
    expect(await verifiedOwner(email)).toBeUndefined();
    expect((await logIn(new Client(app.app), email, STRANGER_PASSWORD)).status).toBe(401);

    // The owner's own link, with the owner's password, verifies the owner's account.
    const right = await owner.post('/verify-email', {
      token: tokenOf(ownLink),
      password: PASSWORD,
    });
    expect(right.status).toBe(303);
    expect(right.location).toBe('/login');
    expect((await logIn(new Client(app.app), email, PASSWORD)).status).toBe(303);
    expect((await logIn(new Client(app.app), email, STRANGER_PASSWORD)).status).toBe(401);
    // The stranger's claim is gone with its link.
    expect((await owner.get(strangersLink)).status).toBe(400);
  });

  it('audits the claims it drops when the owner proves the address, and names removed accounts', async () => {
    const email = uniqueEmail('dropped');
    const ownLink = await register(email, PASSWORD);
    await register(email, STRANGER_PASSWORD);
    const claimants = await app.db
      .selectFrom('email_addresses')
      .select(['id', 'user_id'])
      .where('email_normalized', '=', email.toLowerCase())
      .execute();
    expect(claimants).toHaveLength(2);
    // A verified account that only added the address loses that claim, not the account.
    const adder = new Client(app.app);
    const added = await registerAndVerify(app, adder, { password: STRANGER_PASSWORD });
    await logIn(adder, added.email, STRANGER_PASSWORD);
    expect((await adder.submit('/profile/emails', { email })).status).toBe(303);

    const right = await new Client(app.app).post('/verify-email', {
      token: tokenOf(ownLink),
      password: PASSWORD,
    });
    expect(right.status).toBe(303);
    const owner = await verifiedOwner(email);
    const stranger = claimants.find((c) => c.user_id !== owner)?.user_id ?? '';
    const events = await app.db
      .selectFrom('audit_events')
      .select(['event', 'actor_user_id', 'target_user_id', 'details'])
      .where('event', 'in', ['user.removed_unverified', 'email.removed'])
      .where('actor_user_id', '=', owner ?? '')
      .orderBy('event')
      .execute();
    expect(events).toEqual([
      {
        event: 'email.removed',
        actor_user_id: owner,
        target_user_id: added.userId,
        details: JSON.stringify({ email, reason: 'verified_elsewhere' }),
      },
      {
        event: 'user.removed_unverified',
        actor_user_id: owner,
        target_user_id: stranger,
        details: JSON.stringify({ email, reason: 'verified_elsewhere' }),
      },
    ]);
    expect(
      await app.db.selectFrom('users').select('id').where('id', '=', stranger).executeTakeFirst(),
    ).toBeUndefined();

    // In the console the removed account is named as removed, never a link to a missing page.
    const admin = await signedInAdmin(app);
    const log = (await admin.client.get('/admin/audit?event=user.removed_unverified')).body;
    expect(textOf(log)).toContain(
      'Unverified account removed: another account verified its email address',
    );
    expect(textOf(log)).toContain(`Account removed ${stranger}`);
    expect(textOf(log)).toContain('Reason: another account verified the address');
    expect(log).not.toContain(`href="/admin/users/${stranger}"`);
  });

  /*
   * Two registrations of one address whose links are used at the same moment: each
   * transaction holds its own address and wants the other's, and PostgreSQL may end one in a
   * deadlock. One account gets the address, the other a dead link; neither a server error.
   */
  it('gives the address to one of two registrations whose links are used at once', async () => {
    for (let round = 0; round < 4; round++) {
      const email = uniqueEmail(`both${round}`);
      const links = [await register(email, PASSWORD), await register(email, STRANGER_PASSWORD)];
      const answers = await Promise.all(
        links.map((link, i) =>
          new Client(app.app).post('/verify-email', {
            token: tokenOf(link),
            password: i === 0 ? PASSWORD : STRANGER_PASSWORD,
          }),
        ),
      );
      expect(answers.map((a) => a.status).sort(), `round ${round}`).toEqual([303, 400]);
      expect(await verifiedOwner(email)).toBeDefined();
    }
  });

  it("does not verify an address a stranger added to their account, from the owner's mailbox", async () => {
    const stranger = new Client(app.app);
    const account = await registerAndVerify(app, stranger, { password: STRANGER_PASSWORD });
    await logIn(stranger, account.email, STRANGER_PASSWORD);
    const victim = uniqueEmail('victim');
    const since = app.mail.messages.length;
    expect((await stranger.submit('/profile/emails', { email: victim })).status).toBe(303);
    const link = pathOf(
      linkIn(await app.mail.waitFor(victim, /Verify/, { since }), '/verify-email'),
    );

    // The owner of the mailbox, not signed in, is asked for a password they do not have.
    const owner = new Client(app.app);
    expect((await owner.get(link)).body).toMatch(/<input[^>]+name="password"/);
    const refused = await owner.post('/verify-email', { token: tokenOf(link), password: PASSWORD });
    expect(refused.status).toBe(422);
    expect(await verifiedOwner(victim)).toBeUndefined();

    // Someone signed in to another account is asked too.
    const other = new Client(app.app);
    const otherAccount = await registerAndVerify(app, other);
    await logIn(other, otherAccount.email);
    expect((await other.get(link)).body).toMatch(/<input[^>]+name="password"/);
    expect((await other.post('/verify-email', { token: tokenOf(link) })).status).toBe(422);
    expect(await verifiedOwner(victim)).toBeUndefined();
  });

  it('limits password guesses at a link, and keeps the link working for its password', async () => {
    const email = uniqueEmail('guess');
    const link = await register(email, PASSWORD);
    const guesser = new Client(app.app);
    await guesser.get(link);
    const answers: number[] = [];
    for (let i = 0; i < 11; i++) {
      const page = await guesser.post('/verify-email', {
        token: tokenOf(link),
        password: `guess number ${i}`,
      });
      answers.push(page.status);
    }
    expect(answers.slice(0, 10)).toEqual(Array(10).fill(422));
    expect(answers[10]).toBe(429);
    // Each wrong password is in the audit log, as at log-in, with where it was tried.
    const failed = await app.db
      .selectFrom('audit_events')
      .innerJoin('email_addresses', 'email_addresses.user_id', 'audit_events.target_user_id')
      .select('audit_events.details')
      .where('audit_events.event', '=', 'password.check_failed')
      .where('email_addresses.email', '=', email)
      .execute();
    expect(failed).toHaveLength(10);
    expect(JSON.parse(failed[0]?.details ?? '{}')).toEqual({ where: 'verification_link' });
    // Past the limit even the right password waits.
    const blocked = await guesser.post('/verify-email', {
      token: tokenOf(link),
      password: PASSWORD,
    });
    expect(blocked.status).toBe(429);
    expect(await verifiedOwner(email)).toBeUndefined();
    app.clock.advance(16 * 60_000);
    const later = await guesser.post('/verify-email', { token: tokenOf(link), password: PASSWORD });
    expect(later.status).toBe(303);
    expect(await verifiedOwner(email)).toBeDefined();
  });

  it('asks nothing more of the account that is signed in where the link opens', async () => {
    const client = new Client(app.app);
    const account = await registerAndVerify(app, client);
    await logIn(client, account.email);
    const second = uniqueEmail('second');
    const since = app.mail.messages.length;
    await client.submit('/profile/emails', { email: second });
    const link = pathOf(
      linkIn(await app.mail.waitFor(second, /Verify/, { since }), '/verify-email'),
    );
    const page = await client.get(link);
    expect(page.body).not.toMatch(/name="password"/);
    const verified = await client.post('/verify-email', { token: tokenOf(link) });
    expect(verified.status).toBe(303);
    expect(verified.location).toBe('/profile/emails');
    expect(await verifiedOwner(second)).toBe(account.userId);
  });
});
