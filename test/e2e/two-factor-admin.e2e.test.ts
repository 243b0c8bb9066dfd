/**
 * What an administrator's 2FA decisions do to people in a real Chromium (SPEC §2.6, §2.7):
 * mandatory 2FA sends a new user through set-up before any session, a grace date offers
 * "Set up later", and an admin reset ends the user's session, mails them and makes them set
 * up again. The QR code is read by zbarimg and the codes come from oathtool, as in the
 * journey suite.
 *
 * The policy and the reset go through the admin console when it has the pages
 * (/admin/2fa, /admin/users); until then through the app's own services, and the test that
 * walks the console pages says it was skipped.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nl } from '../../src/i18n/nl.js';
import type { Requirement } from '../../src/two-factor/policy.js';
import type { SignedInAdmin } from '../helpers/admin.js';
import { signedInAdmin } from '../helpers/admin.js';
import { uniqueEmail } from '../helpers/flows.js';
import { missingTwoFactorTools, oathtoolCode } from './helpers/authenticator.js';
import type { E2eWorld } from './helpers/browser.js';
import { startE2e } from './helpers/browser.js';
import {
  check,
  checkOnPhone,
  expectNoSession,
  expectSignedIn,
  logInWithPassword,
  logOut,
  mailedCode,
  openProfile,
  otherThan,
  recoveryCodesOnPage,
  registerInBrowser,
  scanAppSetup,
  STEP_MS,
  wrongTotpCode,
} from './helpers/two-factor-browser.js';

const missing = missingTwoFactorTools();
if (missing) console.log(`Two-factor admin browser suite skipped: ${missing}.`);

const DAY_MS = 24 * 60 * 60 * 1000;
const REQUIRE_LABELS: Record<Requirement, string> = {
  nobody: 'Nobody',
  groups: 'Selected user groups',
  all: 'All users',
};

describe.skipIf(missing !== null)('two-factor administration in the browser', () => {
  let world: E2eWorld;
  let admin: SignedInAdmin;
  beforeAll(async () => {
    world = await startE2e();
    admin = await signedInAdmin(world.app, { name: 'Ada Admin' });
  });
  afterAll(async () => {
    await world?.close();
  });

  const now = () => world.app.clock.now();

  let adminPage: Page | undefined;
  /**
   * The administrator in a browser of their own (password, then a code from oathtool), kept
   * for the next admin step while it still opens the console.
   */
  async function adminBrowser(path: string): Promise<Page> {
    if (adminPage) {
      await adminPage.goto(path);
      if (new URL(adminPage.url()).pathname === path) return adminPage;
      await adminPage.context().close();
    }
    const page = await openProfile(world);
    await logInWithPassword(page, admin.email);
    await page.waitForURL('**/login/2fa');
    world.app.clock.advance(STEP_MS);
    await page
      .getByLabel('Verification Code', { exact: true })
      .fill(await oathtoolCode(admin.secret, now()));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectSignedIn(page);
    await page.goto(path);
    adminPage = page;
    return page;
  }

  /** "Require two-factor authentication for", with an optional grace date (YYYY-MM-DD). */
  async function requireFor(require: Requirement, graceDays?: number): Promise<void> {
    const graceUntil = graceDays === undefined ? null : now() + graceDays * DAY_MS;
    const page = await adminBrowser('/admin/2fa');
    await page
      .getByRole('group', { name: 'Require two-factor authentication for' })
      .getByRole('radio', { name: REQUIRE_LABELS[require], exact: true })
      .check();
    await page
      .getByLabel('Users may postpone set-up until')
      .fill(graceUntil === null ? '' : new Date(graceUntil).toISOString().slice(0, 10));
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('status').getByText('The two-factor settings have been saved.').waitFor();
  }

  /** The administrator's "Reset two-factor authentication" for one user. */
  async function resetTwoFactor(user: { userId: string; email: string; name: string }) {
    const page = await adminBrowser('/admin/users');
    // SPEC §2.7: users are found by name or email.
    await page.getByRole('searchbox', { name: 'Search by name or email' }).fill(user.email);
    await page.keyboard.press('Enter');
    await page.getByRole('status').getByText('1 user').waitFor();
    await page.getByRole('link', { name: user.name, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: user.name }).waitFor();
    await check(page, 'admin-user');
    await page.getByRole('link', { name: 'Reset two-factor authentication' }).click();
    await check(page, 'admin-user-reset-confirm');
    await page.getByRole('button', { name: 'Reset two-factor authentication' }).click();
    await page
      .getByRole('status')
      .getByText(`Two-factor authentication for ${user.name} has been reset.`)
      .waitFor();
  }

  /** On the login-path choice page: set up the app with zbarimg and oathtool; signs in. */
  async function setUpAppAtLogin(page: Page, email: string): Promise<string> {
    await page.getByRole('link', { name: 'Set up authentication app' }).click();
    await page.waitForURL('**/login/2fa/setup/app/new');
    await page.getByRole('heading', { name: 'Set Up Two-Factor Authentication' }).waitFor();
    const { secret } = await scanAppSetup(page, email);
    await page.getByLabel('Authenticator Name', { exact: true }).fill('Phone');
    await page
      .getByLabel('Verification Code', { exact: true })
      .fill(await oathtoolCode(secret, now()));
    await page.getByRole('button', { name: 'Submit Code and Create' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    expect(await recoveryCodesOnPage(page)).toHaveLength(10);
    // Only now is there a session.
    await expectSignedIn(page);
    return secret;
  }

  it('mandatory for all users: a new user is forced through set-up before any session', async () => {
    const { app } = world;
    await requireFor('all');
    const page = await openProfile(world);
    const email = uniqueEmail('forced');
    await registerInBrowser(app, page, { name: 'Fern Forced', email });
    await logInWithPassword(page, email);
    await page.waitForURL('**/login/2fa/setup');
    await page
      .getByRole('heading', { level: 1, name: 'Set Up Two-Factor Authentication' })
      .waitFor();
    await page.getByRole('link', { name: 'Set up email authentication' }).waitFor();
    // The app is recommended here too; there is no way around set-up without a grace date.
    const appChoice = page
      .getByRole('listitem')
      .filter({ has: page.getByRole('link', { name: 'Set up authentication app' }) });
    expect(await appChoice.innerText()).toContain('Recommended');
    expect(await page.getByRole('button', { name: 'Set up later' }).count()).toBe(0);
    await expectNoSession(page);
    await check(page, 'setup-required');
    await checkOnPhone(page, 'setup-required');

    // Nothing of the profile opens meanwhile: the pending sign-in grants no page.
    await page.goto('/profile/2fa');
    expect(new URL(page.url()).pathname).toBe('/login');
    await logInWithPassword(page, email);
    await page.waitForURL('**/login/2fa/setup');

    await setUpAppAtLogin(page, email);
    // Set-up done, the page asked for before this log-in opens (Your 2FA).
    await page.getByRole('link', { name: 'Continue' }).click();
    await page.waitForURL((url) => url.pathname === '/profile/2fa');
    await expectSignedIn(page);

    // Your 2FA says it is required, and the last method cannot be removed.
    await page.goto('/profile/2fa');
    await page
      .getByText('Your helpdesk requires two-factor authentication for your account.')
      .waitFor();
    await page.goto('/profile/2fa/app/remove');
    await page.getByRole('alert').getByText('You cannot remove your last method').waitFor();
    expect(await page.getByRole('button', { name: 'Yes, remove it' }).count()).toBe(0);
    await check(page, '2fa-app-remove-blocked');
  });

  it('with a grace date, "Set up later" is offered and signs in without a method', async () => {
    const { app } = world;
    await requireFor('all', 7);
    const page = await openProfile(world);
    const email = uniqueEmail('later');
    await registerInBrowser(app, page, { name: 'Lee Later', email });
    await logInWithPassword(page, email);
    await page.waitForURL('**/login/2fa/setup');
    await page.getByText('You can postpone this until').waitFor();
    const later = page.getByRole('button', { name: 'Set up later' });
    await later.waitFor();
    await expectNoSession(page);
    await check(page, 'setup-required-grace');
    await later.click();
    await page.waitForURL((url) => url.pathname === '/');
    await expectSignedIn(page);
    // Postponed, not forgotten: the first page and Your 2FA say until when.
    await page
      .getByRole('status')
      .getByText('Two-factor authentication is postponed until')
      .waitFor();
    await check(page, 'setup-postponed');
    await page.goto('/profile/2fa');
    await page.getByText('Set up a method before').waitFor();
    await check(page, 'overview-set-up-by');

    // Once the date has passed, set-up can no longer be put off; cancelling leads back to
    // the password form with no session.
    await logOut(page);
    world.app.clock.advance(8 * DAY_MS);
    await logInWithPassword(page, email);
    await page.waitForURL('**/login/2fa/setup');
    await page.getByRole('link', { name: 'Set up authentication app' }).waitFor();
    expect(await page.getByRole('button', { name: 'Set up later' }).count()).toBe(0);
    await page.getByRole('button', { name: 'Cancel and log in again' }).click();
    await page.waitForURL((url) => url.pathname === '/login');
    await expectNoSession(page);
  });

  it('an admin reset ends the user’s session, mails them, and the next log-in must set up again', async () => {
    const { app } = world;
    await requireFor('all');
    const page = await openProfile(world);
    const user = { email: uniqueEmail('reset'), name: 'Rita Reset', userId: '' };
    await registerInBrowser(app, page, user);
    await logInWithPassword(page, user.email);
    await page.waitForURL('**/login/2fa/setup');
    await setUpAppAtLogin(page, user.email);
    await page.getByRole('link', { name: 'Continue' }).click();
    await expectSignedIn(page);
    const row = await app.db
      .selectFrom('email_addresses')
      .select('user_id')
      .where('email_normalized', '=', user.email.toLowerCase())
      .executeTakeFirstOrThrow();
    user.userId = row.user_id;

    const since = app.mail.messages.length;
    await resetTwoFactor(user);
    await app.mail.waitFor(user.email, /two-factor authentication was reset/, { since });

    // The browser that was signed in is signed out.
    await page.goto('/profile/2fa');
    expect(new URL(page.url()).pathname).toBe('/login');

    // The password leads to set-up again; this time with email authentication.
    await logInWithPassword(page, user.email);
    await page.waitForURL('**/login/2fa/setup');
    await page.getByRole('link', { name: 'Set up email authentication' }).click();
    await page.waitForURL('**/login/2fa/setup/email/new');
    expect(await page.getByLabel('Email Address', { exact: true }).inputValue()).toBe(user.email);
    await check(page, 'setup-required-email');
    const beforeSend = app.mail.messages.length;
    await page.getByRole('button', { name: 'Send Verification Code' }).click();
    const code = page.getByLabel('Verification Code', { exact: true });
    await code.fill(await mailedCode(app, user.email, beforeSend));
    await page.getByRole('button', { name: 'Submit Code and Create' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    await expectSignedIn(page);
  });

  it('has no axe violations on the mandatory set-up pages in Dutch', async () => {
    const { app } = world;
    const t = nl.twoFactor;
    await requireFor('all', 7);
    const page = await openProfile(world, { locale: 'nl-NL' });
    const email = uniqueEmail('verplicht');
    await registerInBrowser(app, page, { name: 'Joost', email, t: nl });
    await logInWithPassword(page, email, nl);
    await page.waitForURL('**/login/2fa/setup');
    await page.getByRole('heading', { level: 1, name: t.setupRequiredHeading }).waitFor();
    await page.getByRole('button', { name: t.setupLater }).waitFor();
    await check(page, 'nl-setup-required');
    await checkOnPhone(page, 'nl-setup-required');

    await page.getByRole('link', { name: t.setUpApp }).click();
    const { secret } = await scanAppSetup(page, email, nl);
    await check(page, 'nl-setup-required-app');
    const appCode = page.getByLabel(t.verificationCode, { exact: true });
    await appCode.fill(await wrongTotpCode(secret, now()));
    await page.getByRole('button', { name: t.submitCreate }).click();
    await expect.poll(() => appCode.getAttribute('aria-invalid')).toBe('true');
    await check(page, 'nl-setup-required-app-wrong-code');

    await page.getByRole('link', { name: t.setUpDifferent }).click();
    await page.getByRole('link', { name: t.setUpEmail }).click();
    await page.getByLabel(t.emailAddress, { exact: true }).waitFor();
    await check(page, 'nl-setup-required-email');
    const beforeSend = app.mail.messages.length;
    await page.getByRole('button', { name: t.sendCode }).click();
    const code = page.getByLabel(t.verificationCode, { exact: true });
    await code.waitFor();
    await check(page, 'nl-setup-required-email-sent');
    const mailed = await mailedCode(app, email, beforeSend);
    await code.fill(otherThan(mailed));
    await page.getByRole('button', { name: t.submitCreate }).click();
    await expect.poll(() => code.getAttribute('aria-invalid')).toBe('true');
    await check(page, 'nl-setup-required-email-wrong-code');
    await code.fill(mailed);
    await page.getByRole('button', { name: t.submitCreate }).click();
    await page.getByRole('heading', { name: t.recoveryHeading }).waitFor();
    await check(page, 'nl-setup-required-recovery-codes');
    await expectSignedIn(page, nl);
  });

  it('walks the admin console’s 2FA settings and user reset pages', async () => {
    const page = await adminBrowser('/admin/2fa');
    await page.getByRole('heading', { level: 1, name: 'Two-factor authentication' }).waitFor();
    for (const label of ['Email Authentication', 'Authentication App']) {
      await page.getByRole('checkbox', { name: label, exact: true }).waitFor();
    }
    const require = page.getByRole('group', { name: 'Require two-factor authentication for' });
    for (const label of Object.values(REQUIRE_LABELS)) {
      await require.getByRole('radio', { name: label, exact: true }).waitFor();
    }
    await page.getByLabel('Users may postpone set-up until').waitFor();
    await check(page, 'admin-2fa');
    await page.getByRole('button', { name: 'Nederlands' }).click();
    await page
      .getByRole('heading', { level: 1, name: nl.twoFactor.admin.settingsHeading })
      .waitFor();
    await check(page, 'nl-admin-2fa');
    await page.getByRole('button', { name: 'English' }).click();

    await page.goto('/admin/users');
    await check(page, 'admin-users');
    // The administrator's own page offers no reset of their own 2FA.
    await page.goto(`/admin/users/${admin.userId}`);
    await page.getByText('You cannot reset your own two-factor authentication here.').waitFor();
    await check(page, 'admin-user-self');
  });
});
