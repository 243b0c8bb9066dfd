/*
 * Codes that live too long. An emailed code sits in a mailbox, a forwarded copy or a backup
 * long after its log-in; an authenticator code can be read over a shoulder. NIST SP 800-63B
 * and ASVS give an out-of-band code at most 10 minutes, and RFC 6238 §5.2 allows one time
 * step of drift, no more. With the server clock moved by hand: an email code works at 9:59 and
 * is refused at 10:01 (CODE_EXPIRED, whatever the state of its pending sign-in or set-up),
 * and a TOTP code is accepted one step either side of now and refused two steps away.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PendingContext } from '../../src/accounts/sign-in.js';
import { hashToken } from '../../src/security/tokens.js';
import { totpCodeAt } from '../../src/two-factor/totp/totp.js';
import { textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { PASSWORD } from '../helpers/flows.js';
import { codeIn } from '../helpers/mail-capture.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import {
  followToCodes,
  hiddenValue,
  loggedOutUserWithEmail,
  mailedSignInCode,
  nextStep,
  PENDING_COOKIE,
  pendingSignIn,
  SESSION_COOKIE,
  sessionCount,
  signedInUser,
  submitCode,
  TEST_META,
  userWithApp,
} from '../helpers/two-factor.js';

const EXPIRED = 'That code has expired.';
const NOT_CORRECT = 'That code is not correct.';
const ALMOST_TEN_MINUTES = 10 * 60_000 - 1_000;
const JUST_OVER_TEN_MINUTES = 10 * 60_000 + 1_000;

describe.each(DIALECTS)('two-factor code expiry (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  /** A logged-out user with email authentication, past the one-minute resend wait. */
  const userWithEmail = () => loggedOutUserWithEmail(app, 61_000);

  it('accepts an emailed sign-in code at 9:59', async () => {
    const { email, userId } = await userWithEmail();
    const client = await pendingSignIn(app, email);
    const code = await mailedSignInCode(app, client, email);
    app.clock.advance(ALMOST_TEN_MINUTES);
    const page = await submitCode(client, 'email', code);
    expect(page.status).toBe(303);
    expect(page.location).toBe('/');
    expect(client.cookies.has(SESSION_COOKIE)).toBe(true);
    expect(await sessionCount(app, userId)).toBe(1);
  });

  it('asks for the code sent, or a new one, when the one typed has run out', async () => {
    const { email, userId } = await userWithEmail();
    const client = await pendingSignIn(app, email);
    const code = await mailedSignInCode(app, client, email);
    // The code ran out while its pending sign-in lives on (sent later than the password).
    await app.db
      .updateTable('email_codes')
      .set({ expires_at: app.clock.now() - 1 })
      .where('user_id', '=', userId)
      .execute();
    const page = await submitCode(client, 'email', code);
    expect(page.status).toBe(422);
    const text = textOf(page.body);
    expect(text).toContain(EXPIRED);
    expect(text).toMatch(/Enter the code we emailed to \S+, or send a new one\./);
    expect(text).not.toContain('We can send a code to your email address.');
  });

  it('refuses an emailed sign-in code at 10:01 as expired', async () => {
    const { email, userId } = await userWithEmail();
    const client = await pendingSignIn(app, email);
    const code = await mailedSignInCode(app, client, email);
    const pendingHash = hashToken(client.cookies.get(PENDING_COOKIE) ?? '');
    app.clock.advance(JUST_OVER_TEN_MINUTES);

    // The code's own lifetime holds even where its pending sign-in would still be alive.
    const pending = await app.db
      .selectFrom('pending_sign_ins')
      .selectAll()
      .where('id_hash', '=', pendingHash)
      .executeTakeFirstOrThrow();
    const user = await app.db
      .selectFrom('users')
      .selectAll()
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    const ctx: PendingContext = { pending, user };
    const result = await app.services.twoFactor.challenge.verify(ctx, 'email', code, TEST_META);
    expect(result).toEqual({ ok: false, error: 'CODE_EXPIRED' });

    // Through the page, the person is sent back to the password and gets no session.
    const page = await submitCode(client, 'email', code);
    expect(page.status).toBe(303);
    expect(page.location).toBe('/login');
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
    expect(await sessionCount(app, userId)).toBe(0);
  });

  it('accepts a set-up code at 9:59 and refuses one at 10:01 as expired', async () => {
    const inTime = await signedInUser(app);
    await inTime.client.get('/profile/2fa/email/new');
    let since = app.mail.messages.length;
    const sent = await inTime.client.post('/profile/2fa/email/new', {
      action: 'send',
      name: 'Work mail',
      email: inTime.email,
    });
    expect(sent.status).toBe(200);
    let code = codeIn(await app.mail.waitFor(inTime.email, /verification code/, { since }));
    app.clock.advance(ALMOST_TEN_MINUTES);
    const created = await followToCodes(
      inTime.client,
      await inTime.client.post('/profile/2fa/email/new', {
        action: 'create',
        setup_id: hiddenValue(sent, 'setup_id'),
        name: 'Work mail',
        email: inTime.email,
        code,
      }),
    );
    expect(created.status).toBe(200);
    expect(textOf(created.body)).toContain('Save your recovery codes');

    const late = await signedInUser(app);
    await late.client.get('/profile/2fa/email/new');
    since = app.mail.messages.length;
    const lateSent = await late.client.post('/profile/2fa/email/new', {
      action: 'send',
      name: 'Work mail',
      email: late.email,
    });
    code = codeIn(await app.mail.waitFor(late.email, /verification code/, { since }));
    app.clock.advance(JUST_OVER_TEN_MINUTES);
    // The sign-in is older than 10 minutes too: confirm the password first (no 2FA yet).
    await late.client.get('/reauth');
    const reauth = await late.client.post('/reauth', {
      password: PASSWORD,
      next: '/profile/2fa/email/new',
    });
    expect(reauth.status).toBe(303);
    await late.client.get('/profile/2fa/email/new');
    const refused = await late.client.post('/profile/2fa/email/new', {
      action: 'create',
      setup_id: hiddenValue(lateSent, 'setup_id'),
      name: 'Work mail',
      email: late.email,
      code,
    });
    expect(refused.status).toBe(422);
    expect(textOf(refused.body)).toContain(EXPIRED);
    const methods = await app.db
      .selectFrom('two_factor_methods')
      .select('id')
      .where('user_id', '=', late.userId)
      .execute();
    expect(methods).toHaveLength(0);
  });

  it('accepts a TOTP code one step either side of now and refuses codes two steps away', async () => {
    const user = await userWithApp(app);
    await user.client.post('/logout');
    // Codes two steps away that happen to equal a code inside the window would prove nothing.
    const codesAround = () => {
      const now = app.clock.now();
      const at = (steps: number) => totpCodeAt(user.secret, now + steps * 30_000);
      return { minus2: at(-2), minus1: at(-1), zero: at(0), plus1: at(1), plus2: at(2) };
    };
    // The step one back must be newer than the step the set-up used.
    nextStep(app);
    nextStep(app);
    let codes = codesAround();
    while (new Set(Object.values(codes)).size < 5) {
      nextStep(app);
      codes = codesAround();
    }

    const first = await pendingSignIn(app, user.email);
    for (const code of [codes.minus2, codes.plus2]) {
      await first.get('/login/2fa');
      const refused = await submitCode(first, 'totp', code);
      expect(refused.status).toBe(422);
      expect(textOf(refused.body)).toContain(NOT_CORRECT);
    }
    expect(first.cookies.has(SESSION_COOKIE)).toBe(false);
    await first.get('/login/2fa');
    const previous = await submitCode(first, 'totp', codes.minus1);
    expect(previous.status).toBe(303);
    expect(previous.location).toBe('/');

    const second = await pendingSignIn(app, user.email);
    await second.get('/login/2fa');
    const following = await submitCode(second, 'totp', codes.plus1);
    expect(following.status).toBe(303);
    expect(following.location).toBe('/');
    expect(await sessionCount(app, user.userId)).toBe(2);
  });
});
