import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, PASSWORD, registerAndVerify } from '../helpers/flows.js';
import { savePolicy, setUpApp, setUpEmail } from '../helpers/two-factor.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';

describe.each(DIALECTS)('language (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('speaks English when the browser states no preference, or one we do not have', async () => {
    for (const header of [undefined, 'fr-FR, de;q=0.8', 'nl;q=0', 'garbage;;q=abc']) {
      const page = await new Client(app.app).get(
        '/login',
        header ? { 'accept-language': header } : {},
      );
      expect(page.body, String(header)).toContain('<html lang="en">');
      expect(page.body).toMatch(/<h1>\s*Log in\s*<\/h1>/);
    }
  });

  it('follows Accept-Language: Dutch pages for nl', async () => {
    for (const header of ['nl', 'nl-BE', 'fr;q=0.9, nl-NL;q=0.8, en;q=0.1']) {
      const page = await new Client(app.app).get('/login', { 'accept-language': header });
      expect(page.body, header).toContain('<html lang="nl">');
      expect(page.body).toMatch(/<h1>\s*Inloggen\s*<\/h1>/);
    }
    const missing = await new Client(app.app).get('/nope', { 'accept-language': 'nl' });
    expect(missing.status).toBe(404);
    expect(textOf(missing.body)).toContain('Pagina niet gevonden');
  });

  /*
   * A form's answer (a refusal, a preview) is shown at the address it was posted to, which has
   * no page of its own: the language switch there led to "Page not found", and what the
   * person had on screen (a verification link's page, with its token) was lost.
   */
  it('comes back from the answer to a form to the page of the form', async () => {
    const returnTo = (page: { body: string }) =>
      /name="return_to" value="([^"]*)"/.exec(page.body)?.[1]?.replace(/&amp;/g, '&');
    const client = new Client(app.app);
    await client.get('/login');
    const host = 'help.example.com';
    const refused = (referer?: string) =>
      client.post(
        '/login',
        { email: 'nobody@example.com', password: 'not the password at all' },
        { host, ...(referer ? { referer } : {}) },
      );
    expect(returnTo(await refused(`http://${host}/login?next=%2Fprofile`))).toBe(
      '/login?next=%2Fprofile',
    );
    // Behind a proxy that names itself in Host: the page at PUBLIC_URL is the site's own too.
    expect(returnTo(await refused(`${app.baseUrl}/register`))).toBe('/register');
    // Another site's page, or none named: home.
    expect(returnTo(await refused('https://evil.example/login'))).toBe('/');
    expect(returnTo(await refused())).toBe('/');
    // A page that was got: itself.
    expect(returnTo(await client.get('/kb/search?q=two'))).toBe('/kb/search?q=two');
  });

  it('switches with the language buttons, over the browser’s preference, and back', async () => {
    const client = new Client(app.app);
    const english = { 'accept-language': 'en' };
    await client.get('/password/forgot', english);
    const switched = await client.post('/language', { lang: 'nl', return_to: '/password/forgot' });
    expect(switched.status).toBe(303);
    expect(switched.location).toBe('/password/forgot');
    const dutch = await client.get('/password/forgot', english);
    expect(dutch.body).toContain('<html lang="nl">');
    expect(dutch.body).toMatch(
      /aria-current="true"[^>]*>\s*Nederlands|value="nl"[^>]*aria-current="true"/,
    );
    await client.post('/language', { lang: 'en', return_to: '/' });
    expect((await client.get('/', { 'accept-language': 'nl' })).body).toContain('<html lang="en">');
    // An unknown language changes nothing.
    await client.post('/language', { lang: 'xx', return_to: '/' });
    expect((await client.get('/')).body).toContain('<html lang="en">');
  });

  it('remembers the choice on the account of a signed-in person', async () => {
    const client = new Client(app.app);
    const { email, userId } = await registerAndVerify(app, client);
    await logIn(client, email);
    await client.get('/profile');
    await client.post('/language', { lang: 'nl', return_to: '/profile' });
    const user = await app.db
      .selectFrom('users')
      .select('locale')
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    expect(user.locale).toBe('nl');
    const elsewhere = new Client(app.app);
    await logIn(elsewhere, email);
    const page = await elsewhere.get('/profile', { 'accept-language': 'en' });
    expect(page.body).toContain('<html lang="nl">');
    expect(page.body).toMatch(/<h1>\s*Je account\s*<\/h1>/);
  });

  it("goes back to the browser's language when the profile says so", async () => {
    const client = new Client(app.app);
    const { email } = await registerAndVerify(app, client);
    await logIn(client, email);
    await client.get('/profile', { 'accept-language': 'en' });
    await client.submit('/profile', { name: 'Test User', locale: 'nl' });
    const dutch = await client.get('/profile', { 'accept-language': 'en' });
    expect(dutch.body).toContain('<html lang="nl">');
    // "Use my browser's language": the browser asks for English, and gets it.
    const saved = await client.request('POST', '/profile', {
      form: { _csrf: await client.csrfToken(), name: 'Test User', locale: '' },
      headers: { 'accept-language': 'en' },
    });
    expect(saved.status).toBe(303);
    const english = await client.get('/profile', { 'accept-language': 'en' });
    expect(english.body).toContain('<html lang="en">');
    expect(client.cookies.has('portico_lang')).toBe(false);
  });

  it('speaks the account’s language from the second step of a log-in on, as its mails do', async () => {
    const owner = new Client(app.app);
    await owner.get('/register', { 'accept-language': 'en' });
    const { email, userId } = await registerAndVerify(app, owner);
    expect(
      (
        await app.db
          .selectFrom('users')
          .select('locale')
          .where('id', '=', userId)
          .executeTakeFirstOrThrow()
      ).locale,
    ).toBe('en');
    await logIn(owner, email);
    await setUpApp(app, owner);
    // From a Dutch browser: the log-in page is Dutch, the second step the account's English.
    const dutchBrowser = new Client(app.app);
    const loginPage = await dutchBrowser.get('/login', { 'accept-language': 'nl' });
    expect(loginPage.body).toContain('<html lang="nl">');
    const login = await dutchBrowser.request('POST', '/login', {
      form: { _csrf: await dutchBrowser.csrfToken(), email, password: PASSWORD },
      headers: { 'accept-language': 'nl' },
    });
    expect(login.location).toBe('/login/2fa');
    const step = await dutchBrowser.get('/login/2fa', { 'accept-language': 'nl' });
    expect(step.body).toContain('<html lang="en">');
    // A notice on that page, such as the one for a form of a replaced log-in, speaks it too.
    const stale = await dutchBrowser.request('POST', '/login/2fa', {
      form: {
        _csrf: await dutchBrowser.csrfToken(),
        signin: 'a-page-of-another-log-in',
        method: 'totp',
        code: '123456',
      },
      headers: { 'accept-language': 'nl' },
    });
    expect(stale.location).toBe('/login/2fa');
    const noticed = await dutchBrowser.get('/login/2fa', { 'accept-language': 'nl' });
    expect(noticed.body).toContain('<html lang="en">');
    expect(textOf(noticed.body)).toContain('This browser started another log-in');
    // Chosen with the switch in this browser, the language stays the chosen one.
    await dutchBrowser.post('/language', { lang: 'nl', return_to: '/login/2fa' });
    const chosen = await dutchBrowser.get('/login/2fa', { 'accept-language': 'en' });
    expect(chosen.body).toContain('<html lang="nl">');

    // The set-up a policy asks for at log-in, likewise.
    await savePolicy(app, { require: 'all' });
    try {
      const plain = new Client(app.app);
      const account = await registerAndVerify(app, plain);
      const second = new Client(app.app);
      const required = await second.request('POST', '/login', {
        form: { _csrf: await second.csrfToken(), email: account.email, password: PASSWORD },
        headers: { 'accept-language': 'nl' },
      });
      expect(required.location).toBe('/login/2fa/setup');
      const setup = await second.get('/login/2fa/setup/app/new', { 'accept-language': 'nl' });
      expect(setup.body).toContain('<html lang="en">');
    } finally {
      await savePolicy(app, {});
    }
  });

  /*
   * "Use my browser's language" leaves the account without a language of its own: its pages
   * follow the browser, and its mails, which have no browser to ask, went out in English to
   * someone who reads every page in Dutch.
   */
  it("writes mail in the browser's language to someone whose setting is the browser's", async () => {
    const client = new Client(app.app);
    const { email } = await registerAndVerify(app, client);
    await logIn(client, email);
    await setUpEmail(app, client, email);
    const saved = await client.request('POST', '/profile', {
      form: { _csrf: await client.csrfToken(), name: 'Test User', locale: '' },
      headers: { 'accept-language': 'nl' },
    });
    expect(saved.status).toBe(303);
    // A reset link, asked for from anywhere, is written in the language of the owner's pages.
    let since = app.mail.messages.length;
    await new Client(app.app).submit('/password/forgot', { email });
    const reset = await app.mail.waitFor(email, /Reset your password|wachtwoord/, { since });
    expect(reset.language).toBe('nl');

    // Each log-in keeps the language its browser showed: a sign-in code mailed at its second
    // step comes in it.
    const codeAfterLogInFrom = async (language: string) => {
      app.clock.advance(61_000);
      const browser = new Client(app.app);
      await browser.get('/login', { 'accept-language': language });
      const login = await browser.request('POST', '/login', {
        form: { _csrf: await browser.csrfToken(), email, password: PASSWORD },
        headers: { 'accept-language': language },
      });
      expect(login.location).toBe('/login/2fa');
      await browser.get('/login/2fa?method=email');
      since = app.mail.messages.length;
      expect((await browser.post('/login/2fa/send')).status).toBe(303);
      return app.mail.waitFor(email, /verification code|verificatiecode/, { since });
    };
    expect((await codeAfterLogInFrom('en')).language).toBe('en');
    const dutch = await codeAfterLogInFrom('nl-BE, en;q=0.5');
    expect(dutch.language).toBe('nl');
    expect(dutch.subject).toMatch(/verificatiecode/);
  });

  it('mails a sign-in code in the language chosen with the switch for that log-in', async () => {
    const owner = new Client(app.app);
    const { email, userId } = await registerAndVerify(app, owner);
    await logIn(owner, email);
    await setUpEmail(app, owner, email);
    await app.db.updateTable('users').set({ locale: 'nl' }).where('id', '=', userId).execute();
    app.clock.advance(61_000);
    // The account speaks Dutch; this browser asked for English with the switch.
    const browser = new Client(app.app);
    await browser.get('/login', { 'accept-language': 'nl' });
    await browser.post('/language', { lang: 'en', return_to: '/login' });
    expect((await logIn(browser, email)).location).toBe('/login/2fa');
    const step = await browser.get('/login/2fa?method=email');
    expect(step.body).toContain('<html lang="en">');
    const since = app.mail.messages.length;
    expect((await browser.post('/login/2fa/send')).status).toBe(303);
    const mail = await app.mail.waitFor(email, /verification code|verificatiecode/, { since });
    expect(mail.language).toBe('en');
  });

  it('writes mail in the language the person registered in', async () => {
    const client = new Client(app.app);
    await client.get('/register', { 'accept-language': 'nl' });
    const email = `nl.${Date.now().toString(36)}@example.com`;
    const page = await client.request('POST', '/register', {
      form: {
        _csrf: await client.csrfToken(),
        name: 'Anne',
        email,
        password: 'een lange wachtzin hier',
      },
      headers: { 'accept-language': 'nl' },
    });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<html lang="nl">');
    const mail = await app.mail.waitFor(email);
    expect(mail.subject).toMatch(/Bevestig/);
    // Mail clients read it aloud, translate it or check its spelling as Dutch.
    expect(mail.language).toBe('nl');
    // A name chosen at registration is not written into mail to an unproven mailbox.
    expect(mail.text).toMatch(/^Hallo,$/m);
  });
});
