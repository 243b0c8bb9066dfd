/*
 * Where you are signed in (Your account). A person sees every browser signed in to their
 * account and can sign any other one out, or all of them at once, without waiting for the
 * session to expire or changing their password. A form names a session by a handle that opens
 * nothing; a handle of someone else's session, of this browser's own, or of one already gone
 * ends nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client, textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, registerAndVerify } from '../helpers/flows.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import { auditCount } from '../helpers/two-factor.js';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0';
const CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
const SAFARI =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15';

describe.each(DIALECTS)('where you are signed in (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  function browser(userAgent: string, ip: string): Client {
    const client = new Client(app.app);
    client.userAgent = userAgent;
    client.ip = ip;
    return client;
  }

  /** A person signed in on Firefox, Chrome and Safari, each from its own address. */
  async function personOnThreeBrowsers() {
    const firefox = browser(FIREFOX, '198.51.100.7');
    const { email, userId } = await registerAndVerify(app, firefox);
    await logIn(firefox, email);
    app.clock.advance(2 * 60_000);
    const chrome = browser(CHROME, '203.0.113.20');
    await logIn(chrome, email);
    app.clock.advance(2 * 60_000);
    const safari = browser(SAFARI, '192.0.2.33');
    await logIn(safari, email);
    return { email, userId, firefox, chrome, safari };
  }

  /** The sign-out form of each other browser on Your account, by the browser's name. */
  function signOutForms(body: string): Map<string, string> {
    const forms = new Map<string, string>();
    for (const match of body.matchAll(
      /action="(\/profile\/sessions\/[A-Za-z0-9_-]{43}\/sign-out)"[\s\S]*?aria-label="Sign out ([^"]+)"/g,
    )) {
      forms.set(match[2] ?? '', match[1] ?? '');
    }
    return forms;
  }

  /** A session row past its absolute limit, last active at `lastSeenAt`. */
  async function expiredSession(userId: string, lastSeenAt: number, ip: string) {
    const now = app.clock.now();
    await app.db
      .insertInto('sessions')
      .values({
        id_hash: `expired-${ip}-${now}`,
        user_id: userId,
        created_at: now - 13 * 60 * 60_000,
        last_seen_at: lastSeenAt,
        expires_at: now - 60_000,
        authenticated_at: now - 13 * 60 * 60_000,
        ip,
        user_agent: FIREFOX,
        second_factor: 0,
      })
      .execute();
  }

  async function signedIn(client: Client): Promise<boolean> {
    const page = await client.get('/profile');
    return page.status === 200;
  }

  it('lists every browser signed in, this one first, with when and where', async () => {
    const { firefox } = await personOnThreeBrowsers();
    const page = await firefox.get('/profile');
    expect(page.status).toBe(200);
    const text = textOf(page.body);
    expect(text).toContain('Where you are signed in');
    const firefoxAt = text.indexOf('Firefox on Linux');
    const safariAt = text.indexOf('Safari on macOS');
    const chromeAt = text.indexOf('Chrome on Windows');
    expect(firefoxAt).toBeGreaterThan(-1);
    // This browser first, then the most recently active.
    expect(firefoxAt).toBeLessThan(safariAt);
    expect(safariAt).toBeLessThan(chromeAt);
    expect(text).toContain('this browser');
    for (const ip of ['198.51.100.7', '203.0.113.20', '192.0.2.33']) expect(text).toContain(ip);
    // Others can be signed out; this one is signed out with "Log out".
    expect([...signOutForms(page.body).keys()].sort()).toEqual([
      'Chrome on Windows',
      'Safari on macOS',
    ]);
    expect(page.body).toContain('Sign out everywhere else');
    // The session's id and its stored hash are not in the page.
    const stored = await app.db.selectFrom('sessions').select('id_hash').execute();
    for (const { id_hash } of stored) expect(page.body).not.toContain(id_hash);
  });

  it('signs out another browser, which then has to log in again', async () => {
    const { userId, firefox, chrome, safari } = await personOnThreeBrowsers();
    const page = await firefox.get('/profile');
    const action = signOutForms(page.body).get('Chrome on Windows') ?? '';
    const done = await firefox.post(action);
    expect(done.status).toBe(303);
    expect(done.location).toBe('/profile');
    const after = await firefox.follow();
    expect(textOf(after.body)).toContain('That browser has been signed out.');
    expect(textOf(after.body)).not.toContain('Chrome on Windows');

    expect(await signedIn(chrome)).toBe(false);
    expect(await signedIn(firefox)).toBe(true);
    expect(await signedIn(safari)).toBe(true);
    expect(await auditCount(app, 'session.ended', userId)).toBe(1);

    // The same form again: already gone, nothing else ends.
    const again = await firefox.post(action);
    expect(again.status).toBe(303);
    expect(textOf((await firefox.follow()).body)).toContain('That browser was already signed out.');
    expect(await signedIn(safari)).toBe(true);
    expect(await auditCount(app, 'session.ended', userId)).toBe(1);
  });

  it("ends nothing with a handle of someone else's session or of this browser's own", async () => {
    const victim = await personOnThreeBrowsers();
    const victimForms = signOutForms((await victim.firefox.get('/profile')).body);
    const attacker = await personOnThreeBrowsers();

    // The victim's Chrome, through the attacker's session.
    const foreign = await attacker.firefox.post(victimForms.get('Chrome on Windows') ?? '');
    expect(foreign.status).toBe(303);
    expect(textOf((await attacker.firefox.follow()).body)).toContain(
      'That browser was already signed out.',
    );
    expect(await signedIn(victim.chrome)).toBe(true);

    // This browser's own handle, read from another browser's page: "Log out" is for that.
    const fromChrome = signOutForms((await attacker.chrome.get('/profile')).body);
    const own = await attacker.firefox.post(fromChrome.get('Firefox on Linux') ?? '');
    expect(own.status).toBe(303);
    expect(textOf((await attacker.firefox.follow()).body)).toContain(
      'That is this browser: to sign it out, use Log out in the account menu.',
    );
    expect(await signedIn(attacker.firefox)).toBe(true);

    // Not a handle at all.
    const junk = await attacker.firefox.post('/profile/sessions/..%2F..%2Fadmin/sign-out');
    expect(junk.status).toBe(303);
    expect(await signedIn(attacker.firefox)).toBe(true);
    expect(await auditCount(app, 'session.ended', attacker.userId)).toBe(0);
    expect(await auditCount(app, 'session.ended', victim.userId)).toBe(0);
  });

  it('signs out everywhere else and keeps this browser signed in', async () => {
    const { userId, firefox, chrome, safari } = await personOnThreeBrowsers();
    // A session that expired long ago: gone with the others, but not counted as signed out.
    const now = app.clock.now();
    await expiredSession(userId, now - 20 * 60 * 60_000, '192.0.2.99');
    const done = await firefox.post('/profile/sessions/sign-out-others');
    expect(done.status).toBe(303);
    const after = await firefox.follow();
    expect(textOf(after.body)).toContain('You have been signed out of 2 other browsers.');
    expect(after.body).not.toContain('Sign out everywhere else');
    expect(await signedIn(chrome)).toBe(false);
    expect(await signedIn(safari)).toBe(false);
    expect(await signedIn(firefox)).toBe(true);
    expect(await auditCount(app, 'session.others_ended', userId)).toBe(1);
    const left = await app.db
      .selectFrom('sessions')
      .select('id_hash')
      .where('user_id', '=', userId)
      .execute();
    expect(left).toHaveLength(1);

    // Nothing left to sign out: nothing to record either.
    const again = await firefox.post('/profile/sessions/sign-out-others');
    expect(again.status).toBe(303);
    expect(textOf((await firefox.follow()).body)).toContain(
      'You have been signed out of 0 other browsers.',
    );
    expect(await auditCount(app, 'session.others_ended', userId)).toBe(1);
  });

  it('lists no session that has expired or idled out', async () => {
    const { userId, firefox, chrome } = await personOnThreeBrowsers();
    // Past its 12 hours, though active a moment ago: only its expiry keeps it off the list.
    await expiredSession(userId, app.clock.now(), '192.0.2.150');
    expect(textOf((await firefox.get('/profile')).body)).not.toContain('192.0.2.150');
    // Chrome keeps being used; Safari, signed in last and not used since, idles past 30 minutes.
    app.clock.advance(20 * 60_000);
    await firefox.get('/profile');
    await chrome.get('/profile');
    app.clock.advance(15 * 60_000);
    const text = textOf((await firefox.get('/profile')).body);
    expect(text).toContain('Chrome on Windows');
    expect(text).not.toContain('Safari on macOS');
  });

  it('writes an IPv4 client of a dual-stack server as its IPv4 address, in the list and the log', async () => {
    // A server listening on `::` sees an IPv4 client as `::ffff:198.51.100.61`.
    const dualStack = browser(FIREFOX, '::ffff:198.51.100.61');
    const { email, userId } = await registerAndVerify(app, dualStack);
    await logIn(dualStack, email);
    const text = textOf((await dualStack.get('/profile')).body);
    expect(text).toContain('198.51.100.61');
    expect(text).not.toContain('::ffff:');
    const logged = await app.db
      .selectFrom('audit_events')
      .select('ip')
      .where('target_user_id', '=', userId)
      .execute();
    expect(logged.length).toBeGreaterThan(0);
    for (const { ip } of logged) expect(ip).toBe('198.51.100.61');
  });

  it('needs a session', async () => {
    const anonymous = new Client(app.app);
    await anonymous.get('/login');
    const refused = await anonymous.post('/profile/sessions/sign-out-others');
    expect(refused.status).toBe(303);
    expect(refused.location).toMatch(/^\/login/);
  });
});
