/*
 * Replaying a one-time code. Whoever watches a code being typed, reads it from a proxy log or
 * races the owner with it must not get a second sign-in from it: TOTP products without a
 * record of the used step accepted the same code for its whole window (nextcloud
 * twofactor_totp#245, zitadel#6452), and check-then-update code paths gave one backup code
 * to many parallel requests (artifact-keeper#1822: 30 requests, 14 sessions; Keycloak
 * #26106). A TOTP step, an email code and a recovery code each work once, also when fifty
 * requests arrive together, and a replay counts as a failure and is audited.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { totpCodeAt } from '../../src/two-factor/totp/totp.js';
import { hashToken } from '../../src/security/tokens.js';
import type { Client, Page } from '../helpers/client.js';
import { textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import {
  accountRow,
  auditCount,
  freshCode,
  mailedSignInCode,
  nextStep,
  PENDING_COOKIE,
  pendingSignIn,
  SESSION_COOKIE,
  sessionCount,
  setUpEmail,
  signedInUser,
  submitCode,
  userWithApp,
} from '../helpers/two-factor.js';

const ALREADY_USED = 'That code has already been used.';
// A recovery code never comes again: its replay must not tell the person to wait for a new one.
const RECOVERY_ALREADY_USED =
  'That recovery code has already been used. Use another one of your recovery codes.';

const isSignedIn = (page: Page) =>
  page.status === 303 &&
  page.location === '/' &&
  (page.headers['set-cookie']?.toString() ?? '').includes(`portico_session=`);

describe.each(DIALECTS)('two-factor replay (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  async function pendingFailures(client: Client): Promise<number> {
    const row = await app.db
      .selectFrom('pending_sign_ins')
      .select('failures')
      .where('id_hash', '=', hashToken(client.cookies.get(PENDING_COOKIE) ?? ''))
      .executeTakeFirstOrThrow();
    return row.failures;
  }

  it('refuses a TOTP code the second time, counts it as a failure and audits the replay', async () => {
    const user = await userWithApp(app);
    await user.client.post('/logout');
    const code = freshCode(app, user.secret);

    const first = await pendingSignIn(app, user.email);
    await first.get('/login/2fa');
    expect(isSignedIn(await submitCode(first, 'totp', code))).toBe(true);

    const second = await pendingSignIn(app, user.email);
    await second.get('/login/2fa');
    const replay = await submitCode(second, 'totp', code);
    expect(replay.status).toBe(422);
    expect(textOf(replay.body)).toContain(ALREADY_USED);
    expect(second.cookies.has(SESSION_COOKIE)).toBe(false);
    expect(await sessionCount(app, user.userId)).toBe(1);
    expect(await auditCount(app, 'two_factor.code_replayed', user.userId)).toBe(1);
    expect((await accountRow(app, user.userId)).second_factor_failures).toBe(1);
    expect(await pendingFailures(second)).toBe(1);
  });

  it('refuses the code of an earlier step once a later step was used', async () => {
    const user = await userWithApp(app);
    await user.client.post('/logout');
    nextStep(app);
    const now = app.clock.now();

    const later = await pendingSignIn(app, user.email);
    await later.get('/login/2fa');
    expect(isSignedIn(await submitCode(later, 'totp', totpCodeAt(user.secret, now + 30_000)))).toBe(
      true,
    );

    const earlier = await pendingSignIn(app, user.email);
    await earlier.get('/login/2fa');
    const refused = await submitCode(earlier, 'totp', totpCodeAt(user.secret, now));
    expect(refused.status).toBe(422);
    expect(textOf(refused.body)).toContain(ALREADY_USED);
    expect(earlier.cookies.has(SESSION_COOKIE)).toBe(false);
    expect(await auditCount(app, 'two_factor.code_replayed', user.userId)).toBe(1);
  });

  it('refuses at log-in the code that proved the app at set-up', async () => {
    const user = await userWithApp(app);
    const client = await pendingSignIn(app, user.email);
    await client.get('/login/2fa');
    const refused = await submitCode(client, 'totp', totpCodeAt(user.secret, app.clock.now()));
    expect(refused.status).toBe(422);
    expect(textOf(refused.body)).toContain(ALREADY_USED);
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
  });

  it('gives exactly one session for one TOTP code sent to 50 pending sign-ins at once', async () => {
    const user = await userWithApp(app);
    await user.client.post('/logout');
    const clients = [];
    for (let i = 0; i < 50; i += 1) {
      const client = await pendingSignIn(app, user.email);
      await client.get('/login/2fa');
      clients.push(client);
    }
    const code = freshCode(app, user.secret);
    const results = await Promise.all(clients.map((c) => submitCode(c, 'totp', code)));
    expect(results.filter(isSignedIn)).toHaveLength(1);
    // The replays count as failures: ten of them lock the account's second factor, which also
    // ends the pending sign-ins still waiting (those are sent back to the password).
    for (const page of results.filter((r) => !isSignedIn(r))) {
      if (page.status === 303) expect(page.location).toBe('/login');
      else expect([422, 423]).toContain(page.status);
    }
    expect(clients.filter((c) => c.cookies.has(SESSION_COOKIE))).toHaveLength(1);
    expect(await sessionCount(app, user.userId)).toBe(1);
    expect(await auditCount(app, 'two_factor.code_replayed', user.userId)).toBeGreaterThan(0);
  });

  it('accepts an email code once, also when it is sent many times at once', async () => {
    const { client: setupClient, email, userId } = await signedInUser(app);
    await setUpEmail(app, setupClient, email);
    await setupClient.post('/logout');
    app.clock.advance(61_000);

    const client = await pendingSignIn(app, email);
    const code = await mailedSignInCode(app, client, email);
    // A handful at once (a double click, a retrying proxy): fewer than the five tries one
    // pending sign-in allows, so that no refused copy ends the sign-in under the right one.
    const results = await Promise.all(
      Array.from({ length: 4 }, () => submitCode(client, 'email', code)),
    );
    expect(results.filter(isSignedIn)).toHaveLength(1);
    expect(await sessionCount(app, userId)).toBe(1);

    // The used code on a new pending sign-in of the same person.
    const other = await pendingSignIn(app, email);
    await other.get('/login/2fa?method=email');
    const again = await submitCode(other, 'email', code);
    expect(again.status).toBe(422);
    expect(other.cookies.has(SESSION_COOKIE)).toBe(false);
    expect(await sessionCount(app, userId)).toBe(1);
  });

  it('accepts a recovery code once, audits the replay, and gives one session for 20 parallel uses', async () => {
    const user = await userWithApp(app);
    await user.client.post('/logout');
    const [first, second] = user.recoveryCodes;

    const a = await pendingSignIn(app, user.email);
    await a.get('/login/2fa?method=recovery');
    expect(isSignedIn(await submitCode(a, 'recovery', first ?? ''))).toBe(true);

    const b = await pendingSignIn(app, user.email);
    await b.get('/login/2fa?method=recovery');
    const replay = await submitCode(b, 'recovery', first ?? '');
    expect(replay.status).toBe(422);
    expect(textOf(replay.body)).toContain(RECOVERY_ALREADY_USED);
    expect(textOf(replay.body)).not.toContain('Wait for a new code');
    expect(b.cookies.has(SESSION_COOKIE)).toBe(false);
    expect(await auditCount(app, 'two_factor.code_replayed', user.userId)).toBe(1);
    expect((await accountRow(app, user.userId)).second_factor_failures).toBe(1);

    const clients = [];
    for (let i = 0; i < 20; i += 1) {
      const client = await pendingSignIn(app, user.email);
      await client.get('/login/2fa?method=recovery');
      clients.push(client);
    }
    const results = await Promise.all(clients.map((c) => submitCode(c, 'recovery', second ?? '')));
    expect(results.filter(isSignedIn)).toHaveLength(1);
    expect(await sessionCount(app, user.userId)).toBe(2);
    expect(await app.services.twoFactor.recovery.remaining(user.userId)).toBe(8);
  });
});
