/**
 * The JSON API /api/v1 (SPEC §3) on both stores: every route needs a live bearer key (never a
 * cookie), refuses wrong, malformed and revoked keys and keys whose creator lost their rights,
 * answers bad input with a 400 and a stable `code`, applies the console's rules (no reset of
 * one's own 2FA, at least one method on), and leaves every use in the audit log. The OpenAPI
 * document is generated from the route schemas, is valid OpenAPI 3.1, and lists every route.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import Fastify from 'fastify';
import { LOCKED_UNTIL_RESET } from '../../src/two-factor/constants.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/security/tokens.js';
import { apiPlugin } from '../../src/web/api/api-plugin.js';
import type { SignedInAdmin } from '../helpers/admin.js';
import { adminClient, logInAdmin, plainUser, signedInAdmin } from '../helpers/admin.js';
import { textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, PASSWORD, registerAndVerify } from '../helpers/flows.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import { savePolicy, setUpApp } from '../helpers/two-factor.js';

interface Answer {
  status: number;
  headers: Record<string, unknown>;
  json: Record<string, unknown> & { code?: string };
}

/** Every route of the API, as a client calls it (ids filled in by the test). */
const ROUTES = (userId: string) =>
  [
    ['GET', '/api/v1/users?q=a'],
    ['GET', `/api/v1/users/${userId}`],
    ['POST', `/api/v1/users/${userId}/reset-2fa`],
    ['POST', `/api/v1/users/${userId}/unlock-2fa`],
    ['GET', '/api/v1/audit-events'],
    ['GET', '/api/v1/two-factor/policy'],
    ['PUT', '/api/v1/two-factor/policy'],
    ['GET', '/api/v1/user-groups'],
  ] as const;

describe.each(DIALECTS)('JSON API (%s)', (dialect) => {
  let app: TestApp;
  let admin: SignedInAdmin;
  let key: string;

  beforeAll(async () => {
    app = await createTestApp({ dialect });
    admin = await signedInAdmin(app);
    key = (
      await app.services.admin.apiKeys.create('Ticket system', {
        userId: admin.userId,
        meta: { ip: '127.0.0.1', userAgent: 'test' },
      })
    ).token;
  });
  afterAll(async () => {
    await app?.close();
  });

  async function call(
    method: 'GET' | 'POST' | 'PUT',
    url: string,
    options: { key?: string | null; body?: unknown; headers?: Record<string, string> } = {},
  ): Promise<Answer> {
    const token = options.key === undefined ? key : options.key;
    const response = await app.app.inject({
      method,
      url,
      headers: {
        ...(token !== null ? { authorization: `Bearer ${token}` } : {}),
        ...(options.body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...options.headers,
      },
      ...(options.body !== undefined ? { payload: JSON.stringify(options.body) } : {}),
    });
    return {
      status: response.statusCode,
      headers: response.headers,
      json: JSON.parse(response.body || '{}') as Answer['json'],
    };
  }

  const events = (event: string) =>
    app.db
      .selectFrom('audit_events')
      .selectAll()
      .where('event', '=', event)
      .orderBy('created_at', 'desc')
      .execute();

  describe('authentication', () => {
    it('refuses every route without a key, with a wrong or malformed key, and never looks at cookies', async () => {
      const user = await plainUser(app);
      // The administrator's own signed-in browser session is no credential here.
      const cookie = [...admin.client.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
      for (const [method, url] of ROUTES(user.userId)) {
        const none = await call(method, url, {
          key: null,
          body: method === 'PUT' ? {} : undefined,
        });
        expect(none.status, `${method} ${url}`).toBe(401);
        expect(none.json.code).toBe('MISSING_API_KEY');
        expect(none.headers['www-authenticate']).toBe('Bearer realm="portico"');
        const withCookie = await call(method, url, { key: null, headers: { cookie } });
        expect(withCookie.json.code).toBe('MISSING_API_KEY');
        const wrong = await call(method, url, { key: `ptk_${'A'.repeat(43)}` });
        expect(wrong.status).toBe(401);
        expect(wrong.json.code).toBe('INVALID_API_KEY');
        const malformed = await call(method, url, { key: 'not a key' });
        expect(malformed.json.code).toBe('INVALID_API_KEY');
      }
      const basic = await call('GET', '/api/v1/users', {
        key: null,
        headers: { authorization: `Basic ${key}` },
      });
      expect(basic.json.code).toBe('INVALID_API_KEY');
      // Nothing was reset by all those attempts.
      expect(
        (await events('two_factor.reset_by_admin')).some((e) => e.target_user_id === user.userId),
      ).toBe(false);
    });

    it('answers refused keys from an address 429 after 20 of them, for 15 minutes, and still lets a valid key in', async () => {
      const from = (remoteAddress: string, token: string) =>
        app.app.inject({
          method: 'GET',
          url: '/api/v1/two-factor/policy',
          remoteAddress,
          headers: { authorization: `Bearer ${token}` },
        });
      const guess = `ptk_${'B'.repeat(43)}`;
      for (let i = 0; i < 20; i++) {
        expect((await from('198.51.100.7', guess)).statusCode).toBe(401);
      }
      const stopped = await from('198.51.100.7', guess);
      expect(stopped.statusCode).toBe(429);
      expect(JSON.parse(stopped.body)).toMatchObject({ code: 'TOO_MANY_REQUESTS' });
      expect(Number(stopped.headers['retry-after'])).toBeGreaterThan(0);
      // Whoever sent the made-up keys does not lock out a valid key behind the same address.
      expect((await from('198.51.100.7', key)).statusCode).toBe(200);
      // A known key that is refused is audited from there once a window, not at every request:
      // a leaked key tried there shows in the log, a client stuck on it does not fill it.
      const { key: made, token: revoked } = await app.services.admin.apiKeys.create('Stuck', {
        userId: admin.userId,
        meta: { ip: '127.0.0.1', userAgent: 'test' },
      });
      await app.services.admin.apiKeys.revoke(made.id, {
        userId: admin.userId,
        meta: { ip: '127.0.0.1', userAgent: 'test' },
      });
      const refusedBefore = (await events('api_key.refused')).length;
      for (let i = 0; i < 5; i++)
        expect((await from('198.51.100.7', revoked)).statusCode).toBe(429);
      expect(await events('api_key.refused')).toHaveLength(refusedBefore + 1);
      // Tried from another network past its limit too, it shows again: the first network's
      // entry of the window does not hide it.
      for (let i = 0; i < 20; i++) await from('203.0.113.9', guess);
      for (let i = 0; i < 3; i++) expect((await from('203.0.113.9', revoked)).statusCode).toBe(429);
      const refused = await events('api_key.refused');
      expect(refused).toHaveLength(refusedBefore + 2);
      expect(refused.filter((e) => e.ip === '203.0.113.9')).toHaveLength(1);
      // Other addresses are not affected, and the wait ends.
      expect((await from('198.51.100.8', guess)).statusCode).toBe(401);
      app.clock.advance(15 * 60_000 + 1_000);
      expect((await from('198.51.100.7', guess)).statusCode).toBe(401);
    });

    it('needs no CSRF token or Origin: a bearer key is not sent by browsers on their own', async () => {
      const answer = await call('GET', '/api/v1/two-factor/policy', {
        headers: { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      });
      expect(answer.status).toBe(200);
    });

    it('refuses a revoked key and audits the attempt', async () => {
      const { key: made, token } = await app.services.admin.apiKeys.create('Old script', {
        userId: admin.userId,
        meta: { ip: '127.0.0.1', userAgent: 'test' },
      });
      expect((await call('GET', '/api/v1/user-groups', { key: token })).status).toBe(200);
      await app.services.admin.apiKeys.revoke(made.id, {
        userId: admin.userId,
        meta: { ip: '127.0.0.1', userAgent: 'test' },
      });
      const refused = await call('GET', '/api/v1/user-groups', { key: token });
      expect(refused.status).toBe(401);
      expect(refused.json.code).toBe('INVALID_API_KEY');
      const [event] = await events('api_key.refused');
      expect(event?.actor_label).toBe('api-key:Old script');
      expect(event?.details).toContain('revoked');
    });

    it('stops the keys of someone who is no longer an active administrator', async () => {
      const other = await signedInAdmin(app, { name: 'Rhoda Rights' });
      const { token } = await app.services.admin.apiKeys.create('Their key', {
        userId: other.userId,
        meta: { ip: '127.0.0.1', userAgent: 'test' },
      });
      expect((await call('GET', '/api/v1/user-groups', { key: token })).status).toBe(200);
      await app.services.admin.accounts.revokeAdmin(other.userId, { actorUserId: admin.userId });
      expect((await call('GET', '/api/v1/user-groups', { key: token })).json.code).toBe(
        'INVALID_API_KEY',
      );
      await app.services.admin.accounts.grantAdmin(other.userId, { actorUserId: admin.userId });
      expect((await call('GET', '/api/v1/user-groups', { key: token })).status).toBe(200);
      await app.services.admin.accounts.disable(other.userId, { actorUserId: admin.userId });
      expect((await call('GET', '/api/v1/user-groups', { key: token })).json.code).toBe(
        'INVALID_API_KEY',
      );
    });

    it('stops the keys of an administrator without a second factor until they set one up again', async () => {
      // The console needs a second factor of every administrator; their keys need it too, so a
      // 2FA reset (the account may be in the wrong hands) also stops the keys they made.
      const other = await signedInAdmin(app, { name: 'Kees Keys' });
      const { token } = await app.services.admin.apiKeys.create('Kees key', {
        userId: other.userId,
        meta: { ip: '127.0.0.1', userAgent: 'test' },
      });
      expect((await call('GET', '/api/v1/user-groups', { key: token })).status).toBe(200);
      // The console's confirmation says so before an administrator's reset.
      const browser = await logInAdmin(app, admin);
      const question = await browser.get(`/admin/users/${other.userId}/reset-2fa`);
      expect(textOf(question.body)).toContain('The API keys they made stop working until then.');
      // A key may not do it: with a phished password, that would be the whole console.
      const byKey = await call('POST', `/api/v1/users/${other.userId}/reset-2fa`);
      expect(byKey.status).toBe(409);
      expect(byKey.json.code).toBe('CANNOT_RESET_ADMIN');
      expect(await app.services.twoFactor.methods.list(other.userId)).toHaveLength(1);
      // The try is in the log under the administrator it was about.
      expect(
        (await events('api_key.used')).filter(
          (e) => e.target_user_id === other.userId && e.details?.includes('reset-2fa'),
        ),
      ).toHaveLength(1);
      expect(
        (await events('two_factor.reset_by_admin')).filter(
          (e) => e.target_user_id === other.userId,
        ),
      ).toEqual([]);
      const byAdmin = await app.services.admin.accounts.resetTwoFactor(
        other.userId,
        { actorUserId: admin.userId },
        { administrators: true },
      );
      expect(byAdmin.ok).toBe(true);
      expect((await call('GET', '/api/v1/user-groups', { key: token })).json.code).toBe(
        'INVALID_API_KEY',
      );
      const [refused] = await events('api_key.refused');
      expect(JSON.parse(String(refused?.details))).toMatchObject({
        key: 'Kees key',
        reason: 'creator_without_2fa',
      });
      const keys = textOf((await admin.client.get('/admin/api-keys')).body);
      expect(keys).toMatch(/Kees key .* Not working Its creator has no two-factor method/);
      // Set up again at the next log-in, and the key works again.
      const client = adminClient(app);
      expect((await logIn(client, other.email)).location).toBe('/login/2fa/setup');
      await setUpApp(app, client, '/login/2fa/setup');
      expect((await call('GET', '/api/v1/user-groups', { key: token })).status).toBe(200);
      await app.services.admin.accounts.revokeAdmin(other.userId, { actorUserId: admin.userId });
      expect(textOf((await admin.client.get('/admin/api-keys')).body)).toMatch(
        /Kees key .* Not working Its creator is no longer an administrator/,
      );
    });

    it('audits every use with the key, the route and the address, and records the last use', async () => {
      const before = (await events('api_key.used')).length;
      app.clock.advance(1000);
      await call('GET', '/api/v1/two-factor/policy', {
        headers: { 'user-agent': 'ticket-sync/2.0' },
      });
      const used = await events('api_key.used');
      expect(used).toHaveLength(before + 1);
      expect(used[0]?.actor_user_id).toBe(admin.userId);
      expect(used[0]?.actor_label).toBe('api-key:Ticket system');
      expect(used[0]?.user_agent).toBe('ticket-sync/2.0');
      expect(JSON.parse(used[0]?.details ?? '{}')).toMatchObject({
        key: 'Ticket system',
        method: 'GET',
        route: '/api/v1/two-factor/policy',
      });
      const listed = (await app.services.admin.apiKeys.list()).find(
        (k) => k.name === 'Ticket system',
      );
      expect(listed?.last_used_at).toBe(app.clock.now());
    });

    it('does not enter reads of the audit log in it, so its pages hold still while turned', async () => {
      const total = async () =>
        (await call('GET', '/api/v1/audit-events?perPage=2')).json.total as number;
      const first = await total();
      app.clock.advance(1000);
      expect(await total()).toBe(first);
      const idsOf = async (page: number) =>
        (
          (await call('GET', `/api/v1/audit-events?perPage=2&page=${page}`)).json.events as Array<{
            id: string;
          }>
        ).map((e) => e.id);
      const ids = [...(await idsOf(1)), ...(await idsOf(2))];
      expect(new Set(ids).size).toBe(4);
      // The key's last use still shows the read.
      const listed = (await app.services.admin.apiKeys.list()).find(
        (k) => k.name === 'Ticket system',
      );
      expect(listed?.last_used_at).toBe(app.clock.now());
    });
  });

  describe('users', () => {
    it('finds users by name or email, paged, and by one exact address', async () => {
      const tag = newId().slice(0, 8);
      const wanda = await plainUser(app, {
        name: `Wanda ${tag}`,
        email: `wanda.${tag}@example.com`,
      });
      await plainUser(app, { name: `Walter ${tag}` });
      const byName = await call('GET', `/api/v1/users?q=${tag}&perPage=1`);
      expect(byName.status).toBe(200);
      expect(byName.json).toMatchObject({ total: 2, page: 1, perPage: 1 });
      expect(byName.json.users).toHaveLength(1);
      const byEmail = await call(
        'GET',
        `/api/v1/users?email=${encodeURIComponent(`WANDA.${tag}@example.com`)}`,
      );
      expect(byEmail.json.total).toBe(1);
      expect(byEmail.json.users).toEqual([
        expect.objectContaining({ id: wanda.userId, name: `Wanda ${tag}`, methods: [] }),
      ]);
      // An address in another script, as the forms take it: found, in the users and the audit.
      const jurgen = await plainUser(app, {
        name: `Jürgen ${tag}`,
        email: `jürgen.${tag}@bücher.example`,
      });
      const byIdn = await call('GET', `/api/v1/users?email=${encodeURIComponent(jurgen.email)}`);
      expect(byIdn.status).toBe(200);
      expect(byIdn.json.users).toEqual([expect.objectContaining({ id: jurgen.userId })]);
      const audit = await call(
        'GET',
        `/api/v1/audit-events?user=${encodeURIComponent(jurgen.email)}`,
      );
      expect(audit.status).toBe(200);
      const notAnAddress = await call('GET', '/api/v1/users?email=no%20address');
      expect(notAnAddress.status).toBe(400);
      expect(notAnAddress.json.code).toBe('VALIDATION_FAILED');
    });

    /*
     * Anyone may type an address that is not theirs: on their own account, unverified, or in a
     * registration they never confirm. A program that looks a person up by address (and then
     * resets their 2FA) must land on the account that proved it, or on nobody.
     */
    it('finds by one exact address only the account that verified it', async () => {
      const tag = newId().slice(0, 8);
      const owner = await plainUser(app, { name: `Olga ${tag}`, email: `olga.${tag}@example.com` });
      const claimed = `claimed.${tag}@example.com`;
      const waiting = `waiting.${tag}@example.com`;
      const claimer = adminClient(app);
      const account = await registerAndVerify(app, claimer, { name: `Claire ${tag}` });
      await logIn(claimer, account.email);
      for (const email of [owner.email, claimed])
        expect((await claimer.submit('/profile/emails', { email })).status).toBe(303);
      await adminClient(app).submit('/register', {
        name: `Wes ${tag}`,
        email: waiting,
        password: PASSWORD,
      });
      await app.services.postman.drain();

      const byOwned = await call('GET', `/api/v1/users?email=${encodeURIComponent(owner.email)}`);
      expect(byOwned.json.total).toBe(1);
      expect(byOwned.json.users).toEqual([expect.objectContaining({ id: owner.userId })]);
      for (const email of [claimed, waiting]) {
        const byClaim = await call('GET', `/api/v1/users?email=${encodeURIComponent(email)}`);
        expect(byClaim.status).toBe(200);
        expect(byClaim.json, email).toMatchObject({ total: 0, users: [] });
        const audit = await call('GET', `/api/v1/audit-events?user=${encodeURIComponent(email)}`);
        expect(audit.json, email).toMatchObject({ total: 0, events: [] });
      }
      // Part of a name or an address still finds every account that holds it.
      const byText = await call('GET', `/api/v1/users?q=${encodeURIComponent(claimed)}`);
      expect(byText.json.users).toEqual([expect.objectContaining({ id: account.userId })]);
    });

    it('gets a user with their methods and never a secret', async () => {
      const client = adminClient(app);
      const { email, userId } = await registerAndVerify(app, client, { name: 'Sam Sample' });
      await logIn(client, email);
      const { secret } = await setUpApp(app, client, '/profile/2fa', 'Work phone');
      const answer = await call('GET', `/api/v1/users/${userId}`);
      expect(answer.status).toBe(200);
      expect(answer.json).toMatchObject({
        id: userId,
        name: 'Sam Sample',
        isAdmin: false,
        emails: [{ email, primary: true, verified: true }],
        recoveryCodesLeft: 10,
        methods: [expect.objectContaining({ type: 'totp', name: 'Work phone', lastUsedAt: null })],
      });
      const text = JSON.stringify(answer.json);
      expect(text).not.toContain(secret);
      expect(text).not.toMatch(/secret|hash|last_used_step/i);
      expect(answer.json).toMatchObject({ lockedUntil: null, lockedUntilReset: false });
      // An id in capitals is the same id (UUIDs are read in either case), in a path and a query.
      const shouted = await call('GET', `/api/v1/users/${userId.toUpperCase()}`);
      expect(shouted.status).toBe(200);
      expect(shouted.json).toMatchObject({ id: userId });
      const events = await call('GET', `/api/v1/audit-events?userId=${userId.toUpperCase()}`);
      expect(events.json.total).toBeGreaterThan(0);

      // Locked for a quarter of an hour, then until a reset (challenge.ts sets both so).
      const lock = (until: number) =>
        app.db
          .updateTable('users')
          .set({ second_factor_locked_until: until })
          .where('id', '=', userId)
          .execute();
      await lock(app.clock.now() + 15 * 60_000);
      expect((await call('GET', `/api/v1/users/${userId}`)).json).toMatchObject({
        lockedUntil: new Date(app.clock.now() + 15 * 60_000).toISOString(),
        lockedUntilReset: false,
      });
      await lock(LOCKED_UNTIL_RESET);
      expect((await call('GET', `/api/v1/users/${userId}`)).json).toMatchObject({
        lockedUntil: null,
        lockedUntilReset: true,
      });
      await app.db
        .updateTable('users')
        .set({ second_factor_locked_until: null })
        .where('id', '=', userId)
        .execute();
    });

    it('answers 404 with USER_NOT_FOUND and 400 with VALIDATION_FAILED', async () => {
      const missing = await call('GET', `/api/v1/users/${newId()}`);
      expect(missing.status).toBe(404);
      expect(missing.json.code).toBe('USER_NOT_FOUND');
      const badId = await call('GET', '/api/v1/users/not-an-id');
      expect(badId.status).toBe(400);
      expect(badId.json.code).toBe('VALIDATION_FAILED');
      expect(badId.json.details).toEqual([expect.objectContaining({ in: 'params', path: '/id' })]);
      for (const query of ['perPage=0', 'perPage=1000', 'page=-1', 'email=not-an-address', 'q=']) {
        const bad = await call('GET', `/api/v1/users?${query}`);
        expect(bad.status, query).toBe(400);
        expect(bad.json.code).toBe('VALIDATION_FAILED');
      }
      // Whole numbers in digits: not text JavaScript reads as a number past the range checks
      // (Infinity once reached the database as a 500), nor in another base.
      for (const route of ['/api/v1/users', '/api/v1/audit-events'])
        for (const query of [
          'page=1e309',
          'perPage=Infinity',
          'page=1e400',
          'page=0x10',
          'page=%205',
        ]) {
          const bad = await call('GET', `${route}?${query}`);
          expect(bad.status, `${route}?${query}`).toBe(400);
          expect(bad.json).toEqual({
            code: 'VALIDATION_FAILED',
            message: `querystring /${query.split('=')[0]} must be a whole number written in digits`,
            details: [
              {
                in: 'querystring',
                path: `/${query.split('=')[0]}`,
                message: 'must be a whole number written in digits',
              },
            ],
          });
        }
      expect((await call('GET', '/api/v1/users?page=2&perPage=1')).status).toBe(200);
      // A parameter the API does not know is refused, not dropped: `search` for `q` would
      // otherwise list every user.
      const unknown = await call('GET', '/api/v1/users?search=ada');
      expect(unknown.status).toBe(400);
      expect(unknown.json.code).toBe('VALIDATION_FAILED');
      expect(unknown.json.details).toEqual([
        { in: 'querystring', path: '/search', message: 'is not a parameter of this operation' },
      ]);
      expect(unknown.json.message).toBe('querystring /search is not a parameter of this operation');
      // Every operation, also one without parameters of its own, and before the operation is
      // looked at (the user need not exist): a reset is refused, not done, with a parameter or
      // a body it does not take.
      for (const [method, path] of [
        ['GET', `/api/v1/users/${newId()}?fields=email`],
        ['GET', '/api/v1/two-factor/policy?verbose=1'],
        ['GET', '/api/v1/user-groups?all=1'],
        ['POST', `/api/v1/users/${newId()}/reset-2fa?dryRun=true`],
      ] as const) {
        const refused = await call(method, path);
        expect(refused.status, path).toBe(400);
        expect(refused.json.details, path).toEqual([
          expect.objectContaining({ in: 'querystring' }),
        ]);
      }
      const withBody = await call('POST', `/api/v1/users/${newId()}/reset-2fa`, {
        body: { dryRun: true },
      });
      expect(withBody.status).toBe(400);
      expect(withBody.json.details).toEqual([
        { in: 'body', path: '/dryRun', message: 'is not a property this operation takes' },
      ]);
      expect((await call('GET', '/api/v1/nothing-here')).json.code).toBe('NOT_FOUND');
      // A base URL joined with a slash too many, or written in capitals: still JSON.
      for (const url of ['//api/v1/users', '/API/v1/users', '/api', '/Api?x=1']) {
        const missing = await call('GET', url);
        expect(missing.status, url).toBe(404);
        expect(missing.headers['content-type'], url).toMatch(/^application\/json/);
        expect(missing.json.code, url).toBe('NOT_FOUND');
      }
      // Pages whose path only begins with the letters are pages.
      const page = await app.app.inject({ method: 'GET', url: '/apiary' });
      expect(page.statusCode).toBe(404);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      // A route that is there, asked with a method it does not take: 405, and which it takes.
      for (const [method, url, allow] of [
        ['POST', '/api/v1/users', 'GET, HEAD'],
        ['GET', `/api/v1/users/${newId()}/reset-2fa`, 'POST'],
        ['POST', '/api/v1/two-factor/policy', 'GET, HEAD, PUT'],
      ] as const) {
        const wrong = await call(method, url);
        expect(wrong.status, `${method} ${url}`).toBe(405);
        expect(wrong.json.code).toBe('METHOD_NOT_ALLOWED');
        expect(wrong.headers.allow).toBe(allow);
      }
      // Without a key it is still the key that is missing.
      expect((await call('POST', '/api/v1/users', { key: null })).status).toBe(401);
      // A control character (NUL above all, which PostgreSQL refuses) is the caller's error.
      for (const q of ['%00', 'ada%01', '%7F']) {
        const bad = await call('GET', `/api/v1/users?q=${q}`);
        expect(bad.status, q).toBe(400);
        expect(bad.json.code).toBe('VALIDATION_FAILED');
        expect(bad.json.details).toEqual([
          { in: 'querystring', path: '/q', message: 'must not contain control characters' },
        ]);
      }
    });

    it('lifts a lock on a user’s second step, keeps the methods, audited with the key', async () => {
      const client = adminClient(app);
      const { email, userId } = await registerAndVerify(app, client, { name: 'Lou Locked' });
      await logIn(client, email);
      await setUpApp(app, client);
      const unlock = (id: string) => call('POST', `/api/v1/users/${id}/unlock-2fa`);
      const notLocked = await unlock(userId);
      expect(notLocked.status).toBe(409);
      expect(notLocked.json.code).toBe('NOT_LOCKED');
      const lock = (id: string) =>
        app.db
          .updateTable('users')
          .set({
            second_factor_failures: 10,
            second_factor_locked_until: app.clock.now() + 15 * 60_000,
            second_factor_locks: 1,
          })
          .where('id', '=', id)
          .execute();
      await lock(userId);
      const answer = await unlock(userId);
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ unlocked: true, userId });
      expect(await app.services.admin.directory.find(userId)).toMatchObject({
        second_factor_failures: 0,
        second_factor_locked_until: null,
        second_factor_locks: 0,
      });
      expect(await app.services.twoFactor.methods.list(userId)).toHaveLength(1);
      expect((await client.get('/profile')).status).toBe(200);
      const [event] = (await events('two_factor.unlocked_by_admin')).filter(
        (e) => e.target_user_id === userId,
      );
      expect(event?.actor_user_id).toBe(admin.userId);
      expect(event?.actor_label).toBe('api-key:Ticket system');
      expect((await unlock(newId())).json.code).toBe('USER_NOT_FOUND');
      // Never an administrator's, and never the key creator's own.
      const other = await plainUser(app, { name: 'Ada Admin-Two' });
      await app.db
        .updateTable('users')
        .set({ is_admin: 1 })
        .where('id', '=', other.userId)
        .execute();
      await lock(other.userId);
      const refused = await unlock(other.userId);
      expect(refused.status).toBe(409);
      expect(refused.json.code).toBe('CANNOT_UNLOCK_ADMIN');
      expect(await app.services.admin.directory.find(other.userId)).toMatchObject({
        second_factor_failures: 10,
        second_factor_locks: 1,
      });
      await lock(admin.userId);
      expect((await unlock(admin.userId)).json.code).toBe('CANNOT_UNLOCK_SELF');
      await app.db
        .updateTable('users')
        .set({
          second_factor_failures: 0,
          second_factor_locked_until: null,
          second_factor_locks: 0,
        })
        .where('id', '=', admin.userId)
        .execute();
    });

    it('resets a user’s 2FA: methods and sessions go, audited with the key, mailed', async () => {
      const client = adminClient(app);
      const { email, userId } = await registerAndVerify(app, client, { name: 'Rita Reset' });
      await logIn(client, email);
      await setUpApp(app, client);
      const since = app.mail.messages.length;
      const answer = await call('POST', `/api/v1/users/${userId}/reset-2fa`);
      expect(answer.status).toBe(200);
      expect(answer.json).toEqual({ reset: true, userId });
      expect(await app.services.twoFactor.methods.list(userId)).toEqual([]);
      expect((await client.get('/profile')).location).toMatch(/^\/login/);
      const [event] = (await events('two_factor.reset_by_admin')).filter(
        (e) => e.target_user_id === userId,
      );
      expect(event?.actor_user_id).toBe(admin.userId);
      expect(event?.actor_label).toBe('api-key:Ticket system');
      await app.mail.waitFor(email, /two-factor authentication was reset/, { since });
      // The key's use names the user it changed, so the log filtered by them shows it; a read
      // of them does not (it would push their own events off their page in the console).
      expect(
        (await events('api_key.used')).filter(
          (e) => e.target_user_id === userId && e.details?.includes('reset-2fa'),
        ),
      ).toHaveLength(1);
      expect((await call('GET', `/api/v1/users/${userId}`)).status).toBe(200);
      expect(
        (await events('api_key.used')).filter(
          (e) => e.target_user_id === userId && !e.details?.includes('reset-2fa'),
        ),
      ).toEqual([]);
      expect((await call('POST', `/api/v1/users/${newId()}/reset-2fa`)).json.code).toBe(
        'USER_NOT_FOUND',
      );
      // Again: nothing left to reset, so nothing is done, audited or mailed (as in the console).
      const mailsBefore = app.mail.messages.length;
      const eventsBefore = (await events('two_factor.reset_by_admin')).length;
      const again = await call('POST', `/api/v1/users/${userId}/reset-2fa`);
      expect(again.status).toBe(409);
      expect(again.json.code).toBe('NOTHING_TO_RESET');
      expect(await events('two_factor.reset_by_admin')).toHaveLength(eventsBefore);
      await app.services.postman.drain();
      expect(app.mail.messages.length).toBe(mailsBefore);
      // Many clients send the JSON content type with no body: read as no body, not refused.
      const second = await registerAndVerify(app, adminClient(app), { name: 'Rob Reset' });
      const secondClient = adminClient(app);
      await logIn(secondClient, second.email);
      await setUpApp(app, secondClient);
      const bodiless = await call('POST', `/api/v1/users/${second.userId}/reset-2fa`, {
        headers: { 'content-type': 'application/json' },
      });
      expect(bodiless.status).toBe(200);
      expect(bodiless.json).toEqual({ reset: true, userId: second.userId });
    });

    it('refuses to reset the 2FA of the key’s own creator', async () => {
      const answer = await call('POST', `/api/v1/users/${admin.userId}/reset-2fa`);
      expect(answer.status).toBe(409);
      expect(answer.json.code).toBe('CANNOT_RESET_SELF');
      expect(await app.services.twoFactor.methods.list(admin.userId)).toHaveLength(1);
    });
  });

  describe('audit events', () => {
    it('lists events newest first with the console’s filters', async () => {
      const user = await plainUser(app, { name: 'Audrey Audit' });
      const all = await call('GET', `/api/v1/audit-events?user=${encodeURIComponent(user.email)}`);
      expect(all.status).toBe(200);
      const list = all.json.events as Array<{
        event: string;
        time: string;
        target: { id: string } | null;
      }>;
      expect(list.map((e) => e.event)).toEqual(
        expect.arrayContaining(['user.registered', 'email.verified']),
      );
      const times = list.map((e) => Date.parse(e.time));
      expect([...times].sort((a, b) => b - a)).toEqual(times);
      const byId = await call(
        'GET',
        `/api/v1/audit-events?userId=${user.userId}&event=user.registered`,
      );
      expect(byId.json.total).toBe(1);
      const today = new Date(app.clock.now()).toISOString().slice(0, 10);
      const dated = await call(
        'GET',
        `/api/v1/audit-events?userId=${user.userId}&from=${today}&to=${today}`,
      );
      expect(dated.json.total).toBe(all.json.total);
      const before = await call('GET', `/api/v1/audit-events?userId=${user.userId}&to=2000-01-01`);
      expect(before.json.total).toBe(0);
      const unknown = await call('GET', '/api/v1/audit-events?user=nobody%40example.com');
      expect(unknown.json).toMatchObject({ total: 0, events: [] });
      const paged = await call('GET', '/api/v1/audit-events?perPage=2&page=2');
      expect(paged.json.events).toHaveLength(2);
    });

    it('refuses bad filters with VALIDATION_FAILED', async () => {
      for (const query of [
        'from=2026-13-01',
        'to=yesterday',
        'from=2026-05-02&to=2026-05-01',
        'event=DROP%20TABLE',
        // A type no event has, which would silently match nothing.
        'event=two_factor.lockd',
        'userId=1',
        'perPage=500',
        'actor=ada@example.com',
      ]) {
        const bad = await call('GET', `/api/v1/audit-events?${query}`);
        expect(bad.status, query).toBe(400);
        expect(bad.json.code).toBe('VALIDATION_FAILED');
      }
    });
  });

  describe('two-factor policy', () => {
    it('reads and writes the policy, audited as the key’s creator, with effect at the next log-in', async () => {
      const read = await call('GET', '/api/v1/two-factor/policy');
      expect(read.json).toEqual({
        methods: { email: true, totp: true, webauthn: true },
        require: 'nobody',
        groupIds: [],
        graceUntil: null,
      });
      const group = await app.services.admin.groups.create(`API group ${newId().slice(0, 6)}`, {
        actorUserId: admin.userId,
      });
      if (!group.ok) throw new Error('group');
      const member = await plainUser(app);
      await app.services.admin.groups.addMemberByEmail(group.value.id, member.email, {
        actorUserId: admin.userId,
      });
      const graceUntil = new Date(app.clock.now() + 86_400_000).toISOString();
      const written = await call('PUT', '/api/v1/two-factor/policy', {
        body: {
          methods: { email: false, totp: true },
          require: 'groups',
          groupIds: [group.value.id],
          graceUntil,
        },
      });
      expect(written.status).toBe(200);
      // Security keys are not named in the body: they stay as they were.
      expect(written.json).toEqual({
        methods: { email: false, totp: true, webauthn: true },
        require: 'groups',
        groupIds: [group.value.id],
        graceUntil,
      });
      expect((await call('GET', '/api/v1/two-factor/policy')).json).toEqual(written.json);
      const [event] = await events('two_factor.policy_changed');
      expect(event?.actor_user_id).toBe(admin.userId);
      expect(event?.actor_label).toBe('api-key:Ticket system');
      // The audit entry names the groups, not how many there were.
      expect(JSON.parse(event?.details ?? '{}')).toMatchObject({ groups: group.value.name });
      expect((await logIn(adminClient(app), member.email)).location).toBe('/login/2fa/setup');
      const groups = await call('GET', '/api/v1/user-groups');
      expect(groups.json.groups).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ id: group.value.id, members: 1, requiredByPolicy: true }),
        ]),
      );
      await call('PUT', '/api/v1/two-factor/policy', {
        body: {
          methods: { email: true, totp: true },
          require: 'nobody',
          groupIds: [],
          graceUntil: null,
        },
      });
    });

    it('keeps the console’s rules and validates the body', async () => {
      const before = (await call('GET', '/api/v1/two-factor/policy')).json;
      const none = await call('PUT', '/api/v1/two-factor/policy', {
        body: {
          methods: { email: false, totp: false, webauthn: false },
          require: 'nobody',
          groupIds: [],
          graceUntil: null,
        },
      });
      expect(none.status).toBe(422);
      expect(none.json.code).toBe('AT_LEAST_ONE_METHOD');
      expect(none.json.message).toBe('At least one method must stay on.');
      const nul = await call('PUT', '/api/v1/two-factor/policy', {
        body: {
          methods: { email: true, totp: true },
          require: 'groups',
          groupIds: ['\u0000'],
          graceUntil: null,
        },
      });
      expect(nul.status).toBe(400);
      expect(nul.json.details).toEqual([
        { in: 'body', path: '/groupIds/0', message: 'must not contain control characters' },
      ]);
      // A body of thousands of nested arrays (10 KB) is refused by its depth, not a crash.
      for (const depth of [33, 5000]) {
        const deep = await app.app.inject({
          method: 'PUT',
          url: '/api/v1/two-factor/policy',
          headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
          payload: `{"groupIds":${'['.repeat(depth)}${']'.repeat(depth)}}`,
        });
        expect(deep.statusCode, String(depth)).toBe(400);
        expect(deep.json()).toMatchObject({
          code: 'VALIDATION_FAILED',
          details: [{ in: 'body', message: 'must not nest more than 32 levels' }],
        });
      }
      const misspelt = await call('PUT', '/api/v1/two-factor/policy', {
        body: { ...before, requires: 'all' },
      });
      expect(misspelt.status).toBe(400);
      expect(misspelt.json.details).toEqual([
        { in: 'body', path: '/requires', message: 'is not a property this operation takes' },
      ]);
      const noGroups = await call('PUT', '/api/v1/two-factor/policy', {
        body: {
          methods: { email: true, totp: true },
          require: 'groups',
          groupIds: [],
          graceUntil: null,
        },
      });
      expect(noGroups.json.code).toBe('GROUPS_REQUIRED');
      const unknown = await call('PUT', '/api/v1/two-factor/policy', {
        body: {
          methods: { email: true, totp: true },
          require: 'groups',
          groupIds: [newId()],
          graceUntil: null,
        },
      });
      expect(unknown.json.code).toBe('UNKNOWN_GROUP');
      // A grace period that has already ended, as the console refuses it.
      for (const graceUntil of ['0000-01-01T00:00:00Z', '1970-01-01T00:00:00Z']) {
        const ended = await call('PUT', '/api/v1/two-factor/policy', {
          body: { methods: { email: true, totp: true }, require: 'all', groupIds: [], graceUntil },
        });
        expect(ended.status, graceUntil).toBe(422);
        expect(ended.json.code).toBe('GRACE_ENDED');
        expect(ended.json.details).toEqual([
          { in: 'body', path: '/graceUntil', message: 'GRACE_ENDED' },
        ]);
      }
      const group = await app.services.admin.groups.create(`Bare ${newId().slice(0, 6)}`, {
        actorUserId: admin.userId,
      });
      if (!group.ok) throw new Error('group');
      const bareGroup = group.value.id;
      for (const body of [
        {},
        {
          methods: { email: true, totp: true },
          require: 'everyone',
          groupIds: [],
          graceUntil: null,
        },
        { methods: { email: 'yes', totp: true }, require: 'all', groupIds: [], graceUntil: null },
        // Taken as sent: coerced, "false" and 0 would turn email off, and a group's id given
        // bare would be read as a list of it.
        { methods: { email: 'false', totp: true }, require: 'all', groupIds: [], graceUntil: null },
        { methods: { email: 0, totp: true }, require: 'all', groupIds: [], graceUntil: null },
        {
          methods: { email: true, totp: true },
          require: 'groups',
          groupIds: bareGroup,
          graceUntil: null,
        },
        { methods: { email: true, totp: true }, require: 'all', groupIds: ['x'], graceUntil: null },
        {
          methods: { email: true, totp: true },
          require: 'all',
          groupIds: [],
          graceUntil: 'tomorrow',
        },
        // Beyond the console's four-digit years: in UTC this is the year 10000.
        {
          methods: { email: true, totp: true },
          require: 'all',
          groupIds: [],
          graceUntil: '9999-12-31T23:59:59-01:00',
        },
      ]) {
        const bad = await call('PUT', '/api/v1/two-factor/policy', { body });
        expect(bad.status, JSON.stringify(body)).toBe(400);
        expect(bad.json.code).toBe('VALIDATION_FAILED');
        // The message names the problem as the details do: "in path message".
        const [first] = bad.json.details as Array<{ in: string; path: string; message: string }>;
        expect(bad.json.message).toBe(`${first?.in} ${first?.path} ${first?.message}`);
      }
      // A wrong choice is one problem that names the choices.
      const everyone = await call('PUT', '/api/v1/two-factor/policy', {
        body: {
          methods: { email: true, totp: true },
          require: 'everyone',
          groupIds: [],
          graceUntil: null,
        },
      });
      expect(everyone.json.details).toEqual([
        { in: 'body', path: '/require', message: 'must be one of: nobody, groups, all' },
      ]);
      const event = await call('GET', '/api/v1/audit-events?event=login');
      expect(event.json.details).toEqual([
        {
          in: 'querystring',
          path: '/event',
          message:
            'must be one of the values the OpenAPI document (/api/v1/openapi.json) lists here',
        },
      ]);
      const notJson = await app.app.inject({
        method: 'PUT',
        url: '/api/v1/two-factor/policy',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        payload: '{"methods":',
      });
      expect(notJson.statusCode).toBe(400);
      expect((JSON.parse(notJson.body) as { code: string }).code).toBe('BAD_REQUEST');
      const text = await app.app.inject({
        method: 'PUT',
        url: '/api/v1/two-factor/policy',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'text/plain' },
        payload: 'all',
      });
      expect(text.statusCode).toBe(415);
      expect((JSON.parse(text.body) as { code: string }).code).toBe('UNSUPPORTED_MEDIA_TYPE');
      expect((await call('GET', '/api/v1/two-factor/policy')).json).toEqual(before);
    });

    it('reads back a policy saved with the console’s last possible day', async () => {
      // A policy saved with the console's last possible day reads back, as the console shows it.
      const browser = await logInAdmin(app, admin);
      const lastDay = await browser.submit('/admin/2fa', {
        email: 'on',
        totp: 'on',
        require: 'all',
        grace_until: '9999-12-30',
      });
      expect(lastDay.status).toBe(303);
      expect(lastDay.location).toBe('/admin/2fa');
      const far = await call('GET', '/api/v1/two-factor/policy');
      expect(far.status).toBe(200);
      expect(far.json.graceUntil).toBe('9999-12-31T00:00:00.000Z');
      await savePolicy(app, {});
    });
  });

  describe('OpenAPI document', () => {
    it('is valid OpenAPI 3.1, public, and lists every API route with its security', async () => {
      const response = await app.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
      expect(response.statusCode).toBe(200);
      const doc = JSON.parse(response.body) as {
        openapi: string;
        paths: Record<string, Record<string, { responses: Record<string, unknown> }>>;
        security: unknown[];
      };
      expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
      const validator = new Validator();
      const result = await validator.validate(doc);
      expect(result.errors ?? []).toEqual([]);
      expect(result.valid).toBe(true);
      expect(validator.version).toBe('3.1');
      expect(doc.security).toEqual([{ apiKey: [] }]);

      // Every route the plugin registers, found by mounting it on a bare Fastify.
      const probe = Fastify();
      const registered: string[] = [];
      probe.addHook('onRoute', (route) => {
        const methods = Array.isArray(route.method) ? route.method : [route.method];
        for (const method of methods) {
          if (method === 'HEAD' || route.url === '/api/v1/openapi.json') continue;
          registered.push(`${method.toLowerCase()} ${route.url.replace(/:(\w+)/g, '{$1}')}`);
        }
      });
      await probe.register(apiPlugin, {
        prefix: '/api/v1',
        deps: { services: app.services, clock: app.clock, tools: undefined as never },
      });
      await probe.ready();
      await probe.close();
      const documented = Object.entries(doc.paths).flatMap(([path, operations]) =>
        Object.keys(operations).map((method) => `${method} ${path}`),
      );
      expect(registered.length).toBeGreaterThanOrEqual(7);
      expect(documented.sort()).toEqual([...new Set(registered)].sort());
      for (const operations of Object.values(doc.paths)) {
        for (const [method, operation] of Object.entries(operations)) {
          expect(Object.keys(operation.responses)).toEqual(
            expect.arrayContaining(['400', '401', '429']),
          );
          // A route that reads a body may refuse it as too large or not JSON.
          if (method === 'post' || method === 'put') {
            expect(Object.keys(operation.responses)).toEqual(
              expect.arrayContaining(['413', '415']),
            );
          }
        }
      }
    });
  });
});
