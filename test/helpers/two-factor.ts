import { expect } from 'vitest';
import type { RequestMeta } from '../../src/audit/audit.js';
import type { TwoFactorPolicy } from '../../src/two-factor/policy.js';
import { DEFAULT_POLICY } from '../../src/two-factor/policy.js';
import { totpCodeAt } from '../../src/two-factor/totp/totp.js';
import type { Page } from './client.js';
import { Client } from './client.js';
import { logIn, registerAndVerify } from './flows.js';
import { codeIn } from './mail-capture.js';
import type { TestApp } from './test-app.js';

/** The setup key shown on the app set-up page, without spaces. */
export function setupKeyOf(page: Page): string {
  const match = /class="setup-key"[^>]*>\s*<code>([A-Z2-7 ]+)<\/code>/.exec(page.body);
  if (!match?.[1]) throw new Error('No setup key on the page');
  return match[1].replace(/ /g, '');
}

export function hiddenValue(page: Page, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(page.body);
  if (!match?.[1]) throw new Error(`No ${name} field on the page`);
  return match[1];
}

/** Presses "Yes, remove it" on a method's confirmation page (`path`), as a browser would. */
export async function confirmRemoval(client: Client, path: string): Promise<Page> {
  const page = await client.get(path);
  return client.post(path, { method_id: hiddenValue(page, 'method_id') });
}

export function recoveryCodesOf(page: Page): string[] {
  return [
    ...page.body.matchAll(
      /<li><code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})<\/code><\/li>/g,
    ),
  ].map((m) => m[1] as string);
}

/** Where new recovery codes are shown, once, after the POST that made them redirects. */
export const RECOVERY_CODES_PAGE = '/profile/2fa/recovery-codes';

/** Follows the redirect from a POST that made recovery codes to the page that shows them. */
export async function followToCodes(client: Client, page: Page): Promise<Page> {
  return page.status === 303 && page.location === RECOVERY_CODES_PAGE ? client.follow(page) : page;
}

/**
 * Sets up the authenticator app through the set-up page, as a phone would: reads the key,
 * computes the current code. Returns the secret and the recovery codes if shown.
 */
export async function setUpApp(
  app: TestApp,
  client: Client,
  base = '/profile/2fa',
  name = 'My phone',
): Promise<{ secret: string; recoveryCodes: string[]; page: Page }> {
  const setup = await client.get(`${base}/app/new`);
  expect(setup.status).toBe(200);
  const secret = setupKeyOf(setup);
  const page = await followToCodes(
    client,
    await client.post(`${base}/app/new`, {
      setup_id: hiddenValue(setup, 'setup_id'),
      name,
      code: totpCodeAt(secret, app.clock.now()),
    }),
  );
  return { secret, recoveryCodes: recoveryCodesOf(page), page };
}

/** Sets up email authentication with the code read from the delivered mail. */
export async function setUpEmail(
  app: TestApp,
  client: Client,
  email: string,
  base = '/profile/2fa',
): Promise<{ recoveryCodes: string[]; page: Page }> {
  await client.get(`${base}/email/new`);
  const since = app.mail.messages.length;
  const sent = await client.post(`${base}/email/new`, { action: 'send', name: 'Work mail', email });
  expect(sent.status).toBe(200);
  const mail = await app.mail.waitFor(email, /verification code/, { since });
  const page = await followToCodes(
    client,
    await client.post(`${base}/email/new`, {
      action: 'create',
      setup_id: hiddenValue(sent, 'setup_id'),
      name: 'Work mail',
      email,
      code: codeIn(mail),
    }),
  );
  return { recoveryCodes: recoveryCodesOf(page), page };
}

/**
 * A user with email authentication, logged out, with the clock moved on by `waitMs` (past the
 * one-minute resend wait, or past the hour that counts five codes).
 */
export async function loggedOutUserWithEmail(app: TestApp, waitMs: number) {
  const user = await signedInUser(app);
  await setUpEmail(app, user.client, user.email);
  await user.client.post('/logout');
  app.clock.advance(waitMs);
  return user;
}

/** Moves the clock to the next TOTP step, so a fresh code is not a replay of the last one. */
export function nextStep(app: TestApp): void {
  app.clock.advance(30_000);
}

/** Cookie names on plain HTTP (tests run without TLS, so no __Host- prefix). */
export const SESSION_COOKIE = 'portico_session';
export const PENDING_COOKIE = 'portico_signin';

export const TEST_META: RequestMeta = { ip: '127.0.0.1', userAgent: 'PorticoTest/1.0' };

/** Saves the default 2FA policy with `change` applied (`{}` restores the default). */
export function savePolicy(app: TestApp, change: Partial<TwoFactorPolicy>) {
  return app.services.twoFactor.policy.save(
    { ...DEFAULT_POLICY, ...change },
    { actorLabel: 'test', meta: TEST_META },
  );
}

let ipCounter = 0;
/**
 * A client with an address of its own: log-in limits count per network address, and a suite
 * that signs in a hundred times must not trip them by accident.
 */
export function newClient(app: TestApp): Client {
  ipCounter += 1;
  const client = new Client(app.app);
  client.ip = `10.${(ipCounter >> 16) & 255}.${(ipCounter >> 8) & 255}.${ipCounter & 255}`;
  return client;
}

/** A verified user signed in on a client of their own (a recent sign-in). */
export async function signedInUser(
  app: TestApp,
): Promise<{ client: Client; email: string; userId: string }> {
  const client = newClient(app);
  const { email, userId } = await registerAndVerify(app, client);
  const login = await logIn(client, email);
  expect(login.status).toBe(303);
  expect(client.cookies.has(SESSION_COOKIE)).toBe(true);
  return { client, email, userId };
}

/**
 * A user with the authenticator app. `client` stays signed in (to change things meanwhile);
 * the set-up step is used up, so the next code should come from `freshCode`.
 */
export async function userWithApp(app: TestApp): Promise<{
  client: Client;
  email: string;
  userId: string;
  secret: string;
  recoveryCodes: string[];
}> {
  const user = await signedInUser(app);
  const { secret, recoveryCodes, page } = await setUpApp(app, user.client);
  expect(page.status).toBe(200);
  expect(recoveryCodes).toHaveLength(10);
  return { ...user, secret, recoveryCodes };
}

/** Logs in with the password on a new client and stops at the second step. */
export async function pendingSignIn(app: TestApp, email: string): Promise<Client> {
  const client = newClient(app);
  const login = await logIn(client, email);
  expect(login.status).toBe(303);
  expect(login.location).toBe('/login/2fa');
  expect(client.cookies.has(PENDING_COOKIE)).toBe(true);
  expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
  return client;
}

/** Submits a code on the second step of a log-in (or of a step-up with `/reauth/2fa`). */
export function submitCode(
  client: Client,
  method: 'totp' | 'email' | 'recovery',
  code: string,
  base = '/login/2fa',
): Promise<Page> {
  return client.post(base, { method, code });
}

/** Moves to a new time step and returns the app's code for it (never a replay). */
export function freshCode(app: TestApp, secret: string): string {
  nextStep(app);
  return totpCodeAt(secret, app.clock.now());
}

/** A six-digit code that no step of the accepted window (±1) matches right now. */
export function wrongCode(app: TestApp, secret: string): string {
  const now = app.clock.now();
  const valid = new Set([-1, 0, 1].map((d) => totpCodeAt(secret, now + d * 30_000)));
  for (let n = 0; ; n += 1) {
    const candidate = String((123_456 + n * 7_919) % 1_000_000).padStart(6, '0');
    if (!valid.has(candidate)) return candidate;
  }
}

/** Asks for a sign-in code by email on the challenge page and returns the delivered code. */
export async function mailedSignInCode(
  app: TestApp,
  client: Client,
  email: string,
  base = '/login/2fa',
): Promise<string> {
  await client.get(`${base}?method=email`);
  const since = app.mail.messages.length;
  const sent = await client.post(`${base}/send`);
  expect(sent.status).toBe(303);
  return codeIn(await app.mail.waitFor(email, /verification code/, { since }));
}

/** Security events of one kind about a user (as actor or as target). */
export async function auditCount(app: TestApp, event: string, userId: string): Promise<number> {
  const rows = await app.db
    .selectFrom('audit_events')
    .select('id')
    .where('event', '=', event)
    .where((eb) => eb.or([eb('actor_user_id', '=', userId), eb('target_user_id', '=', userId)]))
    .execute();
  return rows.length;
}

/** Email codes the audit log says were sent to the user for `purpose` (sign_in, setup, change). */
export async function emailCodesAudited(
  app: TestApp,
  userId: string,
  purpose: string,
): Promise<Array<Record<string, unknown>>> {
  const rows = await app.db
    .selectFrom('audit_events')
    .select('details')
    .where('event', '=', 'two_factor.email_code_sent')
    .where((eb) => eb.or([eb('actor_user_id', '=', userId), eb('target_user_id', '=', userId)]))
    .execute();
  return rows
    .map((row) => JSON.parse(row.details ?? '{}') as Record<string, unknown>)
    .filter((details) => details.purpose === purpose);
}

/** Live sessions of a user in the database. */
export async function sessionCount(app: TestApp, userId: string): Promise<number> {
  const rows = await app.db
    .selectFrom('sessions')
    .select('id_hash')
    .where('user_id', '=', userId)
    .execute();
  return rows.length;
}

/** The account's password hash and credential version, to show a refused change changed neither. */
export function passwordRow(app: TestApp, userId: string) {
  return app.db
    .selectFrom('users')
    .select(['password_hash', 'credential_version'])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
}

/** The account row with its second-factor counters. */
export function accountRow(app: TestApp, userId: string) {
  return app.db
    .selectFrom('users')
    .select([
      'second_factor_failures',
      'second_factor_locked_until',
      'second_factor_locks',
      'credential_version',
    ])
    .where('id', '=', userId)
    .executeTakeFirstOrThrow();
}
