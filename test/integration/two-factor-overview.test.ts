/*
 * What Your 2FA and its mail tell a person about the state of their second factor. A method
 * the administrator turned off showed a green "On", so a person whose only method was off
 * believed their account was still protected; "You have 0 unused recovery codes. Use one…"
 * asked for what was not there; and the edit pages were headed as set-up pages.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TwoFactorPolicy } from '../../src/two-factor/policy.js';
import { messagesFor } from '../../src/i18n/index.js';
import { textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import { logIn, registerAndVerify } from '../helpers/flows.js';
import {
  newClient,
  pendingSignIn,
  setUpEmail,
  submitCode,
  userWithApp,
  savePolicy as savePolicyOf,
} from '../helpers/two-factor.js';

/** The status line of the method entry whose heading starts with `title`. */
function statusOf(body: string, title: string): string {
  const entries = body.split('<li class="method">').slice(1);
  const entry = entries.find((e) => textOf(e).startsWith(title)) ?? '';
  return /<p class="method-status">[\s\S]*?<\/p>/.exec(entry)?.[0] ?? '';
}

/** The heading and any notice above the introduction; the page must have both. */
function topOf(body: string): string {
  const top = /<h1>[\s\S]*?(?=<p>Two-factor authentication asks)/.exec(body)?.[0];
  expect(top, 'the heading and the introduction of Your 2FA').toBeDefined();
  return textOf(top ?? '');
}

const HEADING = 'Set Up Two-Factor Authentication';

describe.each(DIALECTS)('Your 2FA overview (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterEach(async () => {
    await savePolicy({});
  });
  afterAll(async () => {
    await app?.close();
  });

  const savePolicy = (change: Partial<TwoFactorPolicy>) => savePolicyOf(app, change);

  describe('a method the administrator turned off', () => {
    it('is still shown as on, with a note that it is no longer offered, and no warning', async () => {
      const user = await userWithApp(app);
      await savePolicy({ methods: { totp: false, email: true, webauthn: true } });
      const page = await user.client.get('/profile/2fa');
      const appStatus = statusOf(page.body, 'Authentication App');
      expect(textOf(appStatus)).toBe('On My phone');
      expect(textOf(page.body)).toContain(
        'Your helpdesk no longer offers this method to new users. It keeps working for you; you may also set up another method and remove this one.',
      );
      // It still protects the account: nothing alarming at the top.
      expect(topOf(page.body)).toBe(HEADING);
      expect(textOf(page.body)).not.toContain('Set up authentication app');
      expect(textOf(page.body)).toContain('Set up email authentication');

      await user.client.post('/language', { lang: 'nl', return_to: '/profile/2fa' });
      const dutch = await user.client.get('/profile/2fa');
      expect(textOf(statusOf(dutch.body, 'Authenticatie-app'))).toBe('Aan My phone');
      expect(textOf(dutch.body)).toContain(
        'Je helpdesk biedt deze methode niet meer aan nieuwe gebruikers aan.',
      );
    });

    it('gives no warning to someone who never set up a method, or whose methods work', async () => {
      const user = await userWithApp(app);
      expect(topOf((await user.client.get('/profile/2fa')).body)).toBe(HEADING);
      expect(
        textOf(statusOf((await user.client.get('/profile/2fa')).body, 'Authentication App')),
      ).toBe('On My phone');
    });
  });

  describe('recovery codes running out', () => {
    it('says 1 and none in words of their own, on the page and in the mail', async () => {
      const user = await userWithApp(app);
      const codes = [...user.recoveryCodes];
      const useOne = async () => {
        const client = await pendingSignIn(app, user.email);
        await client.get('/login/2fa?method=recovery');
        const done = await submitCode(client, 'recovery', codes.shift() ?? '');
        expect(done.status).toBe(303);
      };
      for (let i = 0; i < 9; i++) await useOne();
      const one = textOf((await user.client.get('/profile/2fa')).body);
      expect(one).toContain(
        'You have 1 unused recovery code left. Use it when you cannot use your other methods, and generate new ones soon.',
      );

      await app.services.postman.drain();
      const since = app.mail.messages.length;
      await useOne();
      const none = textOf((await user.client.get('/profile/2fa')).body);
      expect(none).toContain(
        'You have no unused recovery codes left. Generate new ones, so that you can still log in when you cannot use your other methods.',
      );
      expect(none).not.toContain('You have 0');
      const mail = await app.mail.waitFor(user.email, /recovery code was used/, { since });
      expect(mail.text).toContain('That was your last one: generate new ones from Your 2FA now.');
      expect(mail.text).not.toContain('You have 0');
    });

    it('says it in Dutch too', () => {
      const t = messagesFor('nl').twoFactor;
      expect(t.recoveryDescription(0)).toBe(
        'Je hebt geen ongebruikte herstelcodes meer. Maak nieuwe aan, zodat je nog kunt inloggen als je je andere methoden niet kunt gebruiken.',
      );
      expect(t.recoveryDescription(1)).toBe(
        'Je hebt nog 1 ongebruikte herstelcode. Gebruik hem als je je andere methoden niet kunt gebruiken, en maak binnenkort nieuwe aan.',
      );
      expect(t.mail.recoveryUsedBody('1 december 2026 om 10:00 UTC', 0, false)).toBe(
        'Op 1 december 2026 om 10:00 UTC is met een herstelcode ingelogd. Dat was je laatste: maak nu nieuwe codes via Je 2FA.',
      );
      expect(t.mail.recoveryUsedBody('1 december 2026 om 10:00 UTC', 4, false)).toContain(
        'Je hebt er nog 4.',
      );
    });
  });

  it('says where email codes go, and speaks of recovery codes only to someone who has a method', async () => {
    const user = await userWithApp(app);
    const other = `codes.${user.email}`;
    app.clock.advance(61_000);
    await setUpEmail(app, user.client, other);
    const page = await user.client.get('/profile/2fa');
    const entries = page.body.split('<li class="method">').slice(1);
    const emailEntry = textOf(entries.find((e) => textOf(e).startsWith('Email')) ?? '');
    expect(emailEntry).toContain(`Codes go to ${other}.`);
    expect(textOf(page.body)).toContain('Use one of your recovery codes to sign in.');

    const fresh = newClient(app);
    const { email } = await registerAndVerify(app, fresh);
    await logIn(fresh, email);
    const none = textOf((await fresh.get('/profile/2fa')).body);
    expect(none).not.toContain('Use one of your recovery codes');
    expect(none).toContain('Recovery codes are created when you set up your first method.');
  });

  it('heads the edit pages after what they edit (SPEC §2.5), in both languages', async () => {
    const user = await userWithApp(app);
    await setUpEmail(app, user.client, user.email);
    const heading = async (path: string) => {
      const page = await user.client.get(path);
      expect(page.status, path).toBe(200);
      const h1 = textOf(/<h1>[\s\S]*?<\/h1>/.exec(page.body)?.[0] ?? '');
      const title = /<title>([^<]*) · /.exec(page.body)?.[1];
      expect(title, path).toBe(h1);
      return h1;
    };
    expect(await heading('/profile/2fa/app/edit')).toBe('Edit authentication app');
    expect(await heading('/profile/2fa/email/edit')).toBe('Edit email authentication');
    await user.client.post('/language', { lang: 'nl', return_to: '/profile/2fa' });
    expect(await heading('/profile/2fa/app/edit')).toBe('Authenticatie-app bewerken');
    expect(await heading('/profile/2fa/email/edit')).toBe('E-mailauthenticatie bewerken');
  });
  it('gives the pages headed "Set Up Two-Factor Authentication" titles of their own', async () => {
    const client = newClient(app);
    const { email } = await registerAndVerify(app, client);
    await logIn(client, email);
    const title = async (path: string) =>
      /<title>([^<]*) · /.exec((await client.get(path)).body)?.[1];
    const titles = {
      overview: await title('/profile/2fa'),
      app: await title('/profile/2fa/app/new'),
      email: await title('/profile/2fa/email/new'),
    };
    expect(titles).toEqual({
      overview: 'Your 2FA',
      app: 'Set up authentication app',
      email: 'Set up email authentication',
    });
  });
});
