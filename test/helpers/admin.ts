import { expect } from 'vitest';
import { totpCodeAt } from '../../src/two-factor/totp/totp.js';
import { Client } from './client.js';
import { logIn, registerAndVerify, uniqueEmail } from './flows.js';
import type { TestApp } from './test-app.js';
import { nextStep, setUpApp } from './two-factor.js';

export interface SignedInAdmin {
  client: Client;
  email: string;
  userId: string;
  name: string;
  /** The authenticator app's secret, for step-ups and later log-ins. */
  secret: string;
}

let clients = 0;
/** A client with a network address of its own: log-in limits count per address. */
export function adminClient(app: TestApp): Client {
  clients += 1;
  const client = new Client(app.app);
  client.ip = `192.0.2.${clients % 250}`;
  return client;
}

/**
 * An administrator signed in with a second factor, as the console demands: registers and
 * verifies an account, sets up the authenticator app from Your 2FA, is made administrator,
 * and logs in again with the password and a code from the app.
 */
export async function signedInAdmin(
  app: TestApp,
  options: { name?: string; email?: string } = {},
): Promise<SignedInAdmin> {
  const first = adminClient(app);
  const name = options.name ?? 'Ada Admin';
  const { email, userId } = await registerAndVerify(app, first, {
    name,
    email: options.email ?? uniqueEmail('admin'),
  });
  expect((await logIn(first, email)).location).toBe('/');
  const { secret, page } = await setUpApp(app, first, '/profile/2fa', 'Admin phone');
  expect(page.status).toBe(200);
  await first.post('/logout');
  await app.db.updateTable('users').set({ is_admin: 1 }).where('id', '=', userId).execute();
  const admin = { email, userId, name, secret };
  const client = await logInAdmin(app, admin);
  return { ...admin, client };
}

/** Logs an administrator in again on a new client with the password and a TOTP code. */
export async function logInAdmin(
  app: TestApp,
  admin: { email: string; secret: string },
): Promise<Client> {
  const client = adminClient(app);
  const login = await logIn(client, admin.email);
  expect(login.location).toBe('/login/2fa');
  nextStep(app);
  const verified = await client.submit('/login/2fa', {
    method: 'totp',
    code: totpCodeAt(admin.secret, app.clock.now()),
  });
  expect(verified.status).toBe(303);
  return client;
}

/** A plain verified user (not signed in on any client the test keeps). */
export async function plainUser(
  app: TestApp,
  options: { name?: string; email?: string } = {},
): Promise<{ email: string; userId: string; name: string }> {
  const name = options.name ?? 'Pat Person';
  const { email, userId } = await registerAndVerify(app, adminClient(app), {
    name,
    email: options.email ?? uniqueEmail('user'),
  });
  return { email, userId, name };
}
