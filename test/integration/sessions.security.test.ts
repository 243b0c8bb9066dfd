/**
 * Session cookies are the keys to signed-in accounts. A guessable id, a database leak that
 * yields usable ids, an id fixed by an attacker before login, a cookie readable by scripts
 * or sent cross-site, or a session that never ends would each let someone else act as the
 * user. These tests pin the properties of SPEC §4 "sessions": 256-bit random ids stored only
 * as SHA-256 hashes, a new id at sign-in, HttpOnly + SameSite=Lax (+ Secure and the __Host-
 * prefix behind HTTPS), idle and absolute timeouts, and sessions ended by credential changes.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HOUR_MS, MINUTE_MS } from '../../src/clock.js';
import { findUserById } from '../../src/accounts/users.js';
import { findActiveSession, revokeAllSessions } from '../../src/accounts/sessions.js';
import { Client, textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, PASSWORD, registerAndVerify } from '../helpers/flows.js';
import { linkIn, pathOf } from '../helpers/mail-capture.js';
import { setCookieLine } from '../helpers/snapshot.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';

const NEW_PASSWORD = 'a different long passphrase';

function sha256(value: string): string {
  return createHash('sha256').update(value).digest('base64url');
}

async function isSignedIn(client: Client): Promise<boolean> {
  const page = await client.get('/profile');
  if (page.status === 200) return true;
  expect(page.status).toBe(303);
  expect(page.location).toMatch(/^\/login/);
  return false;
}

describe.each(DIALECTS)('sessions (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  async function signedInClient() {
    const account = await registerAndVerify(app, new Client(app.app));
    const client = new Client(app.app);
    const login = await logIn(client, account.email);
    expect(login.status).toBe(303);
    return { ...account, client, login };
  }

  it('uses a 256-bit random id and stores only its SHA-256 hash', async () => {
    const a = await signedInClient();
    const b = await signedInClient();
    const cookieA = a.client.cookies.get('portico_session') ?? '';
    const cookieB = b.client.cookies.get('portico_session') ?? '';
    expect(Buffer.from(cookieA, 'base64url')).toHaveLength(32);
    expect(cookieA).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(cookieB).not.toBe(cookieA);

    const rows = await app.db.selectFrom('sessions').selectAll().execute();
    const stored = JSON.stringify(rows);
    expect(stored).not.toContain(cookieA);
    expect(stored).not.toContain(cookieB);
    const row = rows.find((r) => r.id_hash === sha256(cookieA));
    expect(row?.user_id).toBe(a.userId);
  });

  it('gives a new id at login: a cookie planted before login is never the one after', async () => {
    const { email } = await registerAndVerify(app, new Client(app.app));
    const client = new Client(app.app);
    const planted = 'A'.repeat(43);
    client.cookies.set('portico_session', planted);
    await client.get('/login');
    const csrfBefore = client.cookies.get('portico_csrf');
    await client.post('/login', { email, password: PASSWORD });
    const after = client.cookies.get('portico_session');
    expect(after).toBeTruthy();
    expect(after).not.toBe(planted);
    expect(
      await app.db
        .selectFrom('sessions')
        .where('id_hash', '=', sha256(planted))
        .selectAll()
        .execute(),
    ).toEqual([]);
    // The CSRF secret changes with who is signed in, too (login CSRF).
    expect(client.cookies.get('portico_csrf')).not.toBe(csrfBefore);

    // Logging in again, already signed in, replaces the id once more.
    await client.post('/login', { email, password: PASSWORD });
    expect(client.cookies.get('portico_session')).not.toBe(after);
    const old = new Client(app.app);
    old.cookies.set('portico_session', after ?? '');
    expect(await isSignedIn(old)).toBe(false);
  });

  it('sets the session cookie HttpOnly, SameSite=Lax, Path=/, without Secure on plain http', async () => {
    const { login } = await signedInClient();
    const line = setCookieLine(login, 'portico_session') ?? '';
    expect(line).toMatch(/;\s*HttpOnly/i);
    expect(line).toMatch(/;\s*SameSite=Lax/i);
    expect(line).toMatch(/;\s*Path=\/(;|$)/);
    expect(line).not.toMatch(/;\s*Domain=/i);
    expect(line).not.toMatch(/;\s*Secure/i);
    // The browser may keep it no longer than the session can live (12 hours).
    expect(line).toMatch(/;\s*Max-Age=43200(;|$)/);
  });

  it('ends a session after 30 idle minutes, and keeps a session in use alive', async () => {
    const idle = await signedInClient();
    const busy = await signedInClient();
    app.clock.advance(20 * MINUTE_MS);
    expect(await isSignedIn(busy.client)).toBe(true);
    app.clock.advance(11 * MINUTE_MS);
    expect(await isSignedIn(busy.client)).toBe(true);
    expect(await isSignedIn(idle.client)).toBe(false);
    expect(idle.client.cookies.has('portico_session')).toBe(false);
    expect(
      await app.db
        .selectFrom('sessions')
        .select('id_hash')
        .where('user_id', '=', idle.userId)
        .execute(),
    ).toEqual([]);
    // Thirty minutes to the second: a second short of them is not idle, thirty are.
    const edge = await signedInClient();
    app.clock.advance(30 * MINUTE_MS - 1000);
    expect(await isSignedIn(edge.client)).toBe(true);
    app.clock.advance(30 * MINUTE_MS);
    expect(await isSignedIn(edge.client)).toBe(false);
  });

  /*
   * A session that ended unasked (idle, a password changed elsewhere, a new 2FA requirement)
   * used to leave its owner on the log-in page with no word of why.
   */
  it('says on the next page that the session has ended, once', async () => {
    const ENDED = 'Your session has ended. Log in again to continue.';
    const statusOf = (body: string) =>
      textOf(
        /<div class="notice notice-status" role="status" data-announce>[\s\S]*?<\/div>/.exec(
          body,
        )?.[0] ?? '',
      );
    const { client, email } = await signedInClient();
    app.clock.advance(31 * MINUTE_MS);
    const refused = await client.get('/profile/2fa');
    expect(refused.location).toBe('/login?next=%2Fprofile%2F2fa');
    expect(statusOf((await client.follow(refused)).body)).toBe(ENDED);
    expect(statusOf((await client.get('/login')).body)).toBe('');
    await logIn(client, email);
    expect(statusOf((await client.get('/')).body)).toBe('');

    // A public page opened with the ended session says it there.
    app.clock.advance(31 * MINUTE_MS);
    expect(statusOf((await client.get('/kb')).body)).toBe(ENDED);
    expect(statusOf((await client.get('/kb')).body)).toBe('');
    // Never to someone who was not signed in.
    const stranger = new Client(app.app);
    expect(statusOf((await stranger.follow(await stranger.get('/profile/2fa'))).body)).toBe('');
  });

  it('leads a form sent after the session ended back to the page it was on, not to where it was sent', async () => {
    const { client, email } = await signedInClient();
    await client.get('/profile/emails');
    app.clock.advance(31 * MINUTE_MS);
    const onPage = { referer: 'http://localhost:3000/profile/emails?tab=1' };
    const refused = await client.post('/profile/emails', { email: 'new@example.com' }, onPage);
    expect(refused.status).toBe(303);
    expect(refused.location).toBe('/login?next=%2Fprofile%2Femails%3Ftab%3D1');
    // Without a Referer, or with one this site would not lead to: the home page.
    for (const headers of [{}, { referer: 'http://localhost:3000//evil.example/' }] as Array<
      Record<string, string>
    >) {
      const again = await client.post('/profile/emails', { email: 'new@example.com' }, headers);
      expect(again.location).toBe('/login?next=%2F');
    }
    await logIn(client, email);
    expect((await client.get('/profile/emails?tab=1')).status).toBe(200);
  });

  it('ends a session 12 hours after sign-in however active it is', async () => {
    const { client } = await signedInClient();
    for (let elapsed = 0; elapsed < 11 * 60; elapsed += 20) {
      app.clock.advance(20 * MINUTE_MS);
      expect(await isSignedIn(client)).toBe(true);
    }
    app.clock.advance(HOUR_MS);
    expect(await isSignedIn(client)).toBe(false);
  });

  it('ends every other session when the password is changed, keeping the current one', async () => {
    const { email, client } = await signedInClient();
    const other = new Client(app.app);
    await logIn(other, email);
    expect(await isSignedIn(other)).toBe(true);

    await client.get('/profile/password');
    const changed = await client.post('/profile/password', {
      current_password: PASSWORD,
      new_password: NEW_PASSWORD,
      confirm_password: NEW_PASSWORD,
    });
    expect(changed.status).toBe(303);
    expect(await isSignedIn(client)).toBe(true);
    expect(await isSignedIn(other)).toBe(false);
  });

  it('never renews a session that was ended while its request was under way', async () => {
    // A password change or an identity check that passed its session check just before
    // "sign out everywhere" (another tab, another process, an administrator) ran.
    const { userId, email, client } = await signedInClient();
    const stale = await app.db
      .selectFrom('sessions')
      .selectAll()
      .where('user_id', '=', userId)
      .executeTakeFirstOrThrow();
    const user = await findUserById(app.db, userId);
    if (!user) throw new Error('no user');
    await revokeAllSessions(app.db, userId);
    const meta = { ip: '127.0.0.1', userAgent: 'test' };

    const { credentials, signIn } = app.services.accounts;
    const change = await credentials.changePassword(user, stale, PASSWORD, NEW_PASSWORD, meta);
    expect(change).toEqual({ ok: false, error: 'REAUTHENTICATION_REQUIRED' });
    expect((await signIn.beginStepUp({ user, session: stale }, meta)).outcome).toBe('ended');
    expect(
      await app.db.selectFrom('sessions').select('id_hash').where('user_id', '=', userId).execute(),
    ).toEqual([]);
    expect(await isSignedIn(client)).toBe(false);
    // Nothing was changed: the password is the old one.
    const again = new Client(app.app);
    expect((await logIn(again, email)).status).toBe(303);
  });

  it('ends every session when the password is reset through a link', async () => {
    const { email, client } = await signedInClient();
    const other = new Client(app.app);
    await logIn(other, email);
    const anonymous = new Client(app.app);
    const since = app.mail.messages.length;
    await anonymous.submit('/password/forgot', { email });
    const mail = await app.mail.waitFor(email, /Reset your password/, { since });
    await anonymous.get(pathOf(linkIn(mail, '/password/reset')));
    const reset = await anonymous.post('/password/reset', {
      token: new URL(linkIn(mail, '/password/reset')).searchParams.get('token') ?? '',
      new_password: NEW_PASSWORD,
      confirm_password: NEW_PASSWORD,
    });
    expect(reset.status).toBe(303);
    expect(await isSignedIn(client)).toBe(false);
    expect(await isSignedIn(other)).toBe(false);
  });
});

describe.each(DIALECTS)('session settings (%s)', (dialect) => {
  it('honours PORTICO_SESSION_IDLE_MINUTES and PORTICO_SESSION_MAX_HOURS', async () => {
    const app = await createTestApp({
      dialect,
      env: { PORTICO_SESSION_IDLE_MINUTES: '5', PORTICO_SESSION_MAX_HOURS: '1' },
    });
    try {
      const { email } = await registerAndVerify(app, new Client(app.app));
      const idle = new Client(app.app);
      const busy = new Client(app.app);
      const login = await logIn(idle, email);
      expect(setCookieLine(login, 'portico_session')).toMatch(/Max-Age=3600(;|$)/);
      await logIn(busy, email);
      app.clock.advance(4 * MINUTE_MS);
      expect(await isSignedIn(idle)).toBe(true);
      expect(await isSignedIn(busy)).toBe(true);
      app.clock.advance(3 * MINUTE_MS);
      expect(await isSignedIn(busy)).toBe(true);
      app.clock.advance(3 * MINUTE_MS);
      // 6 minutes since the idle one was last used, 3 since the busy one.
      expect(await isSignedIn(idle)).toBe(false);
      expect(await isSignedIn(busy)).toBe(true);
      for (let elapsed = 10; elapsed < 58; elapsed += 4) {
        app.clock.advance(4 * MINUTE_MS);
        expect(await isSignedIn(busy)).toBe(true);
      }
      app.clock.advance(4 * MINUTE_MS);
      expect(await isSignedIn(busy)).toBe(false);
    } finally {
      await app.close();
    }
  });

  /*
   * The absolute lifetime is the setting's, not the one at log-in: an operator who lowers
   * PORTICO_SESSION_MAX_HOURS (after an incident, say) and restarts ends the sessions already
   * older than it. The lifetime was fixed on each session when it began.
   */
  it('ends a session older than a lowered PORTICO_SESSION_MAX_HOURS', async () => {
    const app = await createTestApp({ dialect });
    try {
      const { email } = await registerAndVerify(app, new Client(app.app));
      const client = new Client(app.app);
      await logIn(client, email);
      const token = client.cookies.get('portico_session') ?? '';
      for (let elapsed = 0; elapsed < 120; elapsed += 20) {
        app.clock.advance(20 * MINUTE_MS);
        expect(await isSignedIn(client)).toBe(true);
      }
      // As a process started with PORTICO_SESSION_MAX_HOURS=1 reads it: two hours old.
      const lowered = { idleMs: 30 * MINUTE_MS, maxMs: HOUR_MS };
      expect(await findActiveSession(app.db, token, lowered, app.clock.now())).toBeUndefined();
      expect(await isSignedIn(client)).toBe(false);
    } finally {
      await app.close();
    }
  });

  it('lists no session older than PORTICO_SESSION_MAX_HOURS, made when it was higher', async () => {
    const app = await createTestApp({ dialect, env: { PORTICO_SESSION_MAX_HOURS: '1' } });
    try {
      const { email, userId } = await registerAndVerify(app, new Client(app.app));
      const here = new Client(app.app);
      const old = new Client(app.app);
      await logIn(here, email);
      await logIn(old, email);
      // The other browser's session began two hours ago, under a twelve-hour maximum.
      const now = app.clock.now();
      await app.db
        .updateTable('sessions')
        .set({ created_at: now - 2 * HOUR_MS, expires_at: now + 10 * HOUR_MS })
        .where('id_hash', '=', sha256(old.cookies.get('portico_session') ?? ''))
        .execute();
      const page = await here.get('/profile');
      // Only this browser is listed: no other to sign out.
      expect(page.body).not.toContain('/profile/sessions/sign-out-others');
      expect(await app.services.admin.directory.sessionsOf(userId)).toHaveLength(1);
      expect(await isSignedIn(old)).toBe(false);
    } finally {
      await app.close();
    }
  });

  it('keeps a session in use alive at the shortest idle time, one minute', async () => {
    // Page views are written at most once a minute: one idle minute ended every session a
    // minute after log-in, however busy, when a view within that minute went unwritten.
    const app = await createTestApp({ dialect, env: { PORTICO_SESSION_IDLE_MINUTES: '1' } });
    try {
      const { email } = await registerAndVerify(app, new Client(app.app));
      const busy = new Client(app.app);
      await logIn(busy, email);
      for (let seconds = 15; seconds <= 180; seconds += 15) {
        app.clock.advance(15_000);
        expect(await isSignedIn(busy), `${seconds} s`).toBe(true);
      }
      app.clock.advance(61_000);
      expect(await isSignedIn(busy)).toBe(false);
    } finally {
      await app.close();
    }
  });

  it('marks cookies Secure with the __Host- prefix when PUBLIC_URL is https', async () => {
    const app = await createTestApp({ dialect, publicUrl: 'https://help.example.com' });
    try {
      const { email } = await registerAndVerify(app, new Client(app.app));
      const client = new Client(app.app);
      const login = await logIn(client, email);
      expect(login.status).toBe(303);
      const line = setCookieLine(login, '__Host-portico_session') ?? '';
      expect(line).toMatch(/;\s*Secure/i);
      expect(line).toMatch(/;\s*HttpOnly/i);
      expect(line).toMatch(/;\s*SameSite=Lax/i);
      expect(line).toMatch(/;\s*Path=\/(;|$)/);
      expect(line).not.toMatch(/;\s*Domain=/i);
      expect(client.cookies.has('portico_session')).toBe(false);
      const csrf = setCookieLine(login, '__Host-portico_csrf') ?? '';
      expect(csrf).toMatch(/;\s*Secure/i);
      expect((await client.get('/profile')).status).toBe(200);
    } finally {
      await app.close();
    }
  });
});
