/**
 * Steps the two-factor browser suites share: a browser profile that screenshots sharply
 * (for zbarimg), registering and logging in through the forms, reading the app set-up page
 * the way a phone does, and the checks every page gets.
 */
import fs from 'node:fs';
import type { Page } from 'playwright-core';
import { expect } from 'vitest';
import { en } from '../../../src/i18n/en.js';
import type { Messages } from '../../../src/i18n/index.js';
import { PASSWORD } from '../../helpers/flows.js';
import { codeIn, linkIn } from '../../helpers/mail-capture.js';
import type { TestApp } from '../../helpers/test-app.js';
import { oathtoolCode, parseOtpauth, readQrCode } from './authenticator.js';
import type { E2eWorld } from './browser.js';
import {
  DESKTOP,
  expectNoAxeViolations,
  expectNoSidewaysScroll,
  PHONE,
  screenshot,
} from './browser.js';

/** One 30-second TOTP step of the app's clock. */
export const STEP_MS = 30_000;

/**
 * A browser profile at device scale 2 (so an element screenshot of the QR code has enough
 * pixels for zbarimg) that accepts downloads. Closed with the browser.
 */
export async function openProfile(
  world: E2eWorld,
  options: { locale?: string; viewport?: { width: number; height: number } } = {},
): Promise<Page> {
  const context = await world.browser.newContext({
    baseURL: world.app.baseUrl,
    locale: options.locale ?? 'en-US',
    viewport: options.viewport ?? DESKTOP,
    deviceScaleFactor: 2,
    acceptDownloads: true,
  });
  context.setDefaultTimeout(10_000);
  return context.newPage();
}

/**
 * axe on the page as it is, one element at most that takes the focus when the page opens, no
 * sideways scrolling on a phone, a screenshot when asked for.
 */
export async function check(page: Page, name: string): Promise<void> {
  await expectNoAxeViolations(page, name);
  expect(
    await page.locator('[autofocus]').count(),
    `${name}: elements with autofocus`,
  ).toBeLessThan(2);
  if ((page.viewportSize()?.width ?? 0) <= PHONE.width) await expectNoSidewaysScroll(page, name);
  await screenshot(page, name);
}

/** The same checks again at phone width, then back to the width the page had. */
export async function checkOnPhone(page: Page, name: string): Promise<void> {
  const before = page.viewportSize() ?? DESKTOP;
  await page.setViewportSize(PHONE);
  try {
    await check(page, `${name}-phone`);
  } finally {
    await page.setViewportSize(before);
  }
}

/** Registers through the form and opens the link in the delivered mail. */
export async function registerInBrowser(
  app: TestApp,
  page: Page,
  input: { name: string; email: string; t?: Messages },
): Promise<void> {
  const t = input.t ?? en;
  await page.goto('/register');
  await page.getByLabel(t.register.name).fill(input.name);
  await page.getByLabel(t.register.email).fill(input.email);
  await page.getByLabel(t.register.password).fill(PASSWORD);
  const since = app.mail.messages.length;
  await page.getByRole('button', { name: t.register.submit }).click();
  await page.getByRole('heading', { name: t.register.checkEmailTitle }).waitFor();
  const mail = await app.mail.waitFor(input.email, /./, { since });
  await page.goto(linkIn(mail, '/verify-email'));
  await page.getByLabel(t.login.password).fill(PASSWORD);
  await page.getByRole('button', { name: t.mail.verifyButton }).click();
  await page.waitForURL('**/login');
}

/** Fills the password form; where it leads next is up to the account. */
export async function logInWithPassword(page: Page, email: string, t: Messages = en) {
  if (new URL(page.url()).pathname !== '/login') await page.goto('/login');
  await page.getByLabel(t.login.email).fill(email);
  await page.getByLabel(t.login.password).fill(PASSWORD);
  await page.getByRole('button', { name: t.login.submit, exact: true }).click();
  await page.waitForLoadState();
}

export async function logOut(page: Page, t: Messages = en): Promise<void> {
  await page.getByRole('button', { name: t.layout.accountMenu, exact: true }).click();
  await page.getByRole('button', { name: t.layout.logOut }).click();
  await page.getByRole('link', { name: t.layout.logIn, exact: true }).waitFor();
}

/** Signed in: the header has the account menu. */
export async function expectSignedIn(page: Page, t: Messages = en): Promise<void> {
  await page.getByRole('button', { name: t.layout.accountMenu, exact: true }).waitFor();
}

/** The page asks for nothing but a second factor: no session cookie exists yet. */
export async function expectNoSession(page: Page): Promise<void> {
  const profile = await page.request.get('/profile', { maxRedirects: 0 });
  expect(profile.status(), '/profile must answer as signed out').toBe(303);
  expect(profile.headers().location ?? '').toMatch(/^\/login/);
}

export interface ScannedSetup {
  secret: string;
  uri: string;
}

/**
 * Reads the QR code off the app set-up page with zbarimg, checks the otpauth:// URI as an
 * authenticator app would read it, and checks that the "Setup Key" says the same secret.
 */
export async function scanAppSetup(
  page: Page,
  account: string,
  t: Messages = en,
): Promise<ScannedSetup> {
  const qr = page.getByRole('img', { name: t.twoFactor.qrAlt, exact: true });
  await qr.waitFor();
  const uri = await readQrCode(qr);
  const parsed = parseOtpauth(uri);
  expect(parsed.type).toBe('totp');
  expect(parsed.labelIssuer).toBe('Portico Help Center');
  expect(parsed.account).toBe(account);
  expect(parsed.params.issuer).toBe('Portico Help Center');
  expect(parsed.params.algorithm).toBe('SHA1');
  expect(parsed.params.digits).toBe('6');
  expect(parsed.params.period).toBe('30');
  const secret = parsed.params.secret ?? '';
  // 160 bits are 32 base32 characters: no padding, nothing but the alphabet.
  expect(secret).toMatch(/^[A-Z2-7]{32}$/);

  const setupKey = (
    await page.getByLabel(t.twoFactor.setupKey, { exact: true }).innerText()
  ).trim();
  expect(setupKey).toMatch(/^[A-Z2-7]{4}( [A-Z2-7]{4})*$/);
  expect(setupKey.replaceAll(' ', '')).toBe(secret);
  return { secret, uri };
}

/** A six-digit code that no step the app accepts right now (±1) matches. */
export async function wrongTotpCode(secret: string, nowMs: number): Promise<string> {
  const valid = new Set(
    await Promise.all([-1, 0, 1].map((d) => oathtoolCode(secret, nowMs + d * STEP_MS))),
  );
  for (let n = 0; ; n += 1) {
    const candidate = String((314_159 + n * 7_919) % 1_000_000).padStart(6, '0');
    if (!valid.has(candidate)) return candidate;
  }
}

/** Another six-digit code than the one mailed. */
export function otherThan(code: string): string {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

/** The code in the newest "verification code" mail to an address since `since`. */
export async function mailedCode(app: TestApp, to: string, since: number): Promise<string> {
  return codeIn(await app.mail.waitFor(to, /verification code|verificatiecode/i, { since }));
}

/** Clicks the "Download" link and returns the saved file's text. */
export async function downloadText(page: Page, label: string): Promise<string> {
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: label, exact: true }).click(),
  ]);
  expect(download.suggestedFilename()).toBe('recovery-codes.txt');
  const file = await download.path();
  return fs.readFileSync(file, 'utf8');
}

/** The codes listed on the "Save your recovery codes" page. */
export async function recoveryCodesOnPage(page: Page): Promise<string[]> {
  const items = await page.locator('.recovery-codes li').allInnerTexts();
  return items.map((item) => item.trim());
}
