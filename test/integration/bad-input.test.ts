import net from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from '../helpers/client.js';
import { Client, fieldError, textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, PASSWORD, registerAndVerify, uniqueEmail } from '../helpers/flows.js';
import { snapshotDatabase } from '../helpers/snapshot.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';

const FORM = 'application/x-www-form-urlencoded';

/** A styled page of the app: the layout with its header, not a bare error. */
function expectStyledPage(page: Page, status: number) {
  expect(page.status).toBe(status);
  expect(page.headers['content-type']).toMatch(/^text\/html/);
  expect(page.body).toMatch(/^<!doctype html>/i);
  expect(page.body).toContain('<html lang="en">');
  expect(page.body).toContain('class="site-header"');
  expect(page.body).not.toMatch(/FST_ERR|node_modules|\bat \S+ \(\//);
}

describe.each(DIALECTS)('bad input (%s)', (dialect) => {
  let app: TestApp;
  let client: Client;
  let email: string;

  beforeAll(async () => {
    app = await createTestApp({ dialect });
    client = new Client(app.app);
    ({ email } = await registerAndVerify(app, client));
    await logIn(client, email);
  });
  afterAll(async () => {
    await app?.close();
  });

  /** Posts a raw body with this browser's cookies; checks that nothing was written. */
  async function postRaw(
    url: string,
    body: string | Buffer,
    contentType = FORM,
    extraHeaders: Record<string, string> = {},
  ): Promise<Page> {
    const before = await snapshotDatabase(app.db);
    const sent = `${url}: ${body.toString().slice(0, 80)}`;
    const page = await client.request('POST', url, {
      body,
      headers: { 'content-type': contentType, ...extraHeaders },
    });
    expect(page.status, sent).toBeGreaterThanOrEqual(400);
    expect(page.status, sent).toBeLessThan(500);
    expect(await snapshotDatabase(app.db), sent).toEqual(before);
    return page;
  }

  async function token(): Promise<string> {
    await client.get('/profile');
    return client.csrfToken();
  }

  it('answers a body over 64 KiB with a styled 413 page', async () => {
    const csrf = await token();
    const huge = new URLSearchParams({
      _csrf: csrf,
      name: 'x'.repeat(70 * 1024),
      email: uniqueEmail('huge'),
      password: PASSWORD,
    }).toString();
    const page = await postRaw('/register', huge);
    expectStyledPage(page, 413);
    expect(textOf(page.body)).toContain('Too much data');
    expectStyledPage(await postRaw('/profile', huge), 413);
  });

  it('turns array-shaped or empty form fields into field errors', async () => {
    const csrf = await token();
    const bodies = [
      `_csrf=${csrf}&name[x]=a&locale[]=nl`,
      `_csrf=${csrf}&=&&==&name`,
      `_csrf=${csrf}&__proto__=x&constructor=y&name=`,
      `_csrf=${csrf}${'&'.repeat(5000)}`,
    ];
    for (const body of bodies) {
      const page = await postRaw('/profile', body);
      expect(page.status, body).toBe(422);
      expect(page.body).toMatch(/id="name-error"/);
    }
  });

  it('refuses a form body with broken percent-encoding with a styled 400, storing nothing', async () => {
    // A browser encodes every "%" it sends; these come from hand-made requests. The parser
    // would keep them as the literal text, saving a name "%FF%FE" no one typed.
    const csrf = await token();
    for (const name of ['%zz%', '100%', '%E0%A4%A', '%FF%FE', '%C0%80', '%ED%A0%80']) {
      const page = await postRaw('/profile', `_csrf=${csrf}&name=${name}&locale=en`);
      expectStyledPage(page, 400);
      expect(textOf(page.body)).toContain('Something is wrong with this request');
    }
    // Bytes that are no UTF-8, sent as they are (not percent-encoded) or as Latin-1: they were
    // read as U+FFFD and saved in the name.
    for (const [bytes, type] of [
      [[0xff, 0xfe], FORM],
      [[0xe9], `${FORM}; charset=iso-8859-1`],
      [[0xef, 0xbf, 0xbd], FORM],
    ] as const) {
      const body = Buffer.concat([
        Buffer.from(`_csrf=${csrf}&name=Caf`),
        Buffer.from(bytes),
        Buffer.from('&locale=en'),
      ]);
      const page = await postRaw('/profile', body, type);
      expectStyledPage(page, 400);
    }
    // Well-encoded text, "%" and non-Latin letters included, is read as it was typed.
    const fine = await client.request('POST', '/profile', {
      body: `_csrf=${csrf}&name=${encodeURIComponent('100% Zoë ✓')}&locale=en`,
      headers: { 'content-type': FORM },
    });
    expect(fine.status).toBe(303);
    expect((await client.get('/profile')).body).toContain('value="100% Zoë ✓"');
  });

  it('refuses a form that gives a field twice or a NUL with a styled 400, changing nothing', async () => {
    // Read as a blank field, either once went through: a language reset, a method turned off,
    // a grace period dropped (postRaw checks that nothing in the database changed).
    const csrf = await token();
    for (const fields of [
      'name=Other&locale=n%00l',
      'name=Other&locale=en&locale=nl',
      'name=a&name=b&locale=en',
      'name[]=a&name[]=b',
      'name=%00&locale=en',
      'name=Ada%00Lovelace&locale=en',
    ]) {
      const page = await postRaw('/profile', `_csrf=${csrf}&${fields}`);
      expectStyledPage(page, 400);
      expect(textOf(page.body), fields).toContain('Something is wrong with this request');
    }
  });

  it('never fails on a NUL byte or other hostile text in any field of the public forms', async () => {
    const csrf = await token();
    const hostile = ['a\u0000b@example.com', 'x\u0000', '\uD800', '\u202Eevil', '\r\n\t'];
    for (const value of hostile) {
      for (const [url, fields] of [
        ['/register', { name: value, email: value, password: value }],
        ['/register', { name: 'Ok Name', email: `a${value}@example.com`, password: PASSWORD }],
        ['/login', { email: value, password: value }],
        ['/login', { email: `a${value}@example.com`, password: PASSWORD }],
        ['/password/forgot', { email: `a${value}@example.com` }],
        ['/password/reset', { token: value, new_password: value, confirm_password: value }],
        ['/verify-email', { token: value }],
        ['/profile/emails', { email: `a${value}@example.com` }],
        ['/reauth', { password: value, next: value }],
      ] as const) {
        const body = new URLSearchParams({ _csrf: csrf, ...fields }).toString();
        const page = await client.request('POST', url, {
          body,
          headers: { 'content-type': FORM },
        });
        expect(page.status, `${url} ${JSON.stringify(value)}`).toBeLessThan(500);
      }
    }
  });

  // HTML counts a control character in a page as a parse error and no text needs one; a NUL
  // in a page can also cut it short for a reader written in C. Tab and newlines are text.
  // eslint-disable-next-line no-control-regex
  const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

  it('never writes a control character into a page, whatever was typed', async () => {
    const search = await client.get('/kb/search?q=%00two%01fa%7F%1B%C2%85');
    expect(search.status).toBe(200);
    expect(search.body).not.toMatch(CONTROL);
    // The characters are taken out of the query, not the query out of the page.
    expect(textOf(search.body)).toContain('Search results for “twofa”');
    expect(search.body).toContain('value="twofa"');
    expect((await client.get('/kb/search?q=%00')).body).not.toMatch(CONTROL);

    // Refused as a name, and not written back into the form that says so.
    const refused = await client.submit('/profile', {
      name: 'Ada\u0001Love\u007flace',
      locale: 'en',
    });
    expect(refused.status).toBe(422);
    expect(refused.body).not.toMatch(CONTROL);
    expect(refused.body).toContain('value="AdaLovelace"');
    // A name stored before that rule, or by other means, is shown without them.
    await app.db
      .updateTable('users')
      .set({ name: 'Ada\u0001Love\u007flace' })
      .where(
        'id',
        '=',
        app.db.selectFrom('email_addresses').select('user_id').where('email', '=', email),
      )
      .execute();
    const profile = await client.get('/profile');
    expect(profile.body).not.toMatch(CONTROL);
    expect(profile.body).toContain('AdaLovelace');
  });

  it('refuses a JSON or otherwise non-form body to a form route with a 4xx page', async () => {
    const csrf = await token();
    const json = JSON.stringify({ _csrf: csrf, name: 'Changed By Json', locale: 'nl' });
    expectStyledPage(await postRaw('/profile', json, 'application/json'), 415);
    expectStyledPage(await postRaw('/profile', '{"_csrf": ', 'application/json'), 400);
    expectStyledPage(await postRaw('/profile', `_csrf=${csrf}&name=x`, 'text/plain'), 415);
    expectStyledPage(await postRaw('/profile', '<name>x</name>', 'application/xml'), 415);
    const user = await client.get('/profile');
    expect(user.body).not.toContain('Changed By Json');
  });

  it('answers an unknown page with the styled 404 page', async () => {
    for (const path of ['/no-such-page', '/profile/nothing/here', `/${'a'.repeat(3000)}`]) {
      const page = await client.get(path);
      expectStyledPage(page, 404);
      expect(textOf(page.body)).toContain('Page not found');
      expect(page.body).toContain('href="/"');
    }
    const post = await client.post('/no-such-page', { a: 'b' });
    expect(post.status).toBe(404);
  });

  it('answers a path that does not decode with a styled 400 page in the visitor’s language', async () => {
    for (const url of ['/kb/%E0%A4%A', '/%', '/profile/%zz']) {
      const page = await client.get(url);
      expectStyledPage(page, 400);
      expect(textOf(page.body)).toContain('Something is wrong with this request');
      expect(page.headers['content-security-policy']).toBeTruthy();
    }
    const dutch = await new Client(app.app).get('/kb/%', { 'accept-language': 'nl' });
    expect(dutch.status).toBe(400);
    expect(dutch.body).toContain('<html lang="nl">');
    const api = await client.get('/api/v1/users/%');
    expect(api.status).toBe(400);
    expect(JSON.parse(api.body)).toMatchObject({ code: 'BAD_REQUEST' });
  });

  it('answers an odd or over-long address id with 404, not an error', async () => {
    await client.get('/profile/emails');
    for (const id of ['%00', 'x'.repeat(150), 'not-a-uuid', "1'%20or%20'1'='1"]) {
      const page = await client.post(`/profile/emails/${id}/remove`);
      expectStyledPage(page, 404);
    }
    // Paths that are not valid percent-encoding, or whose parameter is over 200 characters,
    // are refused by the router before the app sees them, still with a styled page.
    expectStyledPage(await client.post('/profile/emails/%E0%A4%A/remove'), 400);
    expectStyledPage(await client.post(`/profile/emails/${'x'.repeat(250)}/remove`), 414);
  });

  it('turns over-long fields into errors on those fields, and stores nothing', async () => {
    const before = await snapshotDatabase(app.db);
    const anonymous = new Client(app.app);
    const page = await anonymous.submit('/register', {
      name: 'n'.repeat(101),
      email: `${'e'.repeat(250)}@example.com`,
      password: 'p'.repeat(257),
    });
    expect(page.status).toBe(422);
    const words = textOf(page.body);
    expect(words).toContain('Name must be at most 100 characters.');
    expect(words).toContain('Email address must be at most 254 characters.');
    expect(words).toContain('Use a password of at most 256 characters.');
    expect(page.body).toMatch(/id="name-error"/);
    expect(page.body).toMatch(/id="email-error"/);
    expect(page.body).toMatch(/id="password-error"/);

    const login = await anonymous.submit('/login', {
      email: `${'e'.repeat(300)}@example.com`,
      password: 'p'.repeat(300),
    });
    expect(login.status).toBe(422);
    const profile = await client.submit('/profile', { name: 'n'.repeat(101), locale: 'en' });
    expect(profile.status).toBe(422);
    expect(await snapshotDatabase(app.db)).toEqual(before);
  });

  it('refuses a one-line field with a line break, a control character or a bidi override', async () => {
    // A browser's text field sends none of these; a crafted request does, and the value
    // would reach other people's pages, an administrator's terminal and CSV exports.
    const before = await snapshotDatabase(app.db);
    const anonymous = new Client(app.app);
    for (const name of [
      'Eve\nmallory@example.com',
      'Eve\rmallory',
      'Eve\u001b]0;owned\u0007',
      'Eve\u0085',
      '\u202eevE',
      'Eve\u202ax',
    ]) {
      const registered = await anonymous.submit('/register', {
        name,
        email: uniqueEmail(),
        password: PASSWORD,
      });
      expect(registered.status, JSON.stringify(name)).toBe(422);
      expect(textOf(registered.body)).toContain(
        'Name must be one line of text, without invisible control characters.',
      );
      expect(registered.body).toMatch(/id="name-error"/);
      const renamed = await client.submit('/profile', { name, locale: 'en' });
      expect(renamed.status, JSON.stringify(name)).toBe(422);
    }
    expect(await snapshotDatabase(app.db)).toEqual(before);
    // What a paste brings along is tidied instead: a tab becomes a space, bidi isolates (which
    // chat apps put around names) go, space at either end is trimmed. Any script is welcome.
    const pasted = await client.submit('/profile', {
      name: '  \u2068Zoë\u2069\tÜnal שלום\t ',
      locale: 'en',
    });
    expect(pasted.status).toBe(303);
    const user = await app.db
      .selectFrom('users')
      .innerJoin('email_addresses', 'email_addresses.user_id', 'users.id')
      .select('users.name')
      .where('email_addresses.email', '=', email)
      .executeTakeFirstOrThrow();
    expect(user.name).toBe('Zoë Ünal שלום');
  });

  it('asks for a name made of invisible characters only, as for an empty one', async () => {
    // It would show as a blank in every list and log that names the person or group.
    const before = await snapshotDatabase(app.db);
    const anonymous = new Client(app.app);
    for (const name of [
      '\u200b',
      '\u200b\u200d\ufeff',
      '\u3164',
      '\u2800',
      ' \u00ad ',
      '\u2068\u2069',
    ]) {
      const registered = await anonymous.submit('/register', {
        name,
        email: uniqueEmail(),
        password: PASSWORD,
      });
      expect(registered.status, JSON.stringify(name)).toBe(422);
      expect(fieldError(registered.body, 'name')).toBe('Fill in “Name”.');
      const renamed = await client.submit('/profile', { name, locale: 'en' });
      expect(renamed.status, JSON.stringify(name)).toBe(422);
    }
    expect(await snapshotDatabase(app.db)).toEqual(before);
    // A name with something to see keeps its joiners (emoji, scripts that need them).
    const joined = await client.submit('/profile', { name: 'Zoë 👩\u200d💻', locale: 'en' });
    expect(joined.status).toBe(303);
  });

  it('refuses a look-alike or invisible character in an address for a new account, not in one looked up', async () => {
    const before = await snapshotDatabase(app.db);
    const anonymous = new Client(app.app);
    for (const address of [
      '\u212aim@example.com',
      '\uff4b\uff49\uff4d@example.com',
      'ki\u200bm@example.com',
    ]) {
      const registered = await anonymous.submit('/register', {
        name: 'Kim',
        email: address,
        password: PASSWORD,
      });
      expect(registered.status, JSON.stringify(address)).toBe(422);
      expect(textOf(registered.body)).toContain(
        'Type the address with ordinary characters: it holds characters that are invisible or that look like others.',
      );
      const added = await client.submit('/profile/emails', { email: address });
      expect(added.status, `${JSON.stringify(address)} ${added.location ?? ''}`).toBe(422);
    }
    expect(await snapshotDatabase(app.db)).toEqual(before);
    // A reset is asked for by any address, as an address stored before this rule may be.
    const reset = await anonymous.submit('/password/forgot', { email: 'zoe\u0308@example.com' });
    expect(reset.status).toBe(200);
    expect(textOf(reset.body)).not.toContain('ordinary characters');
    expect(textOf(reset.body)).not.toContain('in the form name@example.com');
  });

  it('refuses an address with the characters mail headers read as syntax, for a new account', async () => {
    const before = await snapshotDatabase(app.db);
    const anonymous = new Client(app.app);
    // A mail server would read another mailbox out of each: a list, a display name, a group.
    for (const address of [
      'root,att2@example.com',
      'shown<att3@example.com>',
      'x;att4@example.com',
      'a:b@example.com',
      '"quoted"@example.com',
    ]) {
      const registered = await anonymous.submit('/register', {
        name: 'Syntax',
        email: address,
        password: PASSWORD,
      });
      expect(registered.status, address).toBe(422);
      expect(textOf(registered.body)).toContain(
        'Enter an email address in the form name@example.com.',
      );
      const added = await client.submit('/profile/emails', { email: address });
      expect(added.status, address).toBe(422);
      // Nor are sign-in codes sent to one.
      const codes = await client.submit('/profile/2fa/email/new', {
        action: 'send',
        name: 'Codes',
        email: address,
      });
      expect(codes.status, address).toBe(422);
    }
    expect(await snapshotDatabase(app.db)).toEqual(before);
  });

  it('logs in with an address stored before the look-alike rule, typed as it was stored', async () => {
    const { email } = await registerAndVerify(app, new Client(app.app), { name: 'José' });
    const decomposed = email.replace('@', 'e\u0301@');
    await app.db
      .updateTable('email_addresses')
      .set({ email: decomposed, email_normalized: decomposed.toLowerCase() })
      .where('email_normalized', '=', email.toLowerCase())
      .execute();
    const login = await logIn(new Client(app.app), decomposed);
    expect(login.status).toBe(303);
  });

  it('shrugs off odd query strings and cookies', async () => {
    const pages = [
      await client.get('/password/reset?token=a&token=b'),
      await client.get('/password/reset?token[x]=1'),
      await client.get('/verify-email?token=%00'),
      await client.get('/login?next=%00'),
      await client.get('/reauth?next[]=x'),
    ];
    for (const page of pages) expect(page.status).toBeLessThan(500);
    const odd = new Client(app.app);
    odd.cookies.set('portico_session', '%E0%A4%A');
    odd.cookies.set('portico_flash', '{"key":"saved","arg":{}}');
    odd.cookies.set('portico_csrf', 'x'.repeat(5000));
    odd.cookies.set('portico_lang', '../../etc/passwd');
    const home = await odd.get('/');
    expect(home.status).toBe(200);
    expect(home.body).toContain('<html lang="en">');
  });
});

/*
 * What Node's own HTTP parser refuses never reaches a route: an unknown method, headers
 * larger than 16 KB, bytes that are no HTTP. It used to get Fastify's bare JSON without the
 * security headers; it gets a short page with them.
 */
describe('requests the HTTP parser refuses', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ listen: true });
  });
  afterAll(async () => {
    await app?.close();
  });

  async function raw(request: string): Promise<string> {
    const { port, hostname } = new URL(app.baseUrl);
    return new Promise((resolve, reject) => {
      const socket = net.connect(Number(port), hostname, () => socket.write(request));
      let answer = '';
      socket.on('data', (chunk: Buffer) => (answer += chunk.toString()));
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
    });
  }

  it('answers with a page and the security headers, then closes', async () => {
    for (const [request, status] of [
      ['FOO / HTTP/1.1\r\nHost: x\r\n\r\n', '400 Bad Request'],
      [
        `GET /kb/search?q=${'a'.repeat(17_000)} HTTP/1.1\r\nHost: x\r\n\r\n`,
        '431 Request Header Fields Too Large',
      ],
      ['\x16\x03\x01 not http at all\r\n\r\n', '400 Bad Request'],
    ] as const) {
      const answer = await raw(request);
      const [head = '', body = ''] = answer.split('\r\n\r\n');
      expect(head.split('\r\n')[0]).toBe(`HTTP/1.1 ${status}`);
      expect(head).toMatch(/^content-type: text\/html; charset=utf-8$/im);
      expect(head).toMatch(/^x-frame-options: DENY$/im);
      expect(head).toMatch(/^content-security-policy: default-src 'self'/im);
      expect(body).toContain('<h1>');
      expect(body).not.toContain('"error"');
    }
    // The server goes on answering.
    expect((await fetch(`${app.baseUrl}/health`)).status).toBe(200);
  });

  it('answers a request to the API with its JSON error', async () => {
    const answer = await raw(
      `GET /api/v1/users?q=${'a'.repeat(17_000)} HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer x\r\n\r\n`,
    );
    const [head = '', body = ''] = answer.split('\r\n\r\n');
    expect(head.split('\r\n')[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large');
    expect(head).toMatch(/^content-type: application\/json; charset=utf-8$/im);
    expect(JSON.parse(body)).toEqual({
      code: 'BAD_REQUEST',
      message: 'The URL and headers together exceed 16 KB',
    });
  });
});
