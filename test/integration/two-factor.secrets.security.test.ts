/*
 * Second-factor secrets where they do not belong. An OTP echoed in a response defeats the
 * factor for anyone who can read or tamper with responses (MTN on HackerOne #777957 and the
 * response-manipulation family); a secret in a log line reaches everyone who reads logs; a
 * TOTP secret or a code stored in plain text hands the factor to whoever reads a backup.
 * Through set-up, sign-in with every method, step-up, a change of address and new recovery
 * codes: the TOTP secret appears only on its set-up page, recovery codes only on the page that
 * shows them, email codes in no response at all; none of them in any log line; and the
 * database holds the TOTP secret encrypted and codes only as hashes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSetupKey } from '../../src/two-factor/totp/totp.js';
import type { Page } from '../helpers/client.js';
import { Client } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, PASSWORD, registerAndVerify } from '../helpers/flows.js';
import { codeIn } from '../helpers/mail-capture.js';
import { snapshotDatabase } from '../helpers/snapshot.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import {
  freshCode,
  hiddenValue,
  mailedSignInCode,
  followToCodes,
  RECOVERY_CODES_PAGE,
  recoveryCodesOf,
  setUpApp,
  submitCode,
  wrongCode,
} from '../helpers/two-factor.js';

interface Seen {
  method: string;
  url: string;
  page: Page;
}

/** A client that keeps every response it got, to search them afterwards. */
class RecordingClient extends Client {
  readonly seen: Seen[] = [];
  override async request(
    method: 'GET' | 'POST',
    url: string,
    options: Parameters<Client['request']>[2] = {},
  ): Promise<Page> {
    const page = await super.request(method, url, options);
    this.seen.push({ method, url, page });
    return page;
  }
}

const escape = (value: string) => value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether `token` occurs on its own (not inside a longer run of token characters). */
function containsToken(haystack: string, token: string): boolean {
  return new RegExp(`(?<![A-Za-z0-9_+/=-])${escape(token)}(?![A-Za-z0-9_+/=-])`).test(haystack);
}

const everything = (s: Seen) =>
  `${JSON.stringify(s.page.headers)}\n${s.page.location ?? ''}\n${s.page.body}`;

describe.each(DIALECTS)('two-factor secrets (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('keeps secrets and codes out of responses, logs and plain database columns', async () => {
    const client = new RecordingClient(app.app);
    client.ip = '10.250.0.1';
    const { email, userId } = await registerAndVerify(app, client);
    await logIn(client, email);
    const emailCodes: string[] = [];
    const mailed = async (since: number) =>
      codeIn(await app.mail.waitFor(email, /verification code/, { since }));

    // Set-up: the secret is shown on its page, the first recovery codes on theirs.
    const { secret, recoveryCodes, page: recoveryPage } = await setUpApp(app, client);
    expect(recoveryCodes).toHaveLength(10);
    await client.get('/profile/2fa/email/new');
    let since = app.mail.messages.length;
    const sent = await client.post('/profile/2fa/email/new', {
      action: 'send',
      name: 'Work mail',
      email,
    });
    emailCodes.push(await mailed(since));
    await client.post('/profile/2fa/email/new', {
      action: 'create',
      setup_id: hiddenValue(sent, 'setup_id'),
      name: 'Work mail',
      email,
      code: emailCodes[0] ?? '',
    });
    await client.get('/profile/2fa');
    const regenerated = await followToCodes(client, await client.post(RECOVERY_CODES_PAGE));
    const newRecoveryCodes = recoveryCodesOf(regenerated);
    expect(newRecoveryCodes).toHaveLength(10);
    await client.get('/profile/2fa/app/edit');
    await client.get('/profile/2fa/email/edit');

    // Sign-in with each method, wrong codes included.
    await client.post('/logout');
    await logIn(client, email);
    await client.get('/login/2fa');
    await submitCode(client, 'totp', wrongCode(app, secret));
    expect((await submitCode(client, 'totp', freshCode(app, secret))).location).toBe('/');
    await client.post('/logout');
    app.clock.advance(61_000);
    await logIn(client, email);
    const signInCode = await mailedSignInCode(app, client, email);
    emailCodes.push(signInCode);
    await client.get('/login/2fa?method=email&sent=1');
    await submitCode(client, 'email', signInCode === '000000' ? '111111' : '000000');
    expect((await submitCode(client, 'email', signInCode)).location).toBe('/');
    await client.post('/logout');
    await logIn(client, email);
    await client.get('/login/2fa?method=recovery');
    expect((await submitCode(client, 'recovery', newRecoveryCodes[0] ?? '')).location).toBe('/');

    // Step-up with an emailed code, then a change of address.
    app.clock.advance(11 * 60_000);
    await client.get('/reauth');
    await client.post('/reauth', { password: PASSWORD, next: '/profile/2fa/email/edit' });
    const stepUpCode = await mailedSignInCode(app, client, email, '/reauth/2fa');
    emailCodes.push(stepUpCode);
    expect(
      (
        await client.post('/reauth/2fa', {
          method: 'email',
          code: stepUpCode,
          next: '/profile/2fa/email/edit',
        })
      ).location,
    ).toBe('/profile/2fa/email/edit');
    app.clock.advance(61_000);
    await client.get('/profile/2fa/email/edit');
    since = app.mail.messages.length;
    const change = await client.post('/profile/2fa/email/edit', {
      action: 'change',
      email: `other.${email}`,
    });
    expect(change.status).toBe(200);
    emailCodes.push(
      codeIn(await app.mail.waitFor(`other.${email}`, /verification code/, { since })),
    );
    await client.get('/profile/2fa');
    await app.services.postman.drain();
    expect(emailCodes).toHaveLength(4);

    // Responses.
    const secretForms = [secret, formatSetupKey(secret)];
    const onSetupPage = (s: Seen) => s.url === '/profile/2fa/app/new';
    for (const s of client.seen) {
      const text = everything(s);
      for (const form of secretForms) {
        if (!onSetupPage(s))
          expect(text.includes(form), `secret in ${s.method} ${s.url}`).toBe(false);
      }
      for (const code of recoveryCodes) {
        if (s.page !== recoveryPage) {
          expect(text.includes(code), `recovery code in ${s.method} ${s.url}`).toBe(false);
        }
      }
      for (const code of newRecoveryCodes) {
        if (s.page !== regenerated) {
          expect(text.includes(code), `new recovery code in ${s.method} ${s.url}`).toBe(false);
        }
      }
      for (const code of emailCodes) {
        expect(containsToken(text, code), `email code in ${s.method} ${s.url}`).toBe(false);
      }
    }
    // The pages where they belong do show them (the checks above are not vacuous).
    expect(
      client.seen.some((s) => onSetupPage(s) && s.page.body.includes(formatSetupKey(secret))),
    ).toBe(true);
    expect(recoveryPage.body).toContain(recoveryCodes[0]);

    // Logs.
    const log = app.logLines.join('\n');
    expect(log.length).toBeGreaterThan(0);
    expect(log.includes(secret)).toBe(false);
    expect(log.includes(formatSetupKey(secret))).toBe(false);
    for (const code of [...recoveryCodes, ...newRecoveryCodes]) {
      expect(log.includes(code)).toBe(false);
      expect(log.includes(code.replace(/-/g, ''))).toBe(false);
    }
    for (const code of emailCodes)
      expect(containsToken(log, code), `email code ${code} logged`).toBe(false);

    // The database: the secret only encrypted, the codes only hashed.
    const method = await app.db
      .selectFrom('two_factor_methods')
      .select(['secret_encrypted'])
      .where('user_id', '=', userId)
      .where('type', '=', 'totp')
      .executeTakeFirstOrThrow();
    expect(method.secret_encrypted).toBeTruthy();
    expect(method.secret_encrypted).not.toContain(secret);
    const storedCodes = await app.db
      .selectFrom('email_codes')
      .select('code_hash')
      .where('user_id', '=', userId)
      .execute();
    expect(storedCodes.length).toBeGreaterThan(0);
    for (const row of storedCodes) expect(emailCodes).not.toContain(row.code_hash);
    const storedRecovery = await app.db
      .selectFrom('recovery_codes')
      .select('code_hash')
      .where('user_id', '=', userId)
      .execute();
    expect(storedRecovery).toHaveLength(10);
    const plainRecovery = newRecoveryCodes.flatMap((c) => [c, c.replace(/-/g, '')]);
    for (const row of storedRecovery) expect(plainRecovery).not.toContain(row.code_hash);

    const dump = JSON.stringify(await snapshotDatabase(app.db));
    expect(dump.includes(secret)).toBe(false);
    for (const code of plainRecovery) expect(dump.includes(code)).toBe(false);
    for (const code of emailCodes)
      expect(containsToken(dump, code), `email code ${code} stored`).toBe(false);
  });
});
