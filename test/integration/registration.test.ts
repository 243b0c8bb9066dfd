import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, PASSWORD, registerAndVerify, uniqueEmail } from '../helpers/flows.js';
import { linkIn, pathOf } from '../helpers/mail-capture.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';

describe.each(DIALECTS)('registration and log in (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('registers, mails a verification link, and lets the person log in only after verifying', async () => {
    const client = new Client(app.app);
    const email = uniqueEmail('reg');
    const page = await client.submit('/register', {
      name: 'Ada Lovelace',
      email,
      password: PASSWORD,
    });
    expect(page.status).toBe(200);
    expect(textOf(page.body)).toContain(`We sent a message to ${email}`);

    // Before the address is verified, the right password reads as a wrong one does (a prober
    // who registered an address must not learn whether it had an account), with what to do.
    const early = await logIn(client, email);
    expect(early.status).toBe(401);
    expect(textOf(early.body)).toContain(
      'The email address or password is not correct. If you have just created your account, first open the verification link we emailed you.',
    );
    expect(client.cookies.has('portico_signin')).toBe(false);

    const mail = await app.mail.waitFor(email, /Verify your email address/);
    const link = linkIn(mail, '/verify-email');
    const confirm = await client.get(pathOf(link));
    expect(confirm.status).toBe(200);
    // The page names the address it confirms, so a person with several knows which.
    expect(textOf(confirm.body)).toContain(
      `To confirm that ${email} is your email address, enter the password of your account.`,
    );
    const verified = await client.post('/verify-email', {
      token: new URL(link).searchParams.get('token') ?? '',
      password: PASSWORD,
    });
    expect(verified.status).toBe(303);
    expect(verified.location).toBe('/login');
    const notice = await client.follow();
    expect(textOf(notice.body)).toContain('Your email address is verified');
    // The link opened again, or a second mail's: said to be done, not to be broken.
    const again = await client.get(pathOf(link));
    expect(again.status).toBe(200);
    expect(textOf(again.body)).toContain('This address is already verified');

    const login = await logIn(client, email);
    expect(login.status).toBe(303);
    const profile = await client.get('/profile');
    expect(profile.status).toBe(200);
    expect(textOf(profile.body)).toContain('Your account');
  });

  it('verifies a link opened while another account is signed in, and says so', async () => {
    const eve = new Client(app.app);
    const { email: eveEmail } = await registerAndVerify(app, eve, { name: 'Eve Elsewhere' });
    const ada = uniqueEmail('ada');
    await new Client(app.app).submit('/register', { name: 'Ada', email: ada, password: PASSWORD });
    const link = linkIn(await app.mail.waitFor(ada, /Verify your email address/), '/verify-email');
    expect((await logIn(eve, eveEmail)).location).toBe('/');
    const confirm = await eve.get(pathOf(link));
    expect(textOf(confirm.body)).toContain(
      `This link is for the account that registered ${ada}, not the one you are logged in with.`,
    );
    const verified = await eve.post('/verify-email', {
      token: new URL(link).searchParams.get('token') ?? '',
      password: PASSWORD,
    });
    expect(verified.status).toBe(200);
    expect(textOf(verified.body)).toContain(
      `${ada} is verified. You are logged in with another account: log out to log in with that one.`,
    );
  });

  /*
   * Whoever registers chooses the name, and the mailbox may be a stranger's: a greeting with
   * the name would carry their words (a fake warning, a link) inside our own mail.
   */
  it('greets an unproven mailbox without the name chosen at registration', async () => {
    const client = new Client(app.app);
    const email = uniqueEmail('lure');
    const name = 'Your account is suspended, restore it at https://evil.example/restore';
    expect((await client.submit('/register', { name, email, password: PASSWORD })).status).toBe(
      200,
    );
    const first = await app.mail.waitFor(email, /Verify your email address/);
    // The link mailed again when the unverified address logs in with its password.
    const since = app.mail.messages.length;
    await logIn(client, email);
    await app.services.postman.drain();
    const again = await app.mail.waitFor(email, /Verify your email address/, { since });
    for (const mail of [first, again]) {
      expect(mail.text).toMatch(/^Hello,$/m);
      expect(mail.text).not.toContain('evil.example');
      expect(mail.html).not.toContain('evil.example');
    }
  });

  it('re-shows the form with errors tied to fields for bad input, and stores nothing', async () => {
    const client = new Client(app.app);
    const before = await app.db
      .selectFrom('users')
      .select(app.db.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const page = await client.submit('/register', {
      name: '',
      email: 'not-an-email',
      password: 'short',
    });
    expect(page.status).toBe(422);
    expect(page.body).toMatch(/id="name-error"/);
    expect(page.body).toMatch(/aria-describedby="email-error"/);
    expect(page.body).toMatch(/aria-invalid="true"/);
    expect(textOf(page.body)).toContain('Use a password of at least 12 characters');
    const after = await app.db
      .selectFrom('users')
      .select(app.db.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it('answers the same for an address that already has an account, and tells its owner by mail', async () => {
    const owner = new Client(app.app);
    const { email } = await registerAndVerify(app, owner);
    const stranger = new Client(app.app);
    const fresh = await stranger.submit('/register', {
      name: 'Someone',
      email: uniqueEmail('fresh'),
      password: PASSWORD,
    });
    const taken = await stranger.submit('/register', {
      name: 'Someone',
      email,
      password: PASSWORD,
    });
    expect(taken.status).toBe(fresh.status);
    const normalise = (body: string) => textOf(body).replace(/\S+@example\.com/g, 'EMAIL');
    expect(normalise(taken.body)).toBe(normalise(fresh.body));
    const notice = await app.mail.waitFor(email, /tried to register/);
    expect(linkIn(notice, '/password/reset')).toBeTruthy();
    expect(notice.text).toContain('It is valid for 30 minutes and works once');
    // The link written out under the button wraps on a phone, however its token runs.
    expect(notice.html).toMatch(
      /overflow-wrap:anywhere[^>]*>\s*http[^<]*\/password\/reset\?token=/,
    );
    // The link in it sets the password: audited as any reset link, with where it came from.
    const owned = await app.db
      .selectFrom('email_addresses')
      .select('user_id')
      .where('email_normalized', '=', email.toLowerCase())
      .executeTakeFirstOrThrow();
    const audited = await app.db
      .selectFrom('audit_events')
      .select(['details', 'ip'])
      .where('event', '=', 'password.reset_requested')
      .where('target_user_id', '=', owned.user_id)
      .execute();
    expect(audited).toHaveLength(1);
    expect(JSON.parse(audited[0]?.details ?? '{}')).toEqual({ where: 'registration' });
    expect(audited[0]?.ip).toBe(stranger.ip);
  });
});
