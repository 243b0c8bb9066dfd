import { expect } from 'vitest';
import type { Client } from './client.js';
import { linkIn, pathOf } from './mail-capture.js';
import type { TestApp } from './test-app.js';

export const PASSWORD = 'correct horse battery staple';

let counter = 0;
export function uniqueEmail(prefix = 'user'): string {
  counter += 1;
  return `${prefix}${counter}.${Date.now().toString(36)}@example.com`;
}

/** Registers through the form and verifies through the link in the delivered mail. */
export async function registerAndVerify(
  app: TestApp,
  client: Client,
  input: { name?: string; email?: string; password?: string } = {},
): Promise<{ email: string; password: string; userId: string }> {
  const email = input.email ?? uniqueEmail();
  const password = input.password ?? PASSWORD;
  const since = app.mail.messages.length;
  const page = await client.submit('/register', {
    name: input.name ?? 'Test User',
    email,
    password,
  });
  expect(page.status).toBe(200);
  const mail = await app.mail.waitFor(email, /Verify your email/, { since });
  await client.get(pathOf(linkIn(mail, '/verify-email')));
  const verified = await client.post('/verify-email', {
    token: new URL(linkIn(mail, '/verify-email')).searchParams.get('token') ?? '',
    password,
  });
  expect(verified.status).toBe(303);
  const row = await app.db
    .selectFrom('email_addresses')
    .select('user_id')
    .where('email_normalized', '=', email.toLowerCase())
    .where('verified_at', 'is not', null)
    .executeTakeFirstOrThrow();
  return { email, password, userId: row.user_id };
}

/** Logs in with the password form; returns the response of the POST. */
export async function logIn(client: Client, email: string, password = PASSWORD) {
  return client.submit('/login', { email, password });
}
