/**
 * Security keys in a real Chromium, with Chrome's own WebAuthn stack and the DevTools virtual
 * authenticator (CTAP2 over USB, user verification on) standing in for the key: add a key on
 * Your 2FA (a name, then the browser ceremony), log out, log in with password and key; then
 * rename and remove it. Every page on the way has no WCAG 2.2 A/AA violations (axe-core), in
 * English and in Dutch. The app runs at http://localhost:PORT: WebAuthn refuses an IP
 * address as relying party.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../src/i18n/en.js';
import type { Messages } from '../../src/i18n/index.js';
import { nl } from '../../src/i18n/nl.js';
import { uniqueEmail } from '../helpers/flows.js';
import type { E2eWorld } from './helpers/browser.js';
import { expectNoSidewaysScroll, hasChromium, startE2e } from './helpers/browser.js';
import {
  check,
  checkOnPhone,
  expectNoSession,
  expectSignedIn,
  logInWithPassword,
  logOut,
  openProfile,
  registerInBrowser,
} from './helpers/two-factor-browser.js';

/**
 * A virtual security key in this page's browser (Chrome DevTools Protocol, WebAuthn domain);
 * what it returns counts the credentials the key holds, and makes it forget them.
 */
async function addVirtualKey(
  page: Page,
  kind: { userVerification: boolean } = { userVerification: true },
): Promise<{ credentials(): Promise<number>; forget(): Promise<void> }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('WebAuthn.enable');
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'usb',
      hasResidentKey: true,
      hasUserVerification: kind.userVerification,
      isUserVerified: kind.userVerification,
      automaticPresenceSimulation: true,
    },
  });
  return {
    credentials: async () =>
      (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials.length,
    forget: async () => {
      await cdp.send('WebAuthn.clearCredentials', { authenticatorId });
    },
  };
}

describe.skipIf(!hasChromium)('security keys in the browser', () => {
  let world: E2eWorld;
  beforeAll(async () => {
    world = await startE2e({ host: 'localhost' });
  });
  afterAll(async () => {
    await world?.close();
  });

  async function journey(locale: 'en-US' | 'nl-NL', t: Messages, prefix: string) {
    const tf = t.twoFactor;
    const page = await openProfile(world, { locale });
    const key = await addVirtualKey(page);
    const email = uniqueEmail(prefix);
    await registerInBrowser(world.app, page, { name: 'Kim Key', email, t });
    await logInWithPassword(page, email, t);
    await expectSignedIn(page, t);

    // Your 2FA: the Security keys entry, none yet.
    await page.goto('/profile/2fa');
    await page.getByRole('heading', { name: tf.webauthn.title, exact: true }).waitFor();
    await check(page, `${prefix}-keys-overview-empty`);

    // Add security key: a name, then the ceremony.
    await page.getByRole('link', { name: tf.webauthn.add, exact: true }).click();
    await page.getByRole('heading', { name: tf.webauthn.addHeading }).waitFor();
    await page.getByRole('button', { name: tf.webauthn.add, exact: true }).waitFor();
    await check(page, `${prefix}-keys-add`);
    await page.getByLabel(tf.authenticatorName).fill('YubiKey 5C');
    await page.getByRole('button', { name: tf.webauthn.add, exact: true }).click();
    // The first method: recovery codes, exactly as for the other methods.
    await page.getByRole('heading', { name: tf.recoveryHeading }).waitFor();
    await check(page, `${prefix}-keys-recovery-codes`);
    await page.getByRole('link', { name: tf.continue }).click();
    await page.getByRole('cell', { name: 'YubiKey 5C', exact: true }).waitFor();
    await check(page, `${prefix}-keys-overview`);
    await checkOnPhone(page, `${prefix}-keys-overview`);

    // Log out, and in again with the key.
    await logOut(page, t);
    await logInWithPassword(page, email, t);
    await page.waitForURL('**/login/2fa');
    await page.getByRole('heading', { name: tf.challengeHeading }).waitFor();
    await expectNoSession(page);
    await page.getByRole('button', { name: tf.webauthn.use, exact: true }).waitFor();
    await check(page, `${prefix}-keys-challenge`);
    await page.getByRole('button', { name: tf.webauthn.use, exact: true }).click();
    await expectSignedIn(page, t);
    expect(new URL(page.url()).pathname).toBe('/');

    // The key was used: its row says when.
    await page.goto('/profile/2fa');
    const row = page.getByRole('row', { name: /YubiKey 5C/ });
    await expect.poll(async () => (await row.textContent()) ?? '').not.toContain(tf.webauthn.never);

    // The same key again: the browser refuses it, and the page says it is already added.
    await page.getByRole('link', { name: tf.webauthn.add, exact: true }).click();
    await page.getByLabel(tf.authenticatorName).fill('Same key');
    await page.getByRole('button', { name: tf.webauthn.add, exact: true }).click();
    await page.getByRole('alert').getByText(tf.webauthn.alreadyAdded).waitFor();
    await page.goto('/profile/2fa');
    await page.getByRole('cell', { name: 'YubiKey 5C', exact: true }).waitFor();
    expect(await page.getByRole('cell', { name: 'Same key', exact: true }).count()).toBe(0);

    // A name another key has: said on the form before the ceremony, so no key is asked to keep
    // a credential this account will never store. The key forgets its credential first (the
    // account keeps it), else the browser would refuse the key as already added anyway.
    await key.forget();
    await page.getByRole('link', { name: tf.webauthn.add, exact: true }).click();
    await page.getByLabel(tf.authenticatorName).fill(' yubikey 5c');
    await page.getByRole('button', { name: tf.webauthn.add, exact: true }).click();
    await page.getByRole('alert').getByText(tf.webauthn.nameTaken).waitFor();
    expect(await page.getByRole('status').getByText(tf.webauthn.nameTaken).count()).toBe(0);
    expect(await page.getByText(tf.webauthn.alreadyAdded).count()).toBe(0);
    expect(await page.getByLabel(tf.authenticatorName).getAttribute('aria-invalid')).toBe('true');
    expect(await key.credentials()).toBe(0);
    await check(page, `${prefix}-keys-name-taken`);
    // Read as the server reads it: a tab is a space.
    await page.goto('/profile/2fa/security-keys/new');
    await page.getByLabel(tf.authenticatorName).fill('YubiKey\t5C');
    await page.getByRole('button', { name: tf.webauthn.add, exact: true }).click();
    await page.getByRole('alert').getByText(tf.webauthn.nameTaken).waitFor();
    expect(await key.credentials()).toBe(0);
    // A name the server refuses goes to it before the ceremony, which says why: nothing to
    // see, or a control character.
    await page.getByLabel(tf.authenticatorName).fill('\u200b');
    await page.getByRole('button', { name: tf.webauthn.add, exact: true }).click();
    await page.getByText(t.errors.required(tf.authenticatorName)).first().waitFor();
    expect(await key.credentials()).toBe(0);
    await page.getByLabel(tf.authenticatorName).fill('Desk \u202ekey');
    await page.getByRole('button', { name: tf.webauthn.add, exact: true }).click();
    await page.getByText(t.errors.oneLine(tf.authenticatorName)).first().waitFor();
    expect(await page.getByLabel(tf.authenticatorName).getAttribute('aria-invalid')).toBe('true');
    expect(await key.credentials()).toBe(0);
    await page.goto('/profile/2fa');

    // Rename, then remove after a confirmation.
    await page.getByRole('link', { name: tf.webauthn.renameLabel('YubiKey 5C') }).click();
    await page.getByRole('heading', { name: tf.webauthn.renameHeading }).waitFor();
    await check(page, `${prefix}-keys-rename`);
    // The longest name the field takes, as one word: it wraps in the list, on a phone too.
    const long = 'K'.repeat(60);
    await page.getByLabel(tf.authenticatorName).fill(long);
    await page.getByRole('button', { name: tf.saveName, exact: true }).click();
    await page.getByRole('cell', { name: long, exact: true }).waitFor();
    await expectNoSidewaysScroll(page, `${prefix}-keys-long-name`);
    await checkOnPhone(page, `${prefix}-keys-long-name`);
    await page.getByRole('link', { name: tf.webauthn.renameLabel(long) }).click();
    await page.getByRole('heading', { name: tf.webauthn.renameHeading }).waitFor();
    await page.getByLabel(tf.authenticatorName).fill('Office key');
    await page.getByRole('button', { name: tf.saveName, exact: true }).click();
    await page.getByRole('cell', { name: 'Office key', exact: true }).waitFor();
    await page.getByRole('link', { name: tf.webauthn.removeLabel('Office key') }).click();
    await page.getByRole('heading', { name: tf.removeConfirmHeading('Office key') }).waitFor();
    await check(page, `${prefix}-keys-remove`);
    await page.getByRole('button', { name: tf.confirmRemove }).click();
    await page.getByText(tf.webauthn.none).waitFor();
    await page.context().close();
  }

  it('adds a key on Your 2FA, logs out and logs in with it (English)', async () => {
    await journey('en-US', en, 'kim');
  });

  /*
   * A key without a PIN or fingerprint: it could not be added, since the key was asked to keep
   * its credential on itself, which such a key does only behind a PIN. Keys here are a second
   * step after the password, and need not be found without one.
   */
  it('adds and uses a key that has no PIN or fingerprint', async () => {
    const page = await openProfile(world);
    await addVirtualKey(page, { userVerification: false });
    const email = uniqueEmail('pia');
    await registerInBrowser(world.app, page, { name: 'Pia Plain', email, t: en });
    await logInWithPassword(page, email, en);
    await page.goto('/profile/2fa/security-keys/new');
    await page.getByLabel(en.twoFactor.authenticatorName).fill('Plain key');
    await page.getByRole('button', { name: en.twoFactor.webauthn.add, exact: true }).click();
    await page.getByRole('heading', { name: en.twoFactor.recoveryHeading }).waitFor();
    await logOut(page, en);
    await logInWithPassword(page, email, en);
    await page.waitForURL('**/login/2fa');
    await page.getByRole('button', { name: en.twoFactor.webauthn.use, exact: true }).click();
    await expectSignedIn(page, en);
    await page.context().close();
  });

  it('says where keys work when the help center is opened at another address', async () => {
    const page = await openProfile(world);
    await addVirtualKey(page);
    const email = uniqueEmail('ann');
    await registerInBrowser(world.app, page, { name: 'Ann Address', email, t: en });
    await logInWithPassword(page, email, en);
    await page.goto('/profile/2fa');
    await page.getByRole('link', { name: en.twoFactor.webauthn.add, exact: true }).click();
    await page.getByLabel(en.twoFactor.authenticatorName).fill('Desk key');
    await page.getByRole('button', { name: en.twoFactor.webauthn.add, exact: true }).click();
    await page.getByRole('heading', { name: en.twoFactor.recoveryHeading }).waitFor();
    await logOut(page, en);
    // The same server under another name (*.localhost is this machine): the browser would
    // refuse the key there, since the help center's address (PUBLIC_URL) is localhost.
    const elsewhere = new URL(world.app.baseUrl);
    elsewhere.hostname = 'portal.localhost';
    await page.goto(new URL('/login', elsewhere).href);
    await logInWithPassword(page, email, en);
    await page.waitForURL('**/login/2fa');
    // Said as the page opens, with no button that could only fail.
    await page
      .getByRole('alert')
      .getByText(en.twoFactor.webauthn.wrongAddress(new URL(world.app.baseUrl).origin))
      .waitFor();
    expect(
      await page.getByRole('button', { name: en.twoFactor.webauthn.use, exact: true }).count(),
    ).toBe(0);
    await page.context().close();
  });

  it('does the same in Dutch, with no axe violations', async () => {
    await journey('nl-NL', nl, 'joost');
  });
});
