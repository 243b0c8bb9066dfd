/*
 * A slow guesser. Ten wrong passwords per address every quarter of an hour, from ever new
 * network addresses, is 960 guesses a day, for as long as the guesser likes. NIST SP 800-63B
 * 5.2.2 allows no more than 100 failed attempts in a row on one account. After 100 wrong
 * passwords in a row at an address, browsers new to it are refused even the right password,
 * with the same words for an address without an account; a browser that logged in there
 * before still may (its own count), and its right password, or a password reset, clears the
 * count. A known browser that itself gives 100 wrong passwords in a row is known no more.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MINUTE_MS } from '../../src/clock.js';
import type { Page } from '../helpers/client.js';
import { Client, textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, PASSWORD, registerAndVerify, uniqueEmail } from '../helpers/flows.js';
import { linkIn, pathOf } from '../helpers/mail-capture.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import { auditCount, newClient, setUpApp } from '../helpers/two-factor.js';

const BLOCKED =
  'Too many wrong passwords in a row for this email address. Log in from a browser you have logged in with before, or reset your password.';
const WRONG = 'not the password, guess number';

describe.each(DIALECTS)('password guessing in a row (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  /**
   * `n` wrong passwords at `email`, ten per quarter of an hour as the per-window limit allows,
   * each from a browser of its own (or from `client`); returns the statuses.
   */
  async function guess(email: string, n: number, client?: Client): Promise<number[]> {
    const statuses: number[] = [];
    for (let i = 0; i < n; i++) {
      if (i > 0 && i % 10 === 0) app.clock.advance(16 * MINUTE_MS);
      statuses.push((await logIn(client ?? newClient(app), email, `${WRONG} ${i}`)).status);
    }
    app.clock.advance(16 * MINUTE_MS);
    return statuses;
  }

  const words = (page: Page) => textOf(page.body).replace(/\S+@example\.com/g, 'EMAIL');

  it('refuses new browsers after 100 wrong passwords in a row, alike for an unknown address, until a known browser gets in', async () => {
    const { email } = await registerAndVerify(app, new Client(app.app));
    const owner = newClient(app);
    expect((await logIn(owner, email)).status).toBe(303);
    await owner.post('/logout');
    const ghost = uniqueEmail('ghost');

    expect(await guess(email, 99)).toEqual(Array<number>(99).fill(401));
    // The 100th wrong one still gets its answer, and the next one, right or not, is refused.
    expect(await guess(email, 1)).toEqual([401]);
    expect(await guess(ghost, 100)).toEqual(Array<number>(100).fill(401));
    const refused = await logIn(newClient(app), email);
    const refusedGhost = await logIn(newClient(app), ghost, 'any password at all');
    expect(refused.status).toBe(429);
    expect(textOf(refused.body)).toContain(BLOCKED);
    expect(refusedGhost.status).toBe(429);
    expect(words(refusedGhost)).toBe(words(refused));
    // No window ends it.
    app.clock.advance(24 * 60 * MINUTE_MS);
    expect((await logIn(newClient(app), email)).status).toBe(429);

    // The owner's browser still gets in, and its right password clears the count.
    expect((await logIn(owner, email)).status).toBe(303);
    await owner.post('/logout');
    expect((await logIn(newClient(app), email)).status).toBe(303);
  });

  it('tells the owner once, by mail and in the audit log, when their address closes', async () => {
    const { email, userId } = await registerAndVerify(app, new Client(app.app));
    await app.services.postman.drain();
    const since = app.mail.messages.length;
    await guess(email, 100);
    await app.services.postman.drain();
    const notices = app.mail.messages
      .slice(since)
      .filter((m) => /from new browsers are stopped/.test(m.subject));
    expect(notices.map((m) => m.to)).toEqual([email]);
    expect(notices[0]?.text).toContain('reset your password');
    expect(await auditCount(app, 'sign_in.password_blocked', userId)).toBe(1);
    // Refused tries after it are no new run, and no new mail.
    await logIn(newClient(app), email);
    await app.services.postman.drain();
    expect(
      app.mail.messages.slice(since).filter((m) => /are stopped/.test(m.subject)),
    ).toHaveLength(1);
  });

  it('counts only passwords that were checked: a burst the window refuses closes nothing', async () => {
    const { email } = await registerAndVerify(app, new Client(app.app));
    const statuses: number[] = [];
    for (let i = 0; i < 101; i++)
      statuses.push((await logIn(newClient(app), email, `${WRONG} ${i}`)).status);
    expect(statuses).toEqual([...Array<number>(10).fill(401), ...Array<number>(91).fill(429)]);
    app.clock.advance(16 * MINUTE_MS);
    expect((await logIn(newClient(app), email)).status).toBe(303);
  });

  it('lets the owner in after verifying an address a stranger had closed before it was registered', async () => {
    const email = uniqueEmail('closed.early');
    expect(await guess(email, 100)).toEqual(Array<number>(100).fill(401));
    expect((await logIn(newClient(app), email, 'any password at all')).status).toBe(429);
    await registerAndVerify(app, new Client(app.app), { email });
    expect((await logIn(newClient(app), email)).status).toBe(303);
  });

  it('counts a right password in between as the end of a run', async () => {
    const { email } = await registerAndVerify(app, new Client(app.app));
    expect(await guess(email, 90)).toEqual(Array<number>(90).fill(401));
    expect((await logIn(newClient(app), email)).status).toBe(303);
    expect(await guess(email, 90)).toEqual(Array<number>(90).fill(401));
    expect((await logIn(newClient(app), email)).status).toBe(303);
  });

  it('lets a browser new to the address in again after a password reset', async () => {
    const { email } = await registerAndVerify(app, new Client(app.app));
    await guess(email, 100);
    expect((await logIn(newClient(app), email)).status).toBe(429);

    const since = app.mail.messages.length;
    await new Client(app.app).submit('/password/forgot', { email });
    const mail = await app.mail.waitFor(email, /Reset your password/, { since });
    const client = newClient(app);
    const form = await client.get(pathOf(linkIn(mail, '/password/reset')));
    const token = /name="token" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    const password = 'a new passphrase after the guessing';
    const reset = await client.post('/password/reset', {
      token,
      new_password: password,
      confirm_password: password,
    });
    expect(reset.status).toBe(303);
    expect((await logIn(newClient(app), email, password)).status).toBe(303);
  });

  it('is not lifted by a reset of another account that holds the address unverified', async () => {
    const { email } = await registerAndVerify(app, new Client(app.app));
    await guess(email, 100);
    // A stranger puts the address on their own account, unverified, and resets their password.
    const stranger = newClient(app);
    const own = await registerAndVerify(app, stranger);
    await logIn(stranger, own.email);
    expect((await stranger.submit('/profile/emails', { email })).status).toBe(303);
    const since = app.mail.messages.length;
    await new Client(app.app).submit('/password/forgot', { email: own.email });
    const mail = await app.mail.waitFor(own.email, /Reset your password/, { since });
    const client = newClient(app);
    const form = await client.get(pathOf(linkIn(mail, '/password/reset')));
    const token = /name="token" value="([^"]+)"/.exec(form.body)?.[1] ?? '';
    const reset = await client.post('/password/reset', {
      token,
      new_password: 'the stranger resets their own',
      confirm_password: 'the stranger resets their own',
    });
    expect(reset.status).toBe(303);
    expect((await logIn(newClient(app), email)).status).toBe(429);
  });

  /*
   * Whoever learnt the old password could have made any number of browsers known, each with a
   * count of its own: after a change of password (or of the methods) they are strangers again.
   */
  it('keeps knowing a browser after a change of 2FA methods', async () => {
    const owner = newClient(app);
    const { email } = await registerAndVerify(app, owner);
    expect((await logIn(owner, email)).status).toBe(303);
    await setUpApp(app, owner);
    await owner.post('/logout');
    for (let i = 0; i < 10; i++)
      expect((await logIn(newClient(app), email, `${WRONG} ${i}`)).status).toBe(401);
    // Its own count: the strangers' ten tries leave it the way in.
    expect((await logIn(owner, email)).location).toBe('/login/2fa');
  });

  it('forgets the browsers known before the password changed', async () => {
    const { email } = await registerAndVerify(app, new Client(app.app));
    const before = [newClient(app), newClient(app), newClient(app)];
    for (const browser of before) {
      expect((await logIn(browser, email)).status).toBe(303);
      await browser.post('/logout');
    }
    const owner = newClient(app);
    await logIn(owner, email);
    const changed = 'a brand new passphrase 42';
    expect(
      (
        await owner.submit('/profile/password', {
          current_password: PASSWORD,
          new_password: changed,
          confirm_password: changed,
        })
      ).status,
    ).toBe(303);
    // The address's ten tries of this quarter of an hour are spent by strangers...
    for (let i = 0; i < 10; i++)
      expect((await logIn(newClient(app), email, `${WRONG} ${i}`)).status).toBe(401);
    // ...and the browsers known before the change are counted with them.
    for (const browser of before)
      expect((await logIn(browser, email, `${WRONG} again`)).status).toBe(429);
    // A browser that gave the new password is known again, with a count of its own.
    app.clock.advance(16 * MINUTE_MS);
    const [first] = before;
    expect((await logIn(first!, email, changed)).status).toBe(303);
    await first!.post('/logout');
    for (let i = 0; i < 10; i++)
      expect((await logIn(newClient(app), email, `${WRONG} ${i}`)).status).toBe(401);
    expect((await logIn(first!, email, changed)).status).toBe(303);
  });

  it('treats a known browser that gave 100 wrong passwords in a row as a new one', async () => {
    const { email } = await registerAndVerify(app, new Client(app.app));
    const owner = newClient(app);
    expect((await logIn(owner, email)).status).toBe(303);
    await owner.post('/logout');
    expect(await guess(email, 100, owner)).toEqual(Array<number>(100).fill(401));
    // Counted with everyone else now: the address's own count is clean, so it gets in...
    expect((await logIn(owner, email)).status).toBe(303);
    await owner.post('/logout');
    // ...and then is known again, with a count of its own: its ten wrong ones leave the
    // address's count of this quarter of an hour untouched.
    for (let i = 0; i < 10; i++)
      expect((await logIn(owner, email, `${WRONG} ${i}`)).status).toBe(401);
    expect((await logIn(newClient(app), email)).status).toBe(303);
  });

  it('ends every session of an account after 100 wrong passwords in a row at re-entry, across windows; a right one ends the run', async () => {
    const { email, userId } = await registerAndVerify(app, new Client(app.app));
    const thief = newClient(app);
    const owner = newClient(app);
    expect((await logIn(thief, email)).status).toBe(303);
    expect((await logIn(owner, email)).status).toBe(303);
    /** `n` wrong passwords at re-entry from the thief's session, ten per quarter of an hour. */
    const reenter = async (n: number) => {
      const statuses: number[] = [];
      for (let i = 0; i < n; i++) {
        // A window of its own for every ten (the verification link's password was counted);
        // the owner's session is used meanwhile, and lives on until the hundredth.
        if (i % 10 === 0) {
          app.clock.advance(16 * MINUTE_MS);
          expect((await owner.get('/profile')).status).toBe(200);
        }
        const page = await thief.post('/reauth', { password: `${WRONG} ${i}`, next: '/profile' });
        statuses.push(page.status);
      }
      return statuses;
    };
    expect(await reenter(90)).toEqual(Array<number>(90).fill(422));
    // A right password ends the run: ninety-nine more wrong ones end nothing.
    app.clock.advance(16 * MINUTE_MS);
    expect((await owner.get('/profile')).status).toBe(200);
    expect((await thief.post('/reauth', { password: PASSWORD, next: '/profile' })).status).toBe(
      303,
    );
    expect(await reenter(99)).toEqual(Array<number>(99).fill(422));
    expect((await owner.get('/profile')).status).toBe(200);
    expect(await auditCount(app, 'user.signed_out_everywhere', userId)).toBe(0);

    // The hundredth in a row still gets its answer; then no session of the account is left.
    expect(await reenter(1)).toEqual([422]);
    const after = await thief.get('/profile');
    expect(after.status).toBe(303);
    expect(after.location).toMatch(/^\/login/);
    expect((await owner.get('/profile')).status).toBe(303);
    expect(await auditCount(app, 'user.signed_out_everywhere', userId)).toBe(1);
    // Guessing on takes a log-in, which takes the password; the owner's gets in.
    expect((await logIn(owner, email)).status).toBe(303);
    expect((await owner.post('/reauth', { password: PASSWORD, next: '/profile' })).status).toBe(
      303,
    );
  });
});
