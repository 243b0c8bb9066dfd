import { expect } from 'vitest';
import { totpCodeAt } from '../../src/two-factor/totp/totp.js';
import type { Client, Page } from './client.js';
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

export function recoveryCodesOf(page: Page): string[] {
  return [
    ...page.body.matchAll(
      /<li><code>([a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4}-[a-z2-7]{4})<\/code><\/li>/g,
    ),
  ].map((m) => m[1] as string);
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
  const page = await client.post(`${base}/app/new`, {
    setup_id: hiddenValue(setup, 'setup_id'),
    name,
    code: totpCodeAt(secret, app.clock.now()),
  });
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
  const page = await client.post(`${base}/email/new`, {
    action: 'create',
    setup_id: hiddenValue(sent, 'setup_id'),
    name: 'Work mail',
    email,
    code: codeIn(mail),
  });
  return { recoveryCodes: recoveryCodesOf(page), page };
}

/** Moves the clock to the next TOTP step, so a fresh code is not a replay of the last one. */
export function nextStep(app: TestApp): void {
  app.clock.advance(30_000);
}
