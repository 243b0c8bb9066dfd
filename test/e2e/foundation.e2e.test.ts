/**
 * The foundation journey in a real Chromium: register, verify by the mailed link, log in,
 * change the password, add and verify a second address (through the step-up page), log out.
 * Elements are found the way a person (or a screen reader) finds them: by role and by the
 * exact labels of SPEC §2. Every page on the way must have no WCAG 2.2 A/AA violations
 * (axe-core), in English and in Dutch, on a desktop and on a phone.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nl } from '../../src/i18n/nl.js';
import { Client } from '../helpers/client.js';
import { PASSWORD, registerAndVerify, uniqueEmail } from '../helpers/flows.js';
import { linkIn } from '../helpers/mail-capture.js';
import type { E2eWorld } from './helpers/browser.js';
import {
  expectNoAxeViolations,
  expectNoSidewaysScroll,
  hasChromium,
  NARROWEST,
  PHONE,
  screenshot,
  startE2e,
} from './helpers/browser.js';

const NEW_PASSWORD = 'a much longer passphrase for the e2e run';
const MINUTE_MS = 60_000;

describe.skipIf(!hasChromium)('foundation journey in the browser', () => {
  let world: E2eWorld;
  beforeAll(async () => {
    world = await startE2e();
  });
  afterAll(async () => {
    await world?.close();
  });

  /** Every page we land on: no axe violations, no sideways scrolling on a phone, a screenshot. */
  async function check(page: Page, name: string) {
    await expectNoAxeViolations(page, name);
    if ((page.viewportSize()?.width ?? 0) <= PHONE.width) await expectNoSidewaysScroll(page, name);
    await screenshot(page, name);
  }

  async function openAccountMenu(page: Page, label = 'Account menu') {
    await page.getByRole('button', { name: label, exact: true }).click();
  }

  it('registers, verifies, logs in, changes the password, adds an address and logs out', async () => {
    const { app } = world;
    const { page } = await world.newContext();
    const email = uniqueEmail('journey');
    const second = uniqueEmail('second');

    await page.goto('/');
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('en');
    await check(page, 'home');

    await page.getByRole('link', { name: 'Register', exact: true }).click();
    await page.waitForURL('**/register');
    await check(page, 'register');

    // A form sent empty comes back with errors tied to its fields.
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect.poll(() => page.getByRole('alert').first().isVisible()).toBe(true);
    await expect
      .poll(() => page.getByLabel('Email address').getAttribute('aria-invalid'))
      .toBe('true');
    // The summary of errors has the focus: the next Tab is its first link, not the header.
    await expect
      .poll(() => page.evaluate('document.activeElement?.className'))
      .toBe('error-summary');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement?.getAttribute("href")')).toBe('#name');
    await check(page, 'register-errors');

    await page.getByLabel('Name').fill('Ada Lovelace');
    await page.getByLabel('Email address').fill(email);
    // A password of the right length that everyone uses is refused on its field.
    await page.getByLabel('Password').fill('Password123!');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect
      .poll(() => page.locator('#password-error').textContent())
      .toContain('This password is too common');
    expect(await page.getByLabel('Email address').inputValue()).toBe(email);
    await check(page, 'register-weak-password');

    await page.getByLabel('Password').fill(PASSWORD);
    const since = app.mail.messages.length;
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    await check(page, 'register-sent');

    const mail = await app.mail.waitFor(email, /Verify your email address/, { since });
    await page.goto(linkIn(mail, '/verify-email'));
    await check(page, 'verify-email');
    // The mailbox alone does not choose the account: its password is asked too.
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Verify email address' }).click();
    await page
      .getByRole('alert')
      .getByText('This is not the password of the account this link is for.', { exact: false })
      .first()
      .waitFor();
    await check(page, 'verify-email-wrong-password');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Verify email address' }).click();
    await page.waitForURL('**/login');
    await page.getByRole('status').getByText('Your email address is verified').waitFor();
    await check(page, 'login-verified');

    // A wrong password gives one generic error, and the page stays accessible.
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill('not the password at all');
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page
      .getByRole('alert')
      .getByText('The email address or password is not correct.')
      .waitFor();
    // It has the focus, so a screen reader reads it out with the page.
    await expect
      .poll(() => page.evaluate('document.activeElement?.getAttribute("role")'))
      .toBe('alert');
    await check(page, 'login-failed');

    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.getByRole('button', { name: 'Account menu', exact: true }).waitFor();

    await openAccountMenu(page);
    const myProfile = page.getByRole('link', { name: 'My Profile' });
    await myProfile.waitFor({ state: 'visible' });
    await check(page, 'account-menu-open');
    await myProfile.click();
    await page.waitForURL('**/profile');
    const sections = page.getByRole('navigation', { name: 'Profile sections' }).getByRole('link');
    expect(await sections.allInnerTexts()).toEqual([
      'Your account',
      'Your password',
      'Your 2FA',
      'Your email addresses',
    ]);
    await check(page, 'profile-account');

    await page.getByRole('link', { name: 'Your password' }).click();
    await page.waitForURL('**/profile/password');
    await check(page, 'profile-password');
    // Mismatched confirmation first: the error is tied to its field.
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Confirm new password').fill(`${NEW_PASSWORD}!`);
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect
      .poll(() => page.getByLabel('Confirm new password').getAttribute('aria-invalid'))
      .toBe('true');
    await check(page, 'profile-password-errors');
    // A new password made of the person's own name is refused on its field.
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill('AdaLovelace1815');
    await page.getByLabel('Confirm new password').fill('AdaLovelace1815');
    await page.getByRole('button', { name: 'Change password' }).click();
    await expect
      .poll(() => page.locator('#new_password-error').textContent())
      .toContain('it is made of your name, your email address or the name of this site');
    await check(page, 'profile-password-weak');
    await page.getByLabel('Current password').fill(PASSWORD);
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Change password' }).click();
    await page.getByRole('status').getByText('Your password has been changed.').waitFor();
    await check(page, 'profile-password-changed');

    await page.getByRole('link', { name: 'Your 2FA' }).click();
    await page.getByRole('heading', { name: 'Set Up Two-Factor Authentication' }).waitFor();
    await check(page, 'profile-2fa');

    await page.getByRole('link', { name: 'Your email addresses' }).click();
    await page.waitForURL('**/profile/emails');
    await check(page, 'profile-emails');

    // Adding an address is a sensitive change: past ten minutes it asks for the password.
    app.clock.advance(11 * MINUTE_MS);
    const addAddress = async () => {
      await page.getByLabel('Email address').fill(second);
      await page.getByRole('button', { name: 'Add address' }).click();
      await page.waitForLoadState();
    };
    const beforeAdd = app.mail.messages.length;
    await addAddress();
    // The sign-in is eleven minutes old, so the step-up page must come (SPEC §4 step-up).
    expect(new URL(page.url()).pathname).toBe('/reauth');
    await check(page, 'reauth');
    // A way back to the page the person came from, without confirming.
    expect(await page.getByRole('link', { name: 'Cancel' }).getAttribute('href')).toBe(
      '/profile/emails',
    );
    await page.getByLabel('Password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL('**/profile/emails?email=*');
    // The address typed before the step-up is not sent again: the page says to go ahead now,
    // with the address back in its field.
    await page.getByRole('status').getByText('Thanks, that was you. You can go on now.').waitFor();
    expect(await page.getByLabel('Email address').inputValue()).toBe(second);
    await page.getByRole('button', { name: 'Add address' }).click();
    await page.waitForLoadState();
    await page.getByRole('status').getByText(`We sent a verification link to ${second}`).waitFor();
    await check(page, 'profile-emails-added');

    const addressMail = await app.mail.waitFor(second, /Verify the new address/, {
      since: beforeAdd,
    });
    await page.goto(linkIn(addressMail, '/verify-email'));
    await page.getByRole('button', { name: 'Verify email address' }).click();
    await page.waitForURL('**/profile/emails');
    await page.getByRole('status').getByText('The email address is verified.').waitFor();
    const entry = page.getByRole('listitem').filter({ hasText: second });
    await expect.poll(() => entry.innerText()).toContain('Verified');
    await check(page, 'profile-emails-verified');

    await openAccountMenu(page);
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.getByRole('status').getByText('You have been logged out.').waitFor();
    await page.getByRole('link', { name: 'Log in', exact: true }).waitFor();
    await check(page, 'logged-out');
  });

  it('announces a notice the page opens with: its words reach a live region after the load', async () => {
    const { app } = world;
    const { email } = await registerAndVerify(app, new Client(app.app));
    const { page } = await world.newContext();
    // What the live regions held when the page had loaded (deferred scripts run before this).
    await page.addInitScript(`document.addEventListener('DOMContentLoaded', () => {
      window.atLoad = [...document.querySelectorAll('[role="status"]')].map((region) =>
        (region.textContent || '').trim());
    });`);
    await page.goto('/login');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.waitForURL((url) => !url.pathname.startsWith('/login'));
    await openAccountMenu(page);
    await page.getByRole('button', { name: 'Log out' }).click();
    // One status region, empty at load: a screen reader announces the words that come later.
    await page.getByRole('status').getByText('You have been logged out.').waitFor();
    expect(await page.evaluate('window.atLoad')).toEqual(['']);
    expect(await page.getByRole('status').count()).toBe(1);
    // The notice itself is still on the page for the eye.
    await expect.poll(() => page.locator('.notice').first().isVisible()).toBe(true);
    expect(await page.locator('.notice').first().getAttribute('role')).toBeNull();
    // Said once, the region is emptied: reading the page meets the words once, in the notice.
    await expect.poll(() => page.getByRole('status').textContent(), { timeout: 15_000 }).toBe('');
  });

  it('keeps the forgot-password, reset, error and not-found pages accessible', async () => {
    const { app } = world;
    const { email } = await registerAndVerify(app, new Client(app.app));
    const { page } = await world.newContext();

    await page.goto('/login');
    await page.getByRole('link', { name: 'Forgot your password?' }).click();
    await page.waitForURL('**/password/forgot');
    await check(page, 'forgot');

    await page.getByRole('button', { name: 'Send reset link' }).click();
    await expect
      .poll(() => page.getByLabel('Email address').getAttribute('aria-invalid'))
      .toBe('true');
    await check(page, 'forgot-errors');

    const since = app.mail.messages.length;
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await page.getByRole('heading', { name: 'Check your email' }).waitFor();
    await check(page, 'forgot-sent');

    const mail = await app.mail.waitFor(email, /Reset your password/, { since });
    await page.goto(linkIn(mail, '/password/reset'));
    await check(page, 'reset');
    await page.getByLabel('New password', { exact: true }).fill('short');
    await page.getByLabel('Confirm new password').fill('short');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await expect
      .poll(() => page.getByLabel('New password', { exact: true }).getAttribute('aria-invalid'))
      .toBe('true');
    await check(page, 'reset-errors');
    // A common password of the right length is refused, and the link still works afterwards.
    await page.getByLabel('New password', { exact: true }).fill('qwertyuiop123');
    await page.getByLabel('Confirm new password').fill('qwertyuiop123');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await expect
      .poll(() => page.locator('#new_password-error').textContent())
      .toContain('This password is too');
    await check(page, 'reset-weak-password');
    await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
    await page.getByLabel('Confirm new password').fill(NEW_PASSWORD);
    await page.getByRole('button', { name: 'Set new password' }).click();
    await page.waitForURL('**/login');
    await page.getByRole('status').getByText('Your password has been changed.').waitFor();
    await check(page, 'reset-done');

    await page.goto('/password/reset?token=not-a-real-token');
    await page.getByRole('heading', { name: 'This link does not work' }).waitFor();
    await check(page, 'reset-dead-link');

    const missing = await page.goto('/no/such/page');
    expect(missing?.status()).toBe(404);
    await page.getByRole('heading', { name: 'Page not found' }).waitFor();
    await check(page, 'not-found');
  });

  it('is accessible in Dutch, switched from the header', async () => {
    const { app } = world;
    const { email } = await registerAndVerify(app, new Client(app.app), { name: 'Joost' });
    const { page } = await world.newContext();
    const t = nl;

    await page.goto('/');
    await page.getByRole('button', { name: 'Nederlands' }).click();
    await expect.poll(() => page.getAttribute('html', 'lang')).toBe('nl');
    await page.getByRole('heading', { name: t.home.title }).waitFor();
    await check(page, 'nl-home');

    await page.getByRole('link', { name: t.layout.register, exact: true }).click();
    await page.getByRole('heading', { name: t.register.title }).waitFor();
    await check(page, 'nl-register');
    await page.getByRole('button', { name: t.register.submit }).click();
    await expect
      .poll(() => page.getByLabel(t.register.email).getAttribute('aria-invalid'))
      .toBe('true');
    await check(page, 'nl-register-errors');

    await page.goto('/password/forgot');
    await page.getByRole('heading', { name: t.forgot.title }).waitFor();
    await check(page, 'nl-forgot');
    const since = app.mail.messages.length;
    await page.getByLabel(t.forgot.email).fill(email);
    await page.getByRole('button', { name: t.forgot.submit }).click();
    await page.getByRole('heading', { name: t.forgot.sentTitle }).waitFor();
    await check(page, 'nl-forgot-sent');
    const resetMail = await app.mail.waitFor(email, /.+/, { since });
    await page.goto(linkIn(resetMail, '/password/reset'));
    await page.getByRole('heading', { name: t.reset.title }).waitFor();
    await check(page, 'nl-reset');

    await page.goto('/nergens');
    await page.getByRole('heading', { name: t.errors.notFoundTitle }).waitFor();
    await check(page, 'nl-not-found');

    await page.goto('/login');
    await page.getByRole('heading', { name: t.login.title }).waitFor();
    await check(page, 'nl-login');
    await page.getByLabel(t.login.email).fill(email);
    await page.getByLabel(t.login.password).fill(PASSWORD);
    await page.getByRole('button', { name: t.login.submit, exact: true }).click();
    // The account keeps the language it was registered in; switching while signed in saves it.
    await page.getByRole('button', { name: 'Account menu', exact: true }).waitFor();
    await page.getByRole('button', { name: 'Nederlands' }).click();
    await page.getByRole('button', { name: t.layout.accountMenu, exact: true }).waitFor();
    await openAccountMenu(page, t.layout.accountMenu);
    await page.getByRole('link', { name: t.layout.myProfile }).click();
    await page.waitForURL('**/profile');
    await check(page, 'nl-profile-account');

    await page.getByRole('link', { name: t.profile.password }).click();
    await page.waitForURL('**/profile/password');
    await check(page, 'nl-profile-password');

    await page.getByRole('link', { name: t.profile.twoFactor }).click();
    await page.waitForURL('**/profile/2fa');
    await check(page, 'nl-profile-2fa');

    await page.getByRole('link', { name: t.profile.emails }).click();
    await page.waitForURL('**/profile/emails');
    await check(page, 'nl-profile-emails');

    await page.goto('/reauth?next=/profile/emails');
    await page.getByRole('heading', { name: t.reauth.title }).waitFor();
    await check(page, 'nl-reauth');

    await openAccountMenu(page, t.layout.accountMenu);
    await page.getByRole('button', { name: t.layout.logOut }).click();
    await page.getByRole('link', { name: t.layout.logIn, exact: true }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('nl');
    await check(page, 'nl-logged-out');
  });

  it('works on a phone-sized screen, account menu included', async () => {
    const { app } = world;
    const { email } = await registerAndVerify(app, new Client(app.app), {
      name: 'Grace Brewster Murray Hopper',
    });
    const { page } = await world.newContext({ viewport: PHONE });

    await page.goto('/');
    await check(page, 'home');
    await page.goto('/register');
    await page.getByRole('button', { name: 'Create account' }).click();
    await expect
      .poll(() => page.getByLabel('Email address').getAttribute('aria-invalid'))
      .toBe('true');
    await check(page, 'register-errors');

    await page.goto('/login');
    await check(page, 'login');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.getByRole('button', { name: 'Account menu', exact: true }).waitFor();
    await check(page, 'home-signed-in');

    // The account menu by keyboard alone: Enter opens it, Tab reaches its first entry,
    // Escape closes it again.
    const menuButton = page.getByRole('button', { name: 'Account menu', exact: true });
    const myProfile = page.getByRole('link', { name: 'My Profile' });
    await menuButton.focus();
    await page.keyboard.press('Enter');
    await myProfile.waitFor({ state: 'visible' });
    await expect.poll(() => menuButton.getAttribute('aria-expanded')).not.toBe('false');
    await page.keyboard.press('Tab');
    await expect
      .poll(() => page.evaluate('document.activeElement?.textContent?.trim()'))
      .toBe('My Profile');
    await check(page, 'account-menu-open');
    await page.keyboard.press('Escape');
    await myProfile.waitFor({ state: 'hidden' });
    // Tabbing on past its last entry closes it: it would cover what the focus went to.
    await menuButton.focus();
    await page.keyboard.press('Enter');
    await myProfile.waitFor({ state: 'visible' });
    for (let i = 0; i < 5; i += 1) {
      await page.keyboard.press('Tab');
      if ((await page.evaluate('document.activeElement?.textContent?.trim()')) === 'Log out') break;
    }
    await page.keyboard.press('Tab');
    await myProfile.waitFor({ state: 'hidden' });

    await openAccountMenu(page);
    await myProfile.click();
    await page.waitForURL('**/profile');
    await check(page, 'profile-account');
    await page.goto('/profile/password');
    await check(page, 'profile-password');
    await page.goto('/profile/emails');
    await check(page, 'profile-emails');
  });

  it('keeps the open account menu off the focus without JavaScript, on a phone', async () => {
    const { app } = world;
    const { email } = await registerAndVerify(app, new Client(app.app), { name: 'Noor' });
    const { page } = await world.newContext({ viewport: NARROWEST, javaScriptEnabled: false });
    await page.goto('/login');
    await page.getByLabel('Email address').fill(email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in', exact: true }).click();
    await page.goto('/profile');
    const menuButton = page.getByRole('button', { name: 'Account menu', exact: true });
    await menuButton.focus();
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: 'My Profile' }).waitFor({ state: 'visible' });
    // Tab through the menu and on into the page: each focused element is the one in sight at
    // its own centre, never the menu over it (the profile's side menu lies under it here).
    const focused: string[] = [];
    for (let i = 0; i < 6; i += 1) {
      await page.keyboard.press('Tab');
      // A string, run in the page (this file is compiled without the DOM's types).
      const { name, covered } = await page.evaluate<{ name: string; covered: boolean }>(`(() => {
        const element = document.activeElement;
        const box = element.getBoundingClientRect();
        const seen = document.elementFromPoint(box.x + box.width / 2, box.y + box.height / 2);
        return {
          name: element.textContent.trim(),
          covered: !(seen && (seen === element || element.contains(seen))),
        };
      })()`);
      focused.push(name);
      expect(covered, `${name} is covered`).toBe(false);
    }
    expect(focused.slice(0, 2)).toEqual(['My Profile', 'Log out']);
    expect(focused).toContain('Your password');
  });

  it('fits 320 px in Dutch, the language with the longest words', async () => {
    const { app } = world;
    const { email } = await registerAndVerify(app, new Client(app.app), { name: 'Joost' });
    const { page } = await world.newContext({ locale: 'nl-NL', viewport: NARROWEST });
    const t = nl;
    for (const path of ['/', '/register', '/password/forgot', '/login']) {
      await page.goto(path);
      await check(page, `nl${path.replaceAll('/', '-')}`);
    }
    await page.getByLabel(t.login.email).fill(email);
    await page.getByLabel(t.login.password).fill(PASSWORD);
    await page.getByRole('button', { name: t.login.submit, exact: true }).click();
    await page.getByRole('button', { name: 'Nederlands' }).click();
    await page.getByRole('button', { name: t.layout.accountMenu, exact: true }).waitFor();
    for (const path of ['/profile', '/profile/password', '/profile/2fa', '/profile/emails']) {
      await page.goto(path);
      await check(page, `nl${path.replaceAll('/', '-')}`);
    }
  });

  it('shows where the account is signed in, and signs another browser out', async () => {
    const { app } = world;
    const { email } = await registerAndVerify(app, new Client(app.app), { name: 'Sanne' });
    const { page: elsewhere } = await world.newContext();
    const { page } = await world.newContext();
    for (const browser of [elsewhere, page]) {
      await browser.goto('/login');
      await browser.getByLabel('Email address').fill(email);
      await browser.getByLabel('Password').fill(PASSWORD);
      await browser.getByRole('button', { name: 'Log in', exact: true }).click();
      await browser.getByRole('button', { name: 'Account menu', exact: true }).waitFor();
    }

    await page.goto('/profile');
    const region = page.getByRole('region', { name: 'Where you are signed in' });
    await region.getByText('this browser').waitFor();
    expect(await region.getByRole('listitem').count()).toBe(2);
    await check(page, 'profile-account-sessions');
    await region.getByRole('button', { name: 'Sign out Chrome on Linux' }).click();
    await page.getByRole('status').getByText('That browser has been signed out.').waitFor();
    await check(page, 'profile-account-signed-out');
    expect(await region.getByRole('listitem').count()).toBe(1);
    expect(await region.getByRole('button', { name: 'Sign out everywhere else' }).count()).toBe(0);

    await elsewhere.goto('/profile');
    await elsewhere.waitForURL((url) => url.pathname === '/login');
  });

  it('has an axe check that does catch a violation', async () => {
    const { page } = await world.newContext();
    await page.setContent('<html><body><main><img src="/assets/favicon.svg"></main></body></html>');
    await expect(expectNoAxeViolations(page, 'a bad page')).rejects.toThrow(/image-alt/);
  });
});
