/**
 * Every public form that sends mail can be turned against a mailbox: submit it in a loop and
 * the victim drowns, and the help center's mail server gets blocklisted as a spam source.
 * Registration, password reset and the "verify first" log-in answer each send mail to an
 * address anyone can type, so each has a per-address cap in the database. The answer on the
 * page stays the same past the cap (it must not tell whether an account exists).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../../src/clock.js';
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
  });
});
