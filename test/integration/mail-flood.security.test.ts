/**
 * Every public form that sends mail can be turned against a mailbox: submit it in a loop and
 * the victim drowns, and the help center's mail server gets blocklisted as a spam source.
 * Registration, password reset and the "verify first" log-in answer each send mail to an
 * address anyone can type, so each has a per-address cap in the database. The answer on the
 * page stays the same past the cap (it must not tell whether an account exists).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../../src/clock.js';
import { hashToken } from '../../src/security/tokens.js';
import { Client, textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, PASSWORD, registerAndVerify, uniqueEmail } from '../helpers/flows.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';

describe.each(DIALECTS)('no mail flooding (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  /** Submits a form `times` times; returns the distinct answers and the mails that arrived. */
  async function flood(address: string, times: number, path: string, form: Record<string, string>) {
    const before = app.mail.to(address).length;
    const answers = new Set<string>();
    for (let i = 0; i < times; i++) {
      const page = await new Client(app.app).submit(path, form);
      answers.add(`${page.status} ${textOf(page.body)}`);
    }
    await app.services.postman.drain();
    return { answers, mails: app.mail.to(address).length - before };
  }

  it('registration mails a new address at most 3 times an hour', async () => {
    const victim = uniqueEmail('victim');
    const form = { name: 'Flood', email: victim, password: PASSWORD };
    const first = await flood(victim, 6, '/register', form);
    expect(first.mails).toBe(3);
    expect(first.answers.size).toBe(1);
    app.clock.advance(HOUR_MS + MINUTE_MS);
    expect((await flood(victim, 1, '/register', form)).mails).toBe(1);
  });

  it('registration mails the owner of a taken address at most 3 times an hour', async () => {
    const { email } = await registerAndVerify(app, new Client(app.app));
    // The hour in which the owner registered is over.
    app.clock.advance(HOUR_MS + MINUTE_MS);
    const { answers, mails } = await flood(email, 6, '/register', {
      name: 'Flood',
      email,
      password: PASSWORD,
    });
    expect(mails).toBe(3);
    expect(answers.size).toBe(1);
  });

  it('password reset mails an address at most 5 times an hour', async () => {
    const { email } = await registerAndVerify(app, new Client(app.app));
    const { answers, mails } = await flood(email, 8, '/password/forgot', { email });
    expect(mails).toBe(5);
    expect(answers.size).toBe(1);
  });

  it('password reset mails a registration waiting for its link at most 5 times an hour', async () => {
    const victim = uniqueEmail('waiting');
    await new Client(app.app).submit('/register', {
      name: 'Flood',
      email: victim,
      password: PASSWORD,
    });
    await app.services.postman.drain();
    const { answers, mails } = await flood(victim, 8, '/password/forgot', { email: victim });
    expect(mails).toBe(5);
    expect(answers.size).toBe(1);
  });

  /** A browser at client address `ip`. */
  const from = (ip: string) => {
    const client = new Client(app.app);
    client.ip = ip;
    return client;
  };

  it('registration from one client address creates at most 20 accounts an hour', async () => {
    // The hour of the earlier tests' registrations is over.
    app.clock.advance(HOUR_MS + MINUTE_MS);
    const since = app.mail.messages.length;
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const page = await from('192.0.2.7').submit('/register', {
        name: 'Many',
        email: uniqueEmail(`many${i}`),
        password: PASSWORD,
      });
      statuses.push(page.status);
    }
    expect(statuses).toEqual(Array<number>(20).fill(200));
    const late = uniqueEmail('late');
    // Refused alike for a taken address: the refusal tells nothing about accounts.
    const { email: taken } = await registerAndVerify(app, from('198.51.100.1'));
    for (const email of [late, taken]) {
      const refused = await from('192.0.2.7').submit('/register', {
        name: 'Many',
        email,
        password: PASSWORD,
      });
      expect(refused.status).toBe(429);
      expect(textOf(refused.body)).toContain(
        'Too many accounts were created from your network in the last hour. Try again later.',
      );
      // What was typed is kept, but the password.
      expect(refused.body).toContain(`value="${email}"`);
    }
    await app.services.postman.drain();
    expect(app.mail.to(late)).toEqual([]);
    expect(
      await app.db.selectFrom('email_addresses').select('id').where('email', '=', late).execute(),
    ).toEqual([]);
    expect(app.mail.messages.length - since).toBe(21);
    // Another client address is not held back, and the hour passes.
    expect(
      (await from('192.0.2.8').submit('/register', { name: 'M', email: late, password: PASSWORD }))
        .status,
    ).toBe(200);
    app.clock.advance(HOUR_MS + MINUTE_MS);
    const again = await from('192.0.2.7').submit('/register', {
      name: 'Many',
      email: uniqueEmail('again'),
      password: PASSWORD,
    });
    expect(again.status).toBe(200);
  });

  it('password reset from one client address asks about at most 20 addresses an hour, and stores nothing more', async () => {
    app.clock.advance(HOUR_MS + MINUTE_MS);
    const { email: owner } = await registerAndVerify(app, from('198.51.100.2'));
    const statuses: number[] = [];
    for (let i = 0; i < 20; i++) {
      const page = await from('192.0.2.9').submit('/password/forgot', {
        email: uniqueEmail(`nobody${i}`),
      });
      statuses.push(page.status);
    }
    expect(statuses).toEqual(Array<number>(20).fill(200));
    const before = app.mail.to(owner).length;
    const refused = await from('192.0.2.9').submit('/password/forgot', { email: owner });
    expect(refused.status).toBe(429);
    expect(textOf(refused.body)).toContain(
      'Too many password resets were asked for from your network in the last hour. Try again later.',
    );
    expect(refused.body).toContain(`value="${owner}"`);
    // Past the client's count nothing is written: no counter for the address, no mail.
    const counter = await app.db
      .selectFrom('rate_limits')
      .select('key')
      .where('key', '=', `reset:${hashToken(owner)}`)
      .execute();
    expect(counter).toEqual([]);
    await app.services.postman.drain();
    expect(app.mail.to(owner).length).toBe(before);
    // Another client address is not held back, and the hour passes.
    expect((await from('192.0.2.10').submit('/password/forgot', { email: owner })).status).toBe(
      200,
    );
    app.clock.advance(HOUR_MS + MINUTE_MS);
    expect((await from('192.0.2.9').submit('/password/forgot', { email: owner })).status).toBe(200);
    await app.services.postman.drain();
    expect(app.mail.to(owner).length).toBe(before + 2);
  });

  it('counts the registrations of an IPv6 /64 together: one host usually holds all of it', async () => {
    app.clock.advance(HOUR_MS + MINUTE_MS);
    const register = (ip: string, i: number) =>
      from(ip).submit('/register', {
        name: 'Six',
        email: uniqueEmail(`six${i}`),
        password: PASSWORD,
      });
    for (let i = 1; i <= 20; i++)
      expect((await register(`2001:db8:1:2::${i.toString(16)}`, i)).status).toBe(200);
    expect((await register('2001:db8:1:2:ffff:ffff:ffff:fffe', 21)).status).toBe(429);
    expect((await register('::ffff:192.0.2.99', 22)).status).toBe(200);
    expect((await register('2001:db8:1:3::1', 23)).status).toBe(200);
  });

  it('mails an address added to accounts, and verified by none, at most 5 links an hour, whoever asks', async () => {
    app.clock.advance(HOUR_MS + MINUTE_MS);
    const stranger = uniqueEmail('stranger');
    const adder = async () => {
      const client = new Client(app.app);
      const { email } = await registerAndVerify(app, client);
      expect((await logIn(client, email)).location).toBe('/');
      return Object.assign(client, { email });
    };
    const first = await adder();
    expect((await first.submit('/profile/emails', { email: stranger })).status).toBe(303);
    const [row] = await app.db
      .selectFrom('email_addresses')
      .select('id')
      .where('email', '=', stranger)
      .execute();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      app.clock.advance(MINUTE_MS + 1_000);
      await first.get('/profile/emails');
      statuses.push((await first.post(`/profile/emails/${row?.id}/resend`)).status);
    }
    expect(statuses).toEqual([303, 303, 303, 303, 429, 429]);
    app.clock.advance(MINUTE_MS + 1_000);
    await first.get('/profile/emails');
    const refused = await first.post(`/profile/emails/${row?.id}/resend`);
    expect(textOf(refused.body)).toContain(
      'This address has had 5 verification links in the last hour. Try again later.',
    );
    // Another account cannot take the count on: it adds the address, and no link goes out.
    // (Its owner adding it is not kept out by whoever used the links up.)
    const second = await adder();
    const added = await second.submit('/profile/emails', { email: stranger });
    expect(added.status).toBe(303);
    expect(textOf((await second.follow(added)).body)).toContain(
      `${stranger} has been added. It has had 5 verification links in the last hour, so no new one was sent`,
    );
    await app.services.postman.drain();
    expect(app.mail.to(stranger)).toHaveLength(5);
    app.clock.advance(HOUR_MS + MINUTE_MS);
    const [theirs] = await app.db
      .selectFrom('email_addresses')
      .innerJoin('users', 'users.id', 'email_addresses.user_id')
      .select('email_addresses.id')
      .where('email', '=', stranger)
      .orderBy('email_addresses.created_at', 'desc')
      .execute();
    // The hour is over (and so is the session): a link goes out again.
    expect((await logIn(second, second.email)).location).toBe('/');
    await second.get('/profile/emails');
    expect((await second.post(`/profile/emails/${theirs?.id}/resend`)).status).toBe(303);
    await app.services.postman.drain();
    expect(app.mail.to(stranger)).toHaveLength(6);
  });

  it('a log-in to an unverified account resends the link at most once in 5 minutes', async () => {
    const email = uniqueEmail('unverified');
    await new Client(app.app).submit('/register', { name: 'Late', email, password: PASSWORD });
    await app.services.postman.drain();
    const before = app.mail.to(email).length;
    for (let i = 0; i < 4; i++) {
      expect((await logIn(new Client(app.app), email)).status).toBe(401);
    }
    await app.services.postman.drain();
    expect(app.mail.to(email).length - before).toBe(1);
    // Every 5 minutes one more, counted with the registration's mails: 3 in its hour in all.
    for (let i = 0; i < 4; i++) {
      app.clock.advance(5 * MINUTE_MS + 1_000);
      await logIn(new Client(app.app), email);
    }
    await app.services.postman.drain();
    expect(app.mail.to(email).length - before).toBe(2);
  });
});
