/*
 * Guessing the code. A six-digit code falls to about a million guesses, so whoever has the
 * password must get only a handful: products without throttling (devise-two-factor
 * GHSA-chcr-x7hc-8fp8), with a counter reset by typing the password again (phpMyFAQ
 * CVE-2026-76213), with a lockout that left the pending log-in alive (Keycloak #26177), or
 * with a check-then-record counter that parallel requests overran (umami#4205) all fell to
 * it. Five wrong codes end a pending sign-in; ten in a row lock the account's second factor
 * for 15 minutes across new sign-ins, mail the owner and are audited; a correct code resets
 * the count; and a burst of parallel guesses gets no more tries than the same guesses in a row.
 * Locks that only pause the guessing still add up (96 a day): after ten in a row, a hundred
 * wrong codes (NIST SP 800-63B 5.2.2), the lock lasts until an administrator resets it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCodeAt } from '../../src/two-factor/totp/totp.js';
import type { Client, Page } from '../helpers/client.js';
import { textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import {
  accountRow,
  auditCount,
  freshCode,
  hiddenValue,
  PENDING_COOKIE,
  pendingSignIn,
  SESSION_COOKIE,
  sessionCount,
  setupKeyOf,
  signedInUser,
  TEST_META,
  submitCode,
  userWithApp,
  wrongCode,
} from '../helpers/two-factor.js';

const LOCKED = 'Two-factor sign-in for this account is locked until';
const ENDED = 'Too many wrong codes. Log in again with your password.';

describe.each(DIALECTS)('two-factor brute force (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  async function pendingRows(userId: string): Promise<number> {
    const rows = await app.db
      .selectFrom('pending_sign_ins')
      .select('id_hash')
      .where('user_id', '=', userId)
      .execute();
    return rows.length;
  }

  /** Wrong codes on one pending sign-in; returns the answer to each. */
  async function guess(client: Client, secret: string, times: number): Promise<Page[]> {
    const pages: Page[] = [];
    for (let i = 0; i < times; i += 1) {
      await client.get('/login/2fa');
      pages.push(await submitCode(client, 'totp', wrongCode(app, secret)));
    }
    return pages;
  }

  /** A logged-out user with the app and a clean slate. */
  async function victim() {
    const user = await userWithApp(app);
    await user.client.post('/logout');
    return user;
  }

  it('ends a pending sign-in after 5 wrong codes: the password is needed again', async () => {
    const user = await victim();
    const client = await pendingSignIn(app, user.email);
    const pending = client.cookies.get(PENDING_COOKIE) ?? '';
    const pages = await guess(client, user.secret, 5);
    expect(pages.slice(0, 4).map((p) => p.status)).toEqual([422, 422, 422, 422]);
    expect(pages[4]?.status).toBe(303);
    expect(pages[4]?.location).toBe('/login');
    expect(textOf((await client.get('/login')).body)).toContain(ENDED);
    expect(await pendingRows(user.userId)).toBe(0);
    expect(await auditCount(app, 'two_factor.sign_in_ended', user.userId)).toBe(1);

    // A sixth try with the old cookie, even with the right code, goes back to the password.
    client.cookies.set(PENDING_COOKIE, pending);
    await client.get('/');
    const sixth = await submitCode(client, 'totp', freshCode(app, user.secret));
    expect(sixth.status).toBe(303);
    expect(sixth.location).toBe('/login');
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
    expect(await sessionCount(app, user.userId)).toBe(0);

    // Not locked yet (5 < 10): with the password again, a right code works.
    const again = await pendingSignIn(app, user.email);
    await again.get('/login/2fa');
    expect((await submitCode(again, 'totp', freshCode(app, user.secret))).location).toBe('/');
    expect(await sessionCount(app, user.userId)).toBe(1);
  });

  it('says a code that is not six digits is not one, and counts it as no wrong code', async () => {
    const user = await victim();
    const client = await pendingSignIn(app, user.email);
    for (const slip of ['12 34 5a', '12345', '1234567', 'abcdef', '١٢٣٤٥٦', '1'.repeat(41)]) {
      await client.get('/login/2fa');
      const page = await submitCode(client, 'totp', slip);
      expect(page.status, slip).toBe(422);
      expect(textOf(page.body), slip).toContain('A code has 6 digits. Check it and try again.');
    }
    // A recovery code longer than any is said to be too long, not missing.
    await client.get('/login/2fa?method=recovery');
    const long = await submitCode(client, 'recovery', 'a'.repeat(41));
    expect(long.status).toBe(422);
    expect(textOf(long.body)).toContain('Recovery code must be at most 40 characters.');
    expect((await accountRow(app, user.userId)).second_factor_failures).toBe(0);
    // Seven slips ended nothing: the right code still signs in on this pending sign-in.
    await client.get('/login/2fa');
    expect((await submitCode(client, 'totp', freshCode(app, user.secret))).location).toBe('/');
  });

  it('answers a code asked for by an account without email codes (422), and by a locked one (423)', async () => {
    const user = await victim();
    const client = await pendingSignIn(app, user.email);
    await client.get('/login/2fa');
    // Only the app: a form made by hand asks for an email code.
    const none = await client.post('/login/2fa/send');
    expect(none.status).toBe(422);
    expect(textOf(none.body)).toContain('This method is not set up for your account');
    expect(textOf(none.body)).not.toContain('turned off by your administrator');
    await guess(client, user.secret, 5);
    await guess(await pendingSignIn(app, user.email), user.secret, 5);
    const locked = await pendingSignIn(app, user.email);
    await locked.get('/login/2fa');
    const refused = await locked.post('/login/2fa/send');
    expect(refused.status).toBe(423);
    expect(textOf(refused.body)).toContain(LOCKED);
  });

  it('locks the second factor for 15 minutes after 10 wrong codes in a row across sign-ins', async () => {
    const user = await victim();
    const first = await pendingSignIn(app, user.email);
    await guess(first, user.secret, 5);
    const second = await pendingSignIn(app, user.email);
    const pages = await guess(second, user.secret, 5);
    expect(pages.slice(0, 4).map((p) => p.status)).toEqual([422, 422, 422, 422]);
    expect(pages[4]?.status).toBe(423);
    expect(textOf(pages[4]?.body ?? '')).toContain(LOCKED);
    const lockedAt = app.clock.now();

    const account = await accountRow(app, user.userId);
    expect(account.second_factor_locked_until).toBe(lockedAt + 15 * 60_000);
    expect(await auditCount(app, 'two_factor.locked', user.userId)).toBe(1);
    await app.mail.waitFor(user.email, /Two-factor sign-in locked/);
    expect(await pendingRows(user.userId)).toBe(0);
    expect(await sessionCount(app, user.userId)).toBe(0);

    // The password again gives a new pending sign-in, but the lock holds: a right code and a
    // recovery code are both refused, and these tries do not add to the count.
    app.clock.advance(60_000);
    const third = await pendingSignIn(app, user.email);
    const page = await third.get('/login/2fa');
    expect(page.status).toBe(423);
    expect(textOf(page.body)).toContain(LOCKED);
    const right = await submitCode(third, 'totp', freshCode(app, user.secret));
    expect(right.status).toBe(423);
    expect(third.cookies.has(SESSION_COOKIE)).toBe(false);
    const fourth = await pendingSignIn(app, user.email);
    await fourth.get('/login/2fa?method=recovery');
    const recovery = await submitCode(fourth, 'recovery', user.recoveryCodes[0] ?? '');
    expect(recovery.status).toBe(423);
    expect(fourth.cookies.has(SESSION_COOKIE)).toBe(false);
    expect(await sessionCount(app, user.userId)).toBe(0);
    expect(await app.services.twoFactor.recovery.remaining(user.userId)).toBe(10);
    expect((await accountRow(app, user.userId)).second_factor_failures).toBe(0);

    // Just before the end still locked; after 15 minutes a right code works.
    app.clock.set(lockedAt + 15 * 60_000 - 1_000);
    const early = await pendingSignIn(app, user.email);
    await early.get('/login/2fa');
    expect((await submitCode(early, 'totp', totpCodeAt(user.secret, app.clock.now()))).status).toBe(
      423,
    );
    app.clock.set(lockedAt + 15 * 60_000 + 31_000);
    const later = await pendingSignIn(app, user.email);
    await later.get('/login/2fa');
    const ok = await submitCode(later, 'totp', totpCodeAt(user.secret, app.clock.now()));
    expect(ok.status).toBe(303);
    expect(ok.location).toBe('/');
    expect(await sessionCount(app, user.userId)).toBe(1);
    // The right code also clears the count of locks in a row.
    expect((await accountRow(app, user.userId)).second_factor_locks).toBe(0);
  });

  it('after ten locks in a row, a hundred wrong codes, stays locked until an administrator resets it', async () => {
    const user = await victim();
    for (let lock = 1; lock <= 10; lock += 1) {
      await guess(await pendingSignIn(app, user.email), user.secret, 5);
      const pages = await guess(await pendingSignIn(app, user.email), user.secret, 5);
      expect(pages[4]?.status, `lock ${lock}`).toBe(423);
      expect((await accountRow(app, user.userId)).second_factor_locks).toBe(lock);
      if (lock < 10) app.clock.advance(15 * 60_000 + 31_000);
    }
    expect(await auditCount(app, 'two_factor.locked', user.userId)).toBe(10);
    const last = await app.db
      .selectFrom('audit_events')
      .select('details')
      .where('event', '=', 'two_factor.locked')
      .where('target_user_id', '=', user.userId)
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    expect(JSON.parse(last.details ?? '{}')).toEqual({ untilReset: true });
    await app.mail.waitFor(user.email, /Two-factor sign-in locked/);
    await expect
      .poll(() =>
        app.mail
          .to(user.email)
          .some((m) => m.text.includes('locked until your helpdesk administrator resets it')),
      )
      .toBe(true);

    // A day later a right code is still refused, and the page says who ends the lock.
    app.clock.advance(24 * 60 * 60_000);
    const later = await pendingSignIn(app, user.email);
    const page = await later.get('/login/2fa');
    expect(page.status).toBe(423);
    expect(textOf(page.body)).toContain('locked until your helpdesk administrator resets it');
    expect((await submitCode(later, 'totp', freshCode(app, user.secret))).status).toBe(423);
    expect(await sessionCount(app, user.userId)).toBe(0);

    // The administrator's reset ends it: the methods go, the counts start again.
    const reset = await app.services.twoFactor.resetTwoFactor(
      user.userId,
      {
        actorLabel: 'cli',
        meta: TEST_META,
      },
      { administrators: true },
    );
    expect(reset).toBe('reset');
    expect(await accountRow(app, user.userId)).toMatchObject({
      second_factor_failures: 0,
      second_factor_locked_until: null,
      second_factor_locks: 0,
    });
  });

  it('resets the count on success: 9 wrong, 1 right, 9 wrong does not lock', async () => {
    const user = await victim();
    await guess(await pendingSignIn(app, user.email), user.secret, 5);
    const second = await pendingSignIn(app, user.email);
    await guess(second, user.secret, 4);
    expect((await accountRow(app, user.userId)).second_factor_failures).toBe(9);
    await second.get('/login/2fa');
    expect((await submitCode(second, 'totp', freshCode(app, user.secret))).location).toBe('/');
    expect((await accountRow(app, user.userId)).second_factor_failures).toBe(0);

    await guess(await pendingSignIn(app, user.email), user.secret, 5);
    const fourth = await pendingSignIn(app, user.email);
    const pages = await guess(fourth, user.secret, 4);
    expect(pages.map((p) => p.status)).toEqual([422, 422, 422, 422]);
    const account = await accountRow(app, user.userId);
    expect(account.second_factor_failures).toBe(9);
    expect(account.second_factor_locked_until).toBeNull();
    expect(await auditCount(app, 'two_factor.locked', user.userId)).toBe(0);
    await fourth.get('/login/2fa');
    expect((await submitCode(fourth, 'totp', freshCode(app, user.secret))).location).toBe('/');
  });

  it('checks no more than 5 codes of one pending sign-in when 30 guesses arrive at once', async () => {
    const user = await victim();
    const client = await pendingSignIn(app, user.email);
    await client.get('/login/2fa');
    const code = wrongCode(app, user.secret);
    const pages = await Promise.all(
      Array.from({ length: 30 }, () => submitCode(client, 'totp', code)),
    );
    expect(pages.filter((p) => p.status === 422).length).toBeLessThanOrEqual(4);
    expect(await auditCount(app, 'two_factor.challenge_failed', user.userId)).toBeLessThanOrEqual(
      5,
    );
    expect((await accountRow(app, user.userId)).second_factor_failures).toBeLessThanOrEqual(5);
    expect(await pendingRows(user.userId)).toBe(0);
  });

  /*
   * A set-up's code proves the person holds the new app: five wrong ones end the set-up, and
   * its secret with it, also when the guesses arrive at once. (The burst shows a counter that
   * checks before it counts on PostgreSQL, whose pool runs the guesses side by side; SQLite's
   * one connection happened to keep them in line.)
   */
  it('ends an app set-up after 5 wrong codes, also when 30 arrive at once', async () => {
    for (const burst of [false, true]) {
      const user = await signedInUser(app);
      const setup = await user.client.get('/profile/2fa/app/new');
      const secret = setupKeyOf(setup);
      const form = (code: string) => ({
        setup_id: hiddenValue(setup, 'setup_id'),
        name: 'My phone',
        code,
      });
      const wrong = wrongCode(app, secret);
      if (burst) {
        await Promise.all(
          Array.from({ length: 30 }, () => user.client.post('/profile/2fa/app/new', form(wrong))),
        );
      } else {
        const statuses: number[] = [];
        for (let i = 0; i < 5; i += 1)
          statuses.push((await user.client.post('/profile/2fa/app/new', form(wrong))).status);
        expect(statuses.slice(0, 4)).toEqual([422, 422, 422, 422]);
      }
      expect(await auditCount(app, 'two_factor.setup_failed', user.userId)).toBeLessThanOrEqual(5);
      // The secret is spent: even its right code sets up nothing.
      const right = await user.client.post(
        '/profile/2fa/app/new',
        form(totpCodeAt(secret, app.clock.now())),
      );
      expect(right.status).not.toBe(303);
      const methods = await app.db
        .selectFrom('two_factor_methods')
        .select('id')
        .where('user_id', '=', user.userId)
        .execute();
      expect(methods).toEqual([]);
    }
  });

  it('checks no more than 10 codes of an account when guesses on many sign-ins arrive at once', async () => {
    const user = await victim();
    const clients: Client[] = [];
    for (let i = 0; i < 10; i += 1) {
      const client = await pendingSignIn(app, user.email);
      await client.get('/login/2fa');
      clients.push(client);
    }
    const code = wrongCode(app, user.secret);
    await Promise.all(
      clients.flatMap((client) => [1, 2, 3].map(() => submitCode(client, 'totp', code))),
    );
    expect(await auditCount(app, 'two_factor.challenge_failed', user.userId)).toBeLessThanOrEqual(
      10,
    );
    const account = await accountRow(app, user.userId);
    expect(account.second_factor_locked_until).not.toBeNull();
    expect(await auditCount(app, 'two_factor.locked', user.userId)).toBe(1);
  });
});
