/*
 * Asking for code after code. Every "Send code" is a mail in someone's inbox: unlimited
 * resends flood the owner (or any address typed at set-up), and each new code is one more
 * guess that might be right. SPEC §4: at most one code a minute and five an hour per person,
 * only the newest code valid. A second request within 60 s is refused (RESEND_TOO_SOON) and
 * leaves the code already sent working; after 60 s a new code replaces the old one; the
 * sixth code within an hour is refused (RESEND_LIMIT), also for a new pending sign-in.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consumeSlidingLimit } from '../../src/security/sliding-limit.js';
import type { Client } from '../helpers/client.js';
import { textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import {
  emailCodesAudited,
  loggedOutUserWithEmail,
  mailedSignInCode,
  pendingSignIn,
  SESSION_COOKIE,
  submitCode,
} from '../helpers/two-factor.js';

const TOO_SOON =
  'Codes are sent at most once a minute, and one was sent to you less than a minute ago.';
const LIMIT = 'You have asked for too many codes.';
const NOT_CORRECT = 'That code is not correct.';

describe.each(DIALECTS)('two-factor code resend (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  /** A logged-out user with email authentication whose hourly count starts afresh. */
  const userWithEmail = () => loggedOutUserWithEmail(app, 61 * 60_000);

  async function codeMails(email: string): Promise<number> {
    await app.services.postman.drain();
    return app.mail.to(email).filter((m) => /verification code/.test(m.subject)).length;
  }

  async function askAgain(client: Client) {
    await client.get('/login/2fa?method=email');
    return client.post('/login/2fa/send');
  }

  it('refuses a second code within 60 seconds and keeps the first one valid', async () => {
    const { email, userId } = await userWithEmail();
    const client = await pendingSignIn(app, email);
    const code = await mailedSignInCode(app, client, email);
    const mails = await codeMails(email);

    app.clock.advance(30_000);
    const again = await askAgain(client);
    expect(again.status).toBe(429);
    expect(textOf(again.body)).toContain(TOO_SOON);
    // An alert of its own, not a complaint about the code field.
    expect(again.body).toMatch(
      /<div class="notice notice-error" role="alert"[^>]*>\s*Codes are sent at most once a minute/,
    );
    expect(again.body).not.toMatch(/aria-invalid="true"/);
    // It takes the focus, and only it: one autofocus a page (the code field waits a Tab).
    expect(again.body.match(/\bautofocus\b/g)).toHaveLength(1);
    expect(again.body).toMatch(/role="alert" tabindex="-1" autofocus>\s*Codes are sent/);
    expect(await codeMails(email)).toBe(mails);
    expect(await emailCodesAudited(app, userId, 'sign_in')).toHaveLength(1);

    const ok = await submitCode(client, 'email', code);
    expect(ok.status).toBe(303);
    expect(ok.location).toBe('/');
    expect(client.cookies.has(SESSION_COOKIE)).toBe(true);
  });

  it('counts the minute per person, across purposes: a set-up code makes a sign-in code wait', async () => {
    // SPEC §4 "resend": at most one email code per 60 s per user, whatever it is for.
    const { email } = await loggedOutUserWithEmail(app, 5_000);
    const client = await pendingSignIn(app, email);
    const refused = await askAgain(client);
    expect(refused.status).toBe(429);
    expect(textOf(refused.body)).toContain(TOO_SOON);
    // Once the set-up code's minute is over, the sign-in code goes out.
    app.clock.advance(60_000);
    const code = await mailedSignInCode(app, client, email);
    expect((await submitCode(client, 'email', code)).location).toBe('/');
  });

  it('says a code was sent only to the sign-in it was sent for', async () => {
    const SENT = 'We sent a 6-digit code to';
    const { email } = await userWithEmail();
    const first = await pendingSignIn(app, email);
    const code = await mailedSignInCode(app, first, email);
    const fieldOf = (body: string) => /name="code"/.test(body);

    // Another browser's sign-in of the same person, within the minute: no code for it.
    const second = await pendingSignIn(app, email);
    const refused = await askAgain(second);
    expect(refused.status).toBe(429);
    expect(textOf(refused.body)).toContain(TOO_SOON);
    expect(textOf(refused.body)).not.toContain(SENT);
    expect(fieldOf(refused.body)).toBe(false);
    // A code typed anyway is wrong here, and the page does not claim one was sent.
    const wrong = await submitCode(second, 'email', code);
    expect(wrong.status).toBe(422);
    expect(textOf(wrong.body)).toContain(NOT_CORRECT);
    expect(textOf(wrong.body)).not.toContain(SENT);

    // The first sign-in's own refusal keeps its field, and its code works.
    const again = await askAgain(first);
    expect(textOf(again.body)).toContain(SENT);
    expect(fieldOf(again.body)).toBe(true);
    const typo = await submitCode(first, 'email', code === '000000' ? '111111' : '000000');
    expect(textOf(typo.body)).toContain(SENT);
    expect((await submitCode(first, 'email', code)).status).toBe(303);
  });

  it('sends a new code after 60 seconds, and the old one no longer works', async () => {
    const { email } = await userWithEmail();
    const client = await pendingSignIn(app, email);
    const first = await mailedSignInCode(app, client, email);
    app.clock.advance(61_000);
    const second = await mailedSignInCode(app, client, email);
    expect(second).not.toBe(first);

    const old = await submitCode(client, 'email', first);
    expect(old.status).toBe(422);
    expect(textOf(old.body)).toContain(NOT_CORRECT);
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
    const ok = await submitCode(client, 'email', second);
    expect(ok.status).toBe(303);
    expect(ok.location).toBe('/');
  });

  it('sends at most 5 codes an hour to a person, across pending sign-ins', async () => {
    const { email } = await userWithEmail();
    const client = await pendingSignIn(app, email);
    const codes: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      if (i > 0) app.clock.advance(61_000);
      codes.push(await mailedSignInCode(app, client, email));
    }
    const mails = await codeMails(email);

    app.clock.advance(61_000);
    const sixth = await askAgain(client);
    expect(sixth.status).toBe(429);
    expect(textOf(sixth.body)).toContain(LIMIT);
    // Asked again at once, it is still the hour's limit: the refusal took no minute's code.
    const seventh = await askAgain(client);
    expect(seventh.status).toBe(429);
    expect(textOf(seventh.body)).toContain(LIMIT);
    expect(textOf(seventh.body)).not.toContain(TOO_SOON);
    app.clock.advance(61_000);
    const other = await pendingSignIn(app, email);
    const fromOther = await askAgain(other);
    expect(fromOther.status).toBe(429);
    expect(textOf(fromOther.body)).toContain(LIMIT);
    expect(await codeMails(email)).toBe(mails);

    // The newest code still works; an hour after the first, codes can be sent again.
    const ok = await submitCode(client, 'email', codes[4] ?? '');
    expect(ok.status).toBe(303);
    app.clock.advance(60 * 60_000);
    const later = await pendingSignIn(app, email);
    await mailedSignInCode(app, later, email);
    expect(await codeMails(email)).toBe(mails + 1);
  });

  it('counts any hour, not an hour from the first code: none more across its edge', async () => {
    const { email } = await userWithEmail();
    await mailedSignInCode(app, await pendingSignIn(app, email), email);
    app.clock.advance(55 * 60_000);
    const client = await pendingSignIn(app, email);
    for (let i = 0; i < 4; i += 1) {
      app.clock.advance(61_000);
      await mailedSignInCode(app, client, email);
    }
    const mails = await codeMails(email);
    // Past the hour of the first code: it has left the hour, the other four have not.
    app.clock.advance(2 * 61_000);
    await mailedSignInCode(app, client, email);
    app.clock.advance(61_000);
    const next = await askAgain(client);
    expect(next.status).toBe(429);
    expect(textOf(next.body)).toContain(LIMIT);
    expect(await codeMails(email)).toBe(mails + 1);
  });

  it('lets no two requests at the same moment both take the last code of the hour', async () => {
    const key = `email-code:hour:${randomUUID()}`;
    const answers = await Promise.all(
      Array.from({ length: 8 }, () => consumeSlidingLimit(app.db, key, 5, 60 * 60_000, 1_000)),
    );
    expect(answers.filter((a) => a.allowed)).toHaveLength(5);
  });
});
