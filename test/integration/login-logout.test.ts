import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, PASSWORD, registerAndVerify, uniqueEmail } from '../helpers/flows.js';
import { countRows } from '../helpers/snapshot.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';

describe.each(DIALECTS)('log in and log out (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answers a wrong password and an unknown address with the same status and words', async () => {
    const { email } = await registerAndVerify(app, new Client(app.app));
    const client = new Client(app.app);
    const wrongPassword = await logIn(client, email, 'not the right password at all');
    const unknown = await logIn(client, uniqueEmail('nobody'), PASSWORD);
    expect(wrongPassword.status).toBe(401);
    expect(unknown.status).toBe(wrongPassword.status);
    const words = (body: string) => textOf(body).replace(/\S+@example\.com/g, 'EMAIL');
    expect(words(unknown.body)).toBe(words(wrongPassword.body));
    expect(textOf(unknown.body)).toContain('The email address or password is not correct.');
    expect(client.cookies.has('portico_session')).toBe(false);
  });

  it('signs in with the right password and shows the account menu', async () => {
    const { email } = await registerAndVerify(app, new Client(app.app), { name: 'Grace Hopper' });
    const client = new Client(app.app);
    const login = await logIn(client, email);
    expect(login.status).toBe(303);
    expect(login.location).toBe('/');
    const home = await client.follow();
    expect(home.body).toContain('aria-label="Account menu"');
    expect(home.body).toMatch(/<form method="post" action="\/logout">/);
    expect(textOf(home.body)).not.toContain('Register');
  });

  it('refuses the 11th try for an address in 15 minutes, and the right password clears the count', async () => {
    const { email } = await registerAndVerify(app, new Client(app.app));
    const wrongTries = async (n: number) => {
      const statuses: number[] = [];
      for (let i = 0; i < n; i++) {
        statuses.push((await logIn(new Client(app.app), email, 'not the right password')).status);
      }
      return statuses;
    };
    expect(await wrongTries(9)).toEqual(Array<number>(9).fill(401));
    expect((await logIn(new Client(app.app), email)).status).toBe(303);
    // Counted afresh after the success: without the clearing, the first of these is the 11th.
    expect(await wrongTries(9)).toEqual(Array<number>(9).fill(401));
    expect((await logIn(new Client(app.app), email)).status).toBe(303);
    expect(await wrongTries(10)).toEqual(Array<number>(10).fill(401));
    const refused = await logIn(new Client(app.app), email);
    expect(refused.status).toBe(429);
    expect(textOf(refused.body)).toContain('Too many attempts. Wait a few minutes and try again.');
    // The moment the limit was reached is in the audit log, once however many follow.
    expect((await logIn(new Client(app.app), email)).status).toBe(429);
    const reached = await app.db
      .selectFrom('audit_events')
      .innerJoin('email_addresses', 'email_addresses.user_id', 'audit_events.target_user_id')
      .select(['audit_events.details', 'audit_events.ip'])
      .where('audit_events.event', '=', 'sign_in.rate_limited')
      .where('email_addresses.email', '=', email)
      .execute();
    expect(reached).toHaveLength(1);
    expect(JSON.parse(reached[0]?.details ?? '{}')).toEqual({ limit: 'address' });
    app.clock.advance(16 * 60_000);
    expect((await logIn(new Client(app.app), email)).status).toBe(303);
  });

  it('audits an unknown address and a network reaching their limits, once a window each', async () => {
    /** The entries naming this address or network (rows have no order within a millisecond). */
    const entriesFor = async (name: string) =>
      (
        await app.db
          .selectFrom('audit_events')
          .select(['details', 'target_user_id'])
          .where('event', '=', 'sign_in.rate_limited')
          .execute()
      )
        .map((e) => ({ ...e, details: JSON.parse(e.details ?? '{}') as Record<string, string> }))
        .filter((e) => e.details.address === name || e.details.network === name);
    const fromOwnNetwork = (ip: string) => {
      const client = new Client(app.app);
      client.ip = ip;
      return client;
    };
    const nobody = uniqueEmail('nobody');
    for (let i = 0; i < 12; i++) await logIn(fromOwnNetwork('198.51.100.6'), nobody, 'wrong');
    expect(await entriesFor(nobody)).toEqual([
      { target_user_id: null, details: { limit: 'address', address: nobody } },
    ]);
    expect(await entriesFor('198.51.100.6')).toEqual([]);

    // 100 tries from one network in the window, then refusals: one entry.
    app.clock.advance(16 * 60_000);
    const statuses: number[] = [];
    for (let i = 0; i < 102; i++) {
      const client = fromOwnNetwork('198.51.100.7');
      statuses.push((await logIn(client, uniqueEmail(`net${i}`), 'wrong')).status);
    }
    expect(statuses.slice(100)).toEqual([429, 429]);
    expect(await entriesFor('198.51.100.7')).toEqual([
      { target_user_id: null, details: { limit: 'network', network: '198.51.100.7' } },
    ]);

    // One try that goes over both limits at once: an entry for each.
    app.clock.advance(16 * 60_000);
    const target = uniqueEmail('both');
    const from = '198.51.100.8';
    for (let i = 0; i < 10; i++) await logIn(fromOwnNetwork(from), target, 'wrong');
    for (let i = 0; i < 90; i++) await logIn(fromOwnNetwork(from), uniqueEmail(`o${i}`), 'wrong');
    expect(await entriesFor(target)).toEqual([]);
    expect((await logIn(fromOwnNetwork(from), target, 'wrong')).status).toBe(429);
    expect(await entriesFor(target)).toEqual([
      { target_user_id: null, details: { limit: 'address', address: target } },
    ]);
    expect(await entriesFor(from)).toEqual([
      { target_user_id: null, details: { limit: 'network', network: from } },
    ]);
  });

  it('keeps a browser that logged in before out of a stranger’s exhausted count, and only that one', async () => {
    const { email } = await registerAndVerify(app, new Client(app.app));
    const other = await registerAndVerify(app, new Client(app.app));
    // The owner's browser gives the right password once and is remembered for this address.
    const owner = new Client(app.app);
    expect((await logIn(owner, email)).status).toBe(303);
    const known = owner.cookies.get('portico_known') ?? '';
    expect(known).toMatch(/^[\w-]+\.[\w-]+$/);
    await owner.post('/logout');

    // A stranger spends the address's ten tries from elsewhere.
    const stranger = () => {
      const client = new Client(app.app);
      client.ip = '203.0.113.9';
      return client;
    };
    for (let i = 0; i < 10; i++) {
      expect((await logIn(stranger(), email, 'a guess that is wrong')).status).toBe(401);
    }
    expect((await logIn(stranger(), email)).status).toBe(429);

    // The owner's browser is counted on its own: the right password still lets them in.
    expect((await logIn(owner, email)).status).toBe(303);
    await owner.post('/logout');
    // A cookie made up, or one made for another address, counts with everyone else.
    const forged = stranger();
    forged.cookies.set('portico_known', `${known.split('.')[0] ?? ''}.${'A'.repeat(43)}`);
    expect((await logIn(forged, email)).status).toBe(429);
    const moved = stranger();
    moved.cookies.set('portico_known', known);
    for (let i = 0; i < 10; i++) {
      expect((await logIn(moved, other.email, 'a guess that is wrong')).status).toBe(401);
    }
    expect((await logIn(moved, other.email)).status).toBe(429);
    // Those were the address's shared tries: a stranger without the cookie is refused too.
    expect((await logIn(stranger(), other.email)).status).toBe(429);

    // The known browser's own wrong tries are limited like anyone's.
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await logIn(owner, email, 'wrong again')).status);
    expect(statuses).toEqual([...Array<number>(10).fill(401), 429]);
    app.clock.advance(16 * 60_000);
  });

  it('logs out with a POST that ends the session on the server', async () => {
    const { email } = await registerAndVerify(app, new Client(app.app));
    const client = new Client(app.app);
    await logIn(client, email);
    const cookie = client.cookies.get('portico_session');
    expect(cookie).toBeTruthy();
    expect((await client.get('/profile')).status).toBe(200);

    const sessionsBefore = await countRows(app.db, 'sessions');
    const out = await client.post('/logout');
    expect(out.status).toBe(303);
    expect(client.cookies.has('portico_session')).toBe(false);
    expect(textOf((await client.follow()).body)).toContain('You have been logged out.');
    expect(await countRows(app.db, 'sessions')).toBe(sessionsBefore - 1);

    // Someone who kept a copy of the cookie gets nothing with it.
    const replay = new Client(app.app);
    replay.cookies.set('portico_session', cookie ?? '');
    const profile = await replay.get('/profile');
    expect(profile.status).toBe(303);
    expect(profile.location).toBe('/login?next=%2Fprofile');
  });

  it('does not treat GET /logout as a state change', async () => {
    const { email } = await registerAndVerify(app, new Client(app.app));
    const client = new Client(app.app);
    await logIn(client, email);
    const get = await client.get('/logout');
    expect(get.status).toBe(405);
    expect(get.headers.allow).toBe('POST');
    expect(client.cookies.has('portico_session')).toBe(true);
    expect((await client.get('/profile')).status).toBe(200);
  });

  it('ends the previous session when someone else logs in on the same browser', async () => {
    const first = await registerAndVerify(app, new Client(app.app));
    const second = await registerAndVerify(app, new Client(app.app));
    const client = new Client(app.app);
    await logIn(client, first.email);
    const firstCookie = client.cookies.get('portico_session') ?? '';
    // The signed-in person opens the login page (a signed-in GET /login redirects, so post).
    await client.post('/login', { email: second.email, password: PASSWORD });
    expect(client.cookies.get('portico_session')).not.toBe(firstCookie);
    const stale = new Client(app.app);
    stale.cookies.set('portico_session', firstCookie);
    expect((await stale.get('/profile')).status).toBe(303);
  });
});
