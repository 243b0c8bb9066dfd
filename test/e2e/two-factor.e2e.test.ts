/**
 * The help article's journey in a real Chromium, with clients nobody here wrote: the QR code
 * is read off a screenshot by zbarimg, the codes come from oathtool, the mail from a real SMTP
 * server. Set up email authentication and the authenticator app from Your 2FA, log out, log
 * in with each method (a replayed code refused, a recovery code working once), rename and
 * remove. Elements are found by role and by the exact labels of SPEC §2; every page on the way
 * has no WCAG 2.2 A/AA violations (axe-core), in English and in Dutch.
 *
 * The app's clock is the suite's test clock. oathtool is asked for the code at that clock's
 * time (a phone's clock agrees with the server's), and the suite moves the clock one 30-second
 * step on when the same authenticator needs a fresh code, since a step once accepted is
 * never accepted again.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nl } from '../../src/i18n/nl.js';
import { PASSWORD, uniqueEmail } from '../helpers/flows.js';
import { missingTwoFactorTools, oathtoolCode } from './helpers/authenticator.js';
import type { E2eWorld } from './helpers/browser.js';
import { NARROWEST, startE2e } from './helpers/browser.js';
import {
  check,
  checkOnPhone,
  downloadText,
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
if (missing) console.log(`Two-factor browser suite skipped: ${missing}.`);

/** Past ten minutes since the sign-in, a change to a method needs a step-up (SPEC §4). */
const STEP_UP_AFTER_MS = 11 * 60_000;
/** Email codes may be asked for once a minute per person (SPEC §4 resend). */
const RESEND_COOLDOWN_MS = 61_000;

describe.skipIf(missing !== null)('two-factor journey in the browser (seed article)', () => {
  let world: E2eWorld;
  beforeAll(async () => {
    world = await startE2e();
  });
  afterAll(async () => {
    await world?.close();
  });

  /** What the journey carries from one step to the next. */
  const journey = {
    page: undefined as Page | undefined,
    email: '',
    secret: '',
    recoveryCodes: [] as string[],
    /** The code the last app sign-in used. */
    usedCode: '',
  };
  const journeyPage = (): Page => {
    if (!journey.page) throw new Error('the set-up step did not run');
    return journey.page;
  };
  const now = () => world.app.clock.now();
  /** The app's code for the current step, from oathtool. */
  const appCode = () => oathtoolCode(journey.secret, now());

  it('sets up email authentication and the authenticator app from Your 2FA', async () => {
    const { app } = world;
    const page = await openProfile(world);
    journey.page = page;
    journey.email = uniqueEmail('lara');
    await registerInBrowser(app, page, { name: 'Lara Proud', email: journey.email });
    await logInWithPassword(page, journey.email);
    // No second factor yet, and 2FA is not mandatory: the password alone signs in.
    await expectSignedIn(page);

    // Avatar > My Profile > Your 2FA, as the article says.
    await page.getByRole('button', { name: 'Account menu', exact: true }).click();
    await page.getByRole('link', { name: 'My Profile' }).click();
    await page.waitForURL('**/profile');
    await page.getByRole('link', { name: 'Your 2FA' }).click();
    await page.waitForURL('**/profile/2fa');
    await page
      .getByRole('heading', { level: 1, name: 'Set Up Two-Factor Authentication' })
      .waitFor();
    const setUpEmail = page.getByRole('link', { name: 'Set up email authentication' });
    const setUpApp = page.getByRole('link', { name: 'Set up authentication app' });
    await setUpEmail.waitFor();
    await setUpApp.waitFor();
    // The app is the recommended method (SPEC §4: email codes prove a mailbox, not a device).
    const appEntry = page
      .getByRole('listitem')
      .filter({ has: page.getByRole('heading', { name: /Authentication App/ }) });
    expect(await appEntry.innerText()).toContain('Recommended');
    const emailEntry = page
      .getByRole('listitem')
      .filter({ has: page.getByRole('heading', { name: /Email Authentication/ }) });
    expect(await emailEntry.innerText()).not.toContain('Recommended');
    await check(page, '2fa-overview');
    await checkOnPhone(page, '2fa-overview');

    // --- Email authentication (SPEC §2.3) ---
    await setUpEmail.click();
    await page.waitForURL('**/profile/2fa/email/new');
    await page.getByRole('heading', { name: 'Set Up Two-Factor Authentication' }).waitFor();
    const name = page.getByLabel('Authenticator Name', { exact: true });
    const address = page.getByLabel('Email Address', { exact: true });
    // The address is pre-filled with the one the person signs in with.
    expect(await address.inputValue()).toBe(journey.email);
    await page.getByRole('link', { name: 'Set up Different Method' }).waitFor();
    await check(page, '2fa-email-new');

    await name.fill('Email Authenticator Example');
    // A relay that refuses the mail: said so, with the form as it was filled in.
    app.mail.refused.add(journey.email.toLowerCase());
    await page.getByRole('button', { name: 'Send Verification Code' }).click();
    await page.getByText('We could not send the email. Try again in a moment.').waitFor();
    expect(await name.inputValue()).toBe('Email Authenticator Example');
    expect(await address.inputValue()).toBe(journey.email);
    await check(page, '2fa-email-not-sent');
    app.mail.refused.clear();
    const beforeSend = app.mail.messages.length;
    await page.getByRole('button', { name: 'Send Verification Code' }).click();
    await page.getByRole('status').getByText('We sent a 6-digit code to').waitFor();
    const code = page.getByLabel('Verification Code', { exact: true });
    await code.waitFor();
    expect(await code.getAttribute('autocomplete')).toBe('one-time-code');
    expect(await code.getAttribute('inputmode')).toBe('numeric');
    await check(page, '2fa-email-sent');
    const mailed = await mailedCode(app, journey.email, beforeSend);

    // Asking again within the minute is refused, and the code already sent stays usable.
    await page.getByRole('button', { name: 'Send a new code' }).click();
    await page
      .getByRole('alert')
      .getByText(
        'Codes are sent at most once a minute, and one was sent to you less than a minute ago.',
        { exact: false },
      )
      .waitFor();
    await code.waitFor();
    await check(page, '2fa-email-resend-too-soon');

    // A mistyped code: the error is tied to the field, nothing is created.
    await code.fill(otherThan(mailed));
    await page.getByRole('button', { name: 'Submit Code and Create' }).click();
    await expect.poll(() => code.getAttribute('aria-invalid')).toBe('true');
    await page.getByText('That code is not correct.').first().waitFor();
    await check(page, '2fa-email-wrong-code');

    await code.fill(mailed);
    await page.getByRole('button', { name: 'Submit Code and Create' }).click();
    // The first method brings the recovery codes, shown once (SPEC §3).
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    await page.getByRole('status').getByText('Email authentication is set up.').waitFor();
    const shown = await recoveryCodesOnPage(page);
    expect(shown).toHaveLength(10);
    expect(new Set(shown).size).toBe(10);
    const file = await downloadText(page, 'Download');
    for (const recoveryCode of shown) expect(file).toContain(recoveryCode);
    // The page and the file say which account the codes open.
    expect(file.split('\n')[1]).toBe(`Account: ${journey.email}`);
    await page.getByText(`Account: ${journey.email}`).waitFor();
    journey.recoveryCodes = shown;
    // A reload and the language switch show the same set: nothing is made again, nothing lost.
    await page.reload();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    expect(await recoveryCodesOnPage(page)).toEqual(shown);
    await page.getByRole('button', { name: 'Nederlands' }).click();
    await page.getByRole('heading', { name: 'Bewaar je herstelcodes' }).waitFor();
    expect(await recoveryCodesOnPage(page)).toEqual(shown);
    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { name: 'Save your recovery codes' }).waitFor();
    expect(await recoveryCodesOnPage(page)).toEqual(shown);
    await check(page, '2fa-recovery-codes');
    await checkOnPhone(page, '2fa-recovery-codes');
    // Printed, the page keeps the site's name and the codes, and leaves what only works on a
    // screen: the menus, the language switch, the buttons.
    await page.emulateMedia({ media: 'print' });
    for (const gone of [
      page.getByRole('link', { name: 'Download' }),
      page.getByRole('link', { name: 'Continue' }),
      page.getByRole('button', { name: 'Account menu' }),
      page.getByRole('button', { name: 'Nederlands' }),
    ]) {
      expect(await gone.isVisible()).toBe(false);
    }
    expect(await page.locator('.site-name').isVisible()).toBe(true);
    expect(await page.getByText(`Account: ${journey.email}`).isVisible()).toBe(true);
    expect(await recoveryCodesOnPage(page)).toEqual(shown);
    expect(await page.locator('.recovery-codes').isVisible()).toBe(true);
    await page.emulateMedia({ media: 'screen' });
    await page.getByRole('link', { name: 'Continue' }).click();
    await page.waitForURL('**/profile/2fa');
    await page.getByRole('link', { name: 'Edit email authentication' }).waitFor();
    await app.mail.waitFor(journey.email, /method added/, { since: beforeSend });

    // --- Authenticator app (SPEC §2.4) ---
    await page.getByRole('link', { name: 'Set up authentication app' }).click();
    await page.waitForURL('**/profile/2fa/app/new');
    await page.getByRole('heading', { name: 'Set Up Two-Factor Authentication' }).waitFor();
    const scanned = await scanAppSetup(page, journey.email);
    journey.secret = scanned.secret;
    await check(page, '2fa-app-new');
    await checkOnPhone(page, '2fa-app-new');

    // A wrong code first: refused, tied to the field, and the same secret is offered again.
    const appCodeField = page.getByLabel('Verification Code', { exact: true });
    await page.getByLabel('Authenticator Name', { exact: true }).fill('My phone');
    await appCodeField.fill(await wrongTotpCode(journey.secret, now()));
    await page.getByRole('button', { name: 'Submit Code and Create' }).click();
    await expect.poll(() => appCodeField.getAttribute('aria-invalid')).toBe('true');
    await page.getByText('That code is not correct.').first().waitFor();
    expect((await scanAppSetup(page, journey.email)).secret).toBe(journey.secret);
    await check(page, '2fa-app-wrong-code');

    await appCodeField.fill(await appCode());
    await page.getByRole('button', { name: 'Submit Code and Create' }).click();
    await page.waitForURL('**/profile/2fa');
    await page
      .getByRole('status')
      .getByText('Your authentication app is set up.', { exact: false })
      .waitFor();
    // A second method brings no new recovery codes; both entries now offer "Edit".
    await page.getByRole('link', { name: 'Edit authentication app' }).waitFor();
    await page.getByRole('link', { name: 'Edit email authentication' }).waitFor();
    expect(await page.getByRole('link', { name: /^Set up / }).count()).toBe(0);
    await check(page, '2fa-overview-both');
  });

  it('signs in with the app first; the same code is refused on the next sign-in', async () => {
    const page = journeyPage();
    await logOut(page);
    await logInWithPassword(page, journey.email);
    await page.waitForURL('**/login/2fa');
    await page.getByRole('heading', { level: 1, name: 'Two-Factor Authentication' }).waitFor();
    // A correct password grants nothing yet.
    await expectNoSession(page);
    // The app is offered first.
    await page.getByText('Enter the 6-digit code from your authenticator app.').waitFor();
    const appField = page.getByLabel('Verification Code', { exact: true });
    expect(await appField.getAttribute('autocomplete')).toBe('one-time-code');
    expect(await appField.getAttribute('inputmode')).toBe('numeric');
    await page
      .getByText(
        'Lost access to your authenticator app or email account? Contact your helpdesk administrator.',
      )
      .waitFor();
    await page.getByRole('link', { name: 'Use a different method' }).waitFor();
    await page.getByRole('link', { name: 'Use a recovery code' }).waitFor();
    await check(page, 'challenge-app');
    await checkOnPhone(page, 'challenge-app');

    // The set-up used this step: the phone shows the next code half a minute later.
    world.app.clock.advance(STEP_MS);
    journey.usedCode = await appCode();
    await page.getByLabel('Verification Code', { exact: true }).fill(journey.usedCode);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await expectSignedIn(page);

    // Someone who watched the code being typed tries it on a new sign-in at once.
    await logOut(page);
    await logInWithPassword(page, journey.email);
    await page.waitForURL('**/login/2fa');
    const code = page.getByLabel('Verification Code', { exact: true });
    await code.fill(journey.usedCode);
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => code.getAttribute('aria-invalid')).toBe('true');
    await page.getByText('That code has already been used.').first().waitFor();
    expect(new URL(page.url()).pathname).toBe('/login/2fa');
    await expectNoSession(page);
    await check(page, 'challenge-app-replayed');
  });

  it('signs in with a code sent by email, through "Use a different method"', async () => {
    const { app } = world;
    const page = journeyPage();
    // Still on the second step of the sign-in the replay was refused on.
    await page.getByRole('link', { name: 'Use a different method' }).click();
    await page.getByRole('link', { name: 'Use your authenticator app' }).waitFor();
    await page.getByRole('link', { name: 'Use a recovery code' }).waitFor();
    await check(page, 'challenge-choose');
    await page.getByRole('link', { name: 'Use email authentication' }).click();

    const masked = `${journey.email[0] ?? ''}•••@example.com`;
    const send = page.getByRole('button', { name: `Send code to ${masked}`, exact: true });
    await send.waitFor();
    await check(page, 'challenge-email');

    // The set-up code went out a moment ago; a minute later another may be sent.
    app.clock.advance(RESEND_COOLDOWN_MS);
    // A relay that refuses the mail is shown, and asking again works at once.
    app.mail.refused.add(journey.email.toLowerCase());
    await send.click();
    await page.getByText('We could not send the email. Try again in a moment.').waitFor();
    expect(await page.getByRole('status').getByText('We sent a 6-digit code').count()).toBe(0);
    await check(page, 'challenge-email-not-sent');
    app.mail.refused.clear();
    const since = app.mail.messages.length;
    await send.click();
    await page.getByRole('status').getByText(`We sent a 6-digit code to ${masked}`).waitFor();
    await check(page, 'challenge-email-sent');
    await checkOnPhone(page, 'challenge-email-sent');
    const mailed = await mailedCode(app, journey.email, since);
    await page.getByLabel('Verification Code', { exact: true }).fill(mailed);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await expectSignedIn(page);
  });

  it('signs in with a saved recovery code, which works only once', async () => {
    const { app } = world;
    const page = journeyPage();
    const [saved] = journey.recoveryCodes;
    if (!saved) throw new Error('no recovery codes were saved');

    await logOut(page);
    await logInWithPassword(page, journey.email);
    await page.waitForURL('**/login/2fa');
    await page.getByRole('link', { name: 'Use a recovery code' }).click();
    const field = page.getByLabel('Recovery code', { exact: true });
    await field.waitFor();
    // Recovery codes have letters: no numeric keyboard, no digits-only pattern (SPEC §3).
    expect(await field.getAttribute('inputmode')).toBeNull();
    expect(await field.getAttribute('pattern')).toBeNull();
    await check(page, 'challenge-recovery');
    const since = app.mail.messages.length;
    await field.fill(saved);
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await expectSignedIn(page);
    await app.mail.waitFor(journey.email, /recovery code was used/, { since });

    await logOut(page);
    await logInWithPassword(page, journey.email);
    await page.waitForURL('**/login/2fa');
    await page.getByRole('link', { name: 'Use a recovery code' }).click();
    await field.fill(saved);
    await page.getByRole('button', { name: 'Verify' }).click();
    await expect.poll(() => field.getAttribute('aria-invalid')).toBe('true');
    expect(new URL(page.url()).pathname).toBe('/login/2fa');
    await expectNoSession(page);
    await check(page, 'challenge-recovery-refused');

    // Back to the app for this sign-in, with the next step's code.
    await page.getByRole('link', { name: 'Use a different method' }).click();
    await page.getByRole('link', { name: 'Use your authenticator app' }).click();
    world.app.clock.advance(STEP_MS);
    await page.getByLabel('Verification Code', { exact: true }).fill(await appCode());
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await expectSignedIn(page);
  });

  it('renames the app and removes email authentication (SPEC §2.5)', async () => {
    const { app } = world;
    const page = journeyPage();
    // Eleven minutes after the sign-in, changing a method asks for the password and the
    // second factor again (SPEC §4 step-up).
    app.clock.advance(STEP_UP_AFTER_MS);
    await page.goto('/profile/2fa');
    await page.getByRole('link', { name: 'Edit authentication app' }).click();
    await page.waitForURL((url) => url.pathname === '/reauth');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL((url) => url.pathname === '/reauth/2fa');
    await page.getByRole('heading', { level: 1, name: 'Confirm it’s you' }).waitFor();
    await check(page, 'step-up-app');
    await page.getByLabel('Verification Code', { exact: true }).fill(await appCode());
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL('**/profile/2fa/app/edit');
    const name = page.getByLabel('Authenticator Name', { exact: true });
    expect(await name.inputValue()).toBe('My phone');
    await page.getByRole('link', { name: 'Remove Authentication App' }).waitFor();
    await check(page, '2fa-app-edit');
    // The longest name the field takes, one word: the pages wrap it on a phone, never
    // wider than the screen (WCAG 1.4.10 Reflow).
    await name.fill('W'.repeat(60));
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL('**/profile/2fa');
    await checkOnPhone(page, '2fa-long-name');
    await page.goto('/profile/2fa/app/remove');
    await checkOnPhone(page, '2fa-app-remove-long-name');
    await page.goto('/profile/2fa/app/edit');
    await name.fill('Work phone');
    await page.getByRole('button', { name: 'Save' }).click();
    await page.waitForURL('**/profile/2fa');
    await page.getByRole('status').getByText('Your changes have been saved.').waitFor();
    await page.getByText('Work phone').waitFor();

    await page.getByRole('link', { name: 'Edit email authentication' }).click();
    await page.waitForURL('**/profile/2fa/email/edit');
    expect(await page.getByLabel('Authenticator Name', { exact: true }).inputValue()).toBe(
      'Email Authenticator Example',
    );
    expect(await page.getByLabel('Email Address', { exact: true }).inputValue()).toBe(
      journey.email,
    );
    await check(page, '2fa-email-edit');
    await checkOnPhone(page, '2fa-email-edit');

    // A new address takes a new "Send Verification Code" round; the code goes to the new one.
    const other = uniqueEmail('lara-other');
    await page.getByLabel('Email Address', { exact: true }).fill(other);
    const beforeChange = app.mail.messages.length;
    await page.getByRole('button', { name: 'Send Verification Code' }).click();
    const changeCode = page.getByLabel('Verification Code', { exact: true });
    await changeCode.waitFor();
    await check(page, '2fa-email-edit-sent');
    await changeCode.fill(await mailedCode(app, other, beforeChange));
    await page.getByRole('button', { name: 'Confirm new address' }).click();
    await page.waitForURL('**/profile/2fa');
    await page.getByRole('status').getByText(`Codes will now be sent to ${other}.`).waitFor();
    await page.getByRole('link', { name: 'Edit email authentication' }).click();
    expect(await page.getByLabel('Email Address', { exact: true }).inputValue()).toBe(other);

    await page.getByRole('link', { name: 'Remove Email Authentication' }).click();
    await page.waitForURL('**/profile/2fa/email/remove');
    await page
      .getByRole('heading', { level: 1, name: 'Remove “Email Authenticator Example”?' })
      .waitFor();
    await check(page, '2fa-email-remove');
    const since = app.mail.messages.length;
    await page.getByRole('button', { name: 'Yes, remove it' }).click();
    await page.waitForURL('**/profile/2fa');
    await page
      .getByRole('status')
      .getByText('“Email Authenticator Example” has been removed.')
      .waitFor();
    await page.getByRole('link', { name: 'Set up email authentication' }).waitFor();
    await page.getByRole('link', { name: 'Edit authentication app' }).waitFor();
    await app.mail.waitFor(journey.email, /method removed/, { since });
  });

  it('has no axe violations on any two-factor page in Dutch', async () => {
    const { app } = world;
    const t = nl.twoFactor;
    const page = await openProfile(world, { locale: 'nl-NL' });
    const email = uniqueEmail('joost');
    await registerInBrowser(app, page, { name: 'Joost', email, t: nl });
    await logInWithPassword(page, email, nl);
    await expectSignedIn(page, nl);
    expect(await page.getAttribute('html', 'lang')).toBe('nl');

    await page.goto('/profile/2fa');
    await page.getByRole('heading', { level: 1, name: t.heading }).waitFor();
    await check(page, 'nl-2fa-overview');

    // Email set-up: before and after sending, a wrong code, then the recovery codes.
    await page.getByRole('link', { name: t.setUpEmail }).click();
    await page.getByLabel(t.authenticatorName, { exact: true }).waitFor();
    expect(await page.getByLabel(t.emailAddress, { exact: true }).inputValue()).toBe(email);
    await check(page, 'nl-2fa-email-new');
    const beforeSend = app.mail.messages.length;
    await page.getByRole('button', { name: t.sendCode }).click();
    const code = page.getByLabel(t.verificationCode, { exact: true });
    await code.waitFor();
    await check(page, 'nl-2fa-email-sent');
    const mailed = await mailedCode(app, email, beforeSend);
    await code.fill(otherThan(mailed));
    await page.getByRole('button', { name: t.submitCreate }).click();
    await expect.poll(() => code.getAttribute('aria-invalid')).toBe('true');
    await check(page, 'nl-2fa-email-wrong-code');
    await code.fill(mailed);
    await page.getByRole('button', { name: t.submitCreate }).click();
    await page.getByRole('heading', { name: t.recoveryHeading }).waitFor();
    const [recoveryCode] = await recoveryCodesOnPage(page);
    await page.getByRole('link', { name: t.download, exact: true }).waitFor();
    await check(page, 'nl-2fa-recovery-codes');
    await page.getByRole('link', { name: t.continue }).click();

    // App set-up: the QR code reads the same in Dutch; a wrong code; then created.
    await page.getByRole('link', { name: t.setUpApp }).click();
    const { secret } = await scanAppSetup(page, email, nl);
    await check(page, 'nl-2fa-app-new');
    await checkOnPhone(page, 'nl-2fa-app-new');
    const appCode = page.getByLabel(t.verificationCode, { exact: true });
    await appCode.fill(await wrongTotpCode(secret, now()));
    await page.getByRole('button', { name: t.submitCreate }).click();
    await expect.poll(() => appCode.getAttribute('aria-invalid')).toBe('true');
    await check(page, 'nl-2fa-app-wrong-code');
    await appCode.fill(await oathtoolCode(secret, now()));
    await page.getByRole('button', { name: t.submitCreate }).click();
    await page.getByRole('link', { name: t.editApp }).waitFor();

    // The edit pages and a remove confirmation (not confirmed).
    await page.getByRole('link', { name: t.editApp }).click();
    await page.getByRole('link', { name: t.removeApp }).waitFor();
    await check(page, 'nl-2fa-app-edit');
    await page.getByRole('link', { name: t.removeApp }).click();
    await page.getByRole('button', { name: t.confirmRemove }).waitFor();
    await check(page, 'nl-2fa-app-remove');
    await page.goto('/profile/2fa/email/edit');
    await page.getByRole('link', { name: t.removeEmail }).waitFor();
    await check(page, 'nl-2fa-email-edit');
    await checkOnPhone(page, 'nl-2fa-email-edit');
    // The question before new recovery codes (not answered).
    await page.goto('/profile/2fa');
    await page.getByRole('link', { name: t.regenerate }).click();
    await page.getByRole('heading', { level: 1, name: t.regenerateConfirmHeading }).waitFor();
    await page.getByRole('button', { name: t.regenerate }).waitFor();
    await check(page, 'nl-2fa-recovery-codes-new');
    await checkOnPhone(page, 'nl-2fa-recovery-codes-new');

    // The step-up's second step, eleven minutes on.
    app.clock.advance(STEP_UP_AFTER_MS);
    await page.goto('/profile/2fa/app/edit');
    await page.getByLabel(nl.reauth.password).fill(PASSWORD);
    await page.getByRole('button', { name: nl.reauth.submit }).click();
    await page.getByRole('heading', { level: 1, name: t.stepUpHeading }).waitFor();
    await check(page, 'nl-step-up-app');

    // The second step of a log-in: app, choose, email before and after sending, recovery.
    await logOut(page, nl);
    await logInWithPassword(page, email, nl);
    await page.getByRole('heading', { level: 1, name: t.challengeHeading }).waitFor();
    await page.getByText(t.lostAccessSignIn).waitFor();
    await check(page, 'nl-challenge-app');
    await page.getByRole('link', { name: t.useDifferent }).click();
    await page.getByRole('link', { name: t.useEmail }).waitFor();
    await check(page, 'nl-challenge-choose');
    await page.getByRole('link', { name: t.useEmail }).click();
    const send = page.getByRole('button', { name: /^Stuur code naar / });
    await send.waitFor();
    await check(page, 'nl-challenge-email');
    app.clock.advance(RESEND_COOLDOWN_MS);
    await send.click();
    await page.getByRole('status').waitFor();
    await check(page, 'nl-challenge-email-sent');
    await checkOnPhone(page, 'nl-challenge-email-sent');
    await page.getByRole('link', { name: t.useRecovery }).click();
    const recoveryField = page.getByLabel(t.recoveryCode, { exact: true });
    await recoveryField.waitFor();
    await check(page, 'nl-challenge-recovery');
    await recoveryField.fill(recoveryCode ?? '');
    await page.getByRole('button', { name: t.verify }).click();
    await expectSignedIn(page, nl);
  });

  it('fits 320 px in Dutch on the set-up and recovery-code pages', async () => {
    const { app } = world;
    const t = nl.twoFactor;
    const page = await openProfile(world, { locale: 'nl-NL', viewport: NARROWEST });
    const email = uniqueEmail('smal');
    await registerInBrowser(app, page, { name: 'Joost', email, t: nl });
    await logInWithPassword(page, email, nl);
    await expectSignedIn(page, nl);
    await page.goto('/profile/2fa');
    await check(page, 'nl-2fa-overview');
    await page.goto('/profile/2fa/app/new');
    const { secret } = await scanAppSetup(page, email, nl);
    await check(page, 'nl-2fa-app-new');
    await page
      .getByLabel(t.verificationCode, { exact: true })
      .fill(await oathtoolCode(secret, now()));
    await page.getByRole('button', { name: t.submitCreate }).click();
    await page.getByRole('heading', { name: t.recoveryHeading }).waitFor();
    await check(page, 'nl-2fa-recovery-codes');
  });

  it('remembers this browser for 30 days when asked, and forgets it from Your 2FA', async () => {
    const { app } = world;
    const page = await openProfile(world);
    const email = uniqueEmail('remember');
    await registerInBrowser(app, page, { name: 'Rita', email });
    await logInWithPassword(page, email);
    await page.goto('/profile/2fa/app/new');
    const { secret } = await scanAppSetup(page, email);
    await page
      .getByLabel('Verification Code', { exact: true })
      .fill(await oathtoolCode(secret, now()));
    await page.getByRole('button', { name: 'Submit Code and Create' }).click();
    await page.getByRole('link', { name: 'Continue' }).click();
    await logOut(page);

    // The second step offers the box, unticked; ticking it keeps this browser for 30 days.
    await logInWithPassword(page, email);
    await page.waitForURL('**/login/2fa');
    const remember = page.getByLabel('Remember this device for 30 days');
    expect(await remember.isChecked()).toBe(false);
    await check(page, 'challenge-remember');
    await remember.check();
    world.app.clock.advance(STEP_MS);
    await page
      .getByLabel('Verification Code', { exact: true })
      .fill(await oathtoolCode(secret, now()));
    await page.getByRole('button', { name: 'Verify' }).click();
    await page.waitForURL((url) => url.pathname === '/');
    await logOut(page);

    // The password alone now signs this browser in.
    await logInWithPassword(page, email);
    await page.waitForURL((url) => url.pathname === '/');
    await expectSignedIn(page);

    await page.goto('/profile/2fa');
    const devices = page.getByRole('region', { name: 'Trusted devices' });
    await devices.getByText('Chrome on Linux').waitFor();
    await devices.getByText('this browser').waitFor();
    await check(page, '2fa-trusted-devices');
    await devices.getByRole('button', { name: 'Forget Chrome on Linux' }).click();
    await page.getByRole('status').getByText('The device was forgotten').waitFor();
    await expect.poll(() => devices.getByText('You have no trusted devices.').count()).toBe(1);

    await logOut(page);
    await logInWithPassword(page, email);
    await page.waitForURL('**/login/2fa');
    await expectNoSession(page);
  });
});
