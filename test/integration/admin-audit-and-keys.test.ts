/**
 * The audit log and API keys in the admin console (SPEC §2.7), on both stores: the log is
 * filtered by user, event type and dates, newest first, paged, exported as CSV that a
 * spreadsheet cannot be tricked into running, and has no way to change an event; an API key
 * is shown once, kept only as a hash, made only after a recent sign-in, and revocable.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAuditQuery } from '../../src/audit/audit-query.js';
import { formatDate, formatEndTime } from '../../src/i18n/index.js';
import { hashToken } from '../../src/security/tokens.js';
import type { SignedInAdmin } from '../helpers/admin.js';
import { adminClient, plainUser, signedInAdmin } from '../helpers/admin.js';
import { logIn, PASSWORD, registerAndVerify, uniqueEmail } from '../helpers/flows.js';
import { textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import { snapshotDatabase } from '../helpers/snapshot.js';
import { savePolicy } from '../helpers/two-factor.js';

describe.each(DIALECTS)('audit log and API keys in the console (%s)', (dialect) => {
  let app: TestApp;
  let admin: SignedInAdmin;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
    admin = await signedInAdmin(app);
  });
  afterAll(async () => {
    await app?.close();
  });

  describe('audit log', () => {
    /** The newest row of an event type on the audit page in a language, as HTML. */
    async function newestRowHtml(event: string, lang: 'en' | 'nl'): Promise<string> {
      const url = `/admin/audit?event=${event}`;
      await admin.client.post('/language', { lang, return_to: url });
      const body = (await admin.client.get(url)).body;
      return /<tbody>\s*<tr>([\s\S]*?)<\/tr>/.exec(body)?.[1] ?? '';
    }

    /** That row as text. */
    const newestRow = async (event: string, lang: 'en' | 'nl') =>
      textOf(await newestRowHtml(event, lang));

    /** Its Details cell (the last), as text. */
    async function details(event: string, lang: 'en' | 'nl'): Promise<string> {
      const row = await newestRowHtml(event, lang);
      return textOf([...row.matchAll(/<td[^>]*>([\s\S]*?)<\/td>/g)].pop()?.[1] ?? '');
    }

    it('shows every column and filters by user, event type and date, newest first', async () => {
      const user = await plainUser(app, { name: 'Fiona Filter' });
      const page = await admin.client.get(`/admin/audit?user=${encodeURIComponent(user.email)}`);
      expect(page.status).toBe(200);
      const text = textOf(page.body);
      for (const column of ['When', 'Event', 'By', 'User', 'IP address', 'Browser', 'Details']) {
        expect(text).toContain(column);
      }
      expect(text).toContain('Registered');
      expect(text).toContain('Fiona Filter');
      expect(text).toContain('Email address verified');
      expect(page.body).not.toContain(`<a href="/admin/users/${admin.userId}">`);

      const byEvent = await admin.client.get(
        `/admin/audit?user=${encodeURIComponent(user.email)}&event=user.registered`,
      );
      expect(textOf(byEvent.body)).toContain('1 event');
      const today = new Date(app.clock.now()).toISOString().slice(0, 10);
      const dated = await admin.client.get(
        `/admin/audit?user=${encodeURIComponent(user.email)}&from=${today}&to=${today}`,
      );
      expect(textOf(dated.body)).toContain('Registered');
      const past = await admin.client.get(
        `/admin/audit?user=${encodeURIComponent(user.email)}&to=2001-01-01`,
      );
      expect(textOf(past.body)).toContain('No events match these filters.');
    });

    it('explains bad filters next to their fields', async () => {
      const unknown = await admin.client.get('/admin/audit?user=nobody%40example.com');
      expect(unknown.status).toBe(422);
      expect(textOf(unknown.body)).toContain('No account has this email address.');
      // A name typed where the address goes is told where names are found.
      const byName = await admin.client.get('/admin/audit?user=Ada%20Lovelace');
      expect(byName.status).toBe(422);
      expect(textOf(byName.body)).toContain(
        'Enter the person’s email address. To find someone by name, search under Users first.',
      );
      expect(textOf(byName.body)).toContain('No events match these filters.');
      // An address only added to an account, never verified, is not that account's to filter
      // by: anyone may type someone else's address. The field says why nothing is listed.
      const claimer = adminClient(app);
      const account = await registerAndVerify(app, claimer, { name: 'Cody Claimer' });
      await logIn(claimer, account.email);
      const claimed = uniqueEmail('claimed');
      expect((await claimer.submit('/profile/emails', { email: claimed })).status).toBe(303);
      const onlyClaimed = await admin.client.get(
        `/admin/audit?user=${encodeURIComponent(claimed)}`,
      );
      expect(onlyClaimed.status).toBe(422);
      expect(textOf(onlyClaimed.body)).toContain(
        'No account has verified this email address. One account has it unverified, which proves nothing: search for it under Users to see that account.',
      );
      expect(textOf(onlyClaimed.body)).not.toContain('Cody Claimer');
      // A NUL in a filter is dropped, not read as no filter (which listed every event).
      const nul = await admin.client.get('/admin/audit?user=nobody%00%40example.com');
      expect(nul.status).toBe(422);
      // The export with a bad filter goes back to the page that says what is wrong.
      const nulCsv = await admin.client.get('/admin/audit.csv?user=no%00body');
      expect(nulCsv.location).toBe('/admin/audit?user=no%00body');
      const badDate = await admin.client.get('/admin/audit?from=2026-02-30');
      expect(badDate.status).toBe(422);
      expect(badDate.body).toContain('aria-invalid="true"');
      const reversed = await admin.client.get('/admin/audit?from=2026-05-02&to=2026-05-01');
      expect(textOf(reversed.body)).toContain('must not be after');
      const csv = await admin.client.get('/admin/audit.csv?from=nonsense');
      expect(csv.status).toBe(303);
      expect(csv.location).toBe('/admin/audit?from=nonsense');
      // The same path, percent-encoded, leads to the same page.
      const encoded = await admin.client.get('/admin/audit%2Ecsv?from=nonsense');
      expect(encoded.location).toBe('/admin/audit?from=nonsense');
    });

    it('leads from the page of an account with no verified address to its events', async () => {
      const email = uniqueEmail('unverified');
      const visitor = adminClient(app);
      await visitor.submit('/register', { name: 'Una Unverified', email, password: PASSWORD });
      // The account is made after the answer; its verification mail says it is there.
      await app.mail.waitFor(email, /Verify your email/);
      const { id } = await app.db
        .selectFrom('users')
        .select('id')
        .where('name', '=', 'Una Unverified')
        .executeTakeFirstOrThrow();
      const userPage = await admin.client.get(`/admin/users/${id}`);
      const link = /<a href="(\/admin\/audit\?[^"]+)">All events of this user/.exec(
        userPage.body,
      )?.[1];
      expect(link).toBe(`/admin/audit?user=${encodeURIComponent(email)}&amp;account=${id}`);
      const events = await admin.client.get(textOf(link ?? ''));
      expect(events.status).toBe(200);
      expect(textOf(events.body)).toContain('Registered');
      expect(textOf(events.body)).toContain('Una Unverified');
      // The filter form keeps the account, so that another event type or date still finds it.
      expect(events.body).toContain(`name="account" value="${id}"`);
      const csv = await admin.client.get(
        textOf(link ?? '').replace('/admin/audit', '/admin/audit.csv'),
      );
      expect(csv.status).toBe(200);
      expect(csv.body).toContain('user.registered');
      // With an account that does not hold the address, the address alone decides: no one.
      const other = await admin.client.get(
        `/admin/audit?user=${encodeURIComponent(email)}&account=${admin.userId}`,
      );
      expect(other.status).toBe(422);
    });

    it('pages through many events without overlap', async () => {
      const user = await plainUser(app, { name: 'Pia Pages' });
      for (let i = 0; i < 60; i++) {
        app.clock.advance(1);
        await app.services.audit.record({
          event: 'profile.updated',
          actorUserId: user.userId,
          details: { remaining: i },
        });
      }
      const base = `/admin/audit?user=${encodeURIComponent(user.email)}&event=profile.updated`;
      const first = await admin.client.get(base);
      expect(textOf(first.body)).toContain('60 events');
      expect(textOf(first.body)).toContain('Page 1 of 2');
      const second = await admin.client.get(`${base}&page=2`);
      const numbers = (body: string) =>
        [...body.matchAll(/Recovery codes left: (\d+)/g)].map((m) => Number(m[1]));
      const seen = [...numbers(first.body), ...numbers(second.body)];
      expect(seen).toHaveLength(60);
      expect(new Set(seen).size).toBe(60);
      expect(numbers(first.body)[0]).toBe(59);
    });

    it('sends a page past the end to the last page, and never fails on a page number', async () => {
      const user = await plainUser(app, { name: 'Piet Past' });
      for (let i = 0; i < 51; i++) {
        await app.services.audit.record({ event: 'profile.updated', actorUserId: user.userId });
      }
      const filter = `user=${encodeURIComponent(user.email)}&event=profile.updated`;
      const past = await admin.client.get(`/admin/audit?${filter}&page=999`);
      expect(past.status).toBe(303);
      expect(past.location).toBe(`/admin/audit?${filter}&page=2`);
      const last = textOf((await admin.client.follow(past)).body);
      expect(last).toContain('Page 2 of 2');
      expect(last).toContain('Previous page');
      expect(last).not.toContain('Page 999');
      // However many digits the number has.
      const far = await admin.client.get(`/admin/audit?${filter}&page=99999999999999999999`);
      expect(far.location).toBe(`/admin/audit?${filter}&page=2`);

      const nothing = await admin.client.get(`/admin/audit?${filter}&to=2001-01-01&page=3`);
      expect(nothing.location).toBe(`/admin/audit?${filter}&to=2001-01-01`);
      const users = await admin.client.get('/admin/users?q=Piet&page=40');
      expect(users.location).toBe('/admin/users?q=Piet');

      for (const page of ['abc', '-1', '0', '1.5', '1e3', '99999999999999999999', '%00', '']) {
        for (const list of ['/admin/audit', '/admin/users']) {
          const answer = await admin.client.get(`${list}?page=${page}`);
          expect(answer.status, `${list} ${page}`).toBeLessThan(400);
        }
      }
      const twice = await admin.client.get(`/admin/audit?${filter}&page=1&page=2`);
      expect(twice.status).toBeLessThan(500);
    });

    it('says so for an event type that does not exist, as the API does, instead of an empty log', async () => {
      const unknown = await admin.client.get('/admin/audit?event=user.registerd');
      expect(unknown.status).toBe(422);
      const text = textOf(unknown.body);
      expect(text).toContain('There is no event type “user.registerd”.');
      expect(unknown.body).toMatch(
        /<select\s+id="event"\s+name="event"\s+aria-describedby="event-error"/,
      );
      expect(unknown.body).not.toContain('value="user.registerd"');
      // The export of such a filter goes back to the page that explains it.
      const csv = await admin.client.get('/admin/audit.csv?event=user.registerd');
      expect(csv.status).toBe(303);
      expect(csv.location).toBe('/admin/audit?event=user.registerd');
      // A filter given twice is said to be, not read as no filter at all.
      const twice = await admin.client.get(
        '/admin/audit?event=user.registered&event=sign_out&from=2026-01-01&from=x',
      );
      expect(twice.status).toBe(422);
      const both = textOf(twice.body);
      // Two fields, each named in the summary and at the field.
      expect(both.match(/This filter is in the address more than once/g)).toHaveLength(4);
      expect(twice.body).toMatch(
        /<select\s+id="event"\s+name="event"\s+aria-describedby="event-error"/,
      );
      expect(twice.body).toMatch(/id="from"[^>]*aria-invalid="true"/);
      // A real type, even one that has not happened yet, is a fair question: no error.
      const none = await admin.client.get('/admin/audit?event=api_key.refused');
      expect(none.status).toBe(200);
      expect(textOf(none.body)).not.toContain('There is no event type');
    });

    it('exports the filtered log as CSV, newest first, safe to open in a spreadsheet', async () => {
      const user = await plainUser(app, { name: '=HYPERLINK("http://evil.example","click")' });
      const answer = await admin.client.get(
        `/admin/audit.csv?user=${encodeURIComponent(user.email)}`,
      );
      expect(answer.status).toBe(200);
      expect(answer.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(answer.headers['content-disposition']).toMatch(
        /^attachment; filename="portico-audit-\d{4}-\d{2}-\d{2}\.csv"$/,
      );
      expect(answer.headers['cache-control']).toBe('no-store');
      // A byte order mark first, so that spreadsheets read it as UTF-8 (names such as "Zoë").
      expect(answer.body.startsWith('\uFEFFtime,')).toBe(true);
      const lines = answer.body.slice(1).trimEnd().split('\r\n');
      expect(lines[0]).toBe(
        'time,event,actor_user_id,actor_name,actor_email,actor_label,target_user_id,target_name,target_email,ip,user_agent,details',
      );
      expect(lines).toHaveLength(3);
      const rows = lines.slice(1);
      expect(rows.map((l) => /^"[^"]+","([^"]+)"/.exec(l)?.[1]).sort()).toEqual([
        'email.verified',
        'user.registered',
      ]);
      const times = rows.map((l) => Date.parse(/^"([^"]+)"/.exec(l)?.[1] ?? ''));
      expect(times[0]).toBeGreaterThanOrEqual(times[1] ?? 0);
      // The name would run as a formula: it starts with an apostrophe, quotes doubled.
      for (const row of rows) {
        expect(row).toContain(`"'=HYPERLINK(""http://evil.example"",""click"")"`);
        expect(row).not.toContain(',"=HYPERLINK');
      }
    });

    it('exports a large log in batches, each event once, and lets other requests run between them', async () => {
      // 1,200 events of one millisecond: the batches go on by id where the times are equal.
      const at = app.clock.now() - 5_000;
      const rows = Array.from({ length: 1_200 }, (_, i) => ({
        id: `bulk-${String(i).padStart(5, '0')}`,
        created_at: at,
        event: 'api_key.used',
        details: '{}',
      }));
      for (let i = 0; i < rows.length; i += 300)
        await app.db
          .insertInto('audit_events')
          .values(rows.slice(i, i + 300))
          .execute();
      const query = createAuditQuery(app.db);
      let turns = 0;
      let counting = true;
      const count = () => {
        turns += 1;
        if (counting) setImmediate(count);
      };
      setImmediate(count);
      const seen: string[] = [];
      for await (const row of query.each({ event: 'api_key.used', from: at, to: at + 1 }))
        seen.push(row.id);
      counting = false;
      expect(seen).toEqual(rows.map((row) => row.id).reverse());
      // Three batches of 500: the event loop had its turns between them.
      expect(turns).toBeGreaterThanOrEqual(2);
      await app.db.deleteFrom('audit_events').where('id', 'like', 'bulk-%').execute();
    });

    it('shows the times in details as dates in the reader’s language, never as milliseconds', async () => {
      // The grace period as the settings form takes it: a day, stored as the end of that day.
      const day = new Date(app.clock.now() + 30 * 86_400_000).toISOString().slice(0, 10);
      const graceUntil = Date.parse(`${day}T00:00:00Z`) + 86_400_000;
      const saved = await admin.client.submit('/admin/2fa', {
        email: 'on',
        totp: 'on',
        require: 'all',
        grace_until: day,
      });
      expect(saved.status).toBe(303);
      expect((await app.services.twoFactor.policy.get()).graceUntil).toBe(graceUntil);
      // A lock, as two_factor/challenge.ts records it: shown rounded up to the next minute.
      const locked = await plainUser(app, { name: 'Lola Locked' });
      const until = app.clock.now() + 15 * 60_000 + 1_000;
      await app.services.audit.record({
        event: 'two_factor.locked',
        targetUserId: locked.userId,
        meta: { ip: '192.0.2.9', userAgent: 'test' },
        details: { until },
      });

      const lastDay = graceUntil - 1;
      expect(await details('two_factor.policy_changed', 'en')).toContain(
        `Users may postpone set-up until: ${formatDate('en', lastDay)}`,
      );
      expect(await details('two_factor.policy_changed', 'nl')).toContain(
        `Gebruikers mogen het instellen uitstellen tot: ${formatDate('nl', lastDay)}`,
      );
      expect(await details('two_factor.locked', 'nl')).toBe(
        `Geblokkeerd tot: ${formatEndTime('nl', until)}`,
      );
      expect(await details('two_factor.locked', 'en')).toBe(
        `Locked until: ${formatEndTime('en', until)}`,
      );
      const page = textOf((await admin.client.get('/admin/audit')).body);
      expect(page).not.toContain(String(graceUntil));
      expect(page).not.toContain(String(until));
      expect(page).not.toMatch(/\b\d{13}\b/);
      await savePolicy(app, {});
    });

    it('names every detail in the reader’s language, and its codes in words', async () => {
      // Saved through the settings form: which methods are allowed are yes or no.
      app.clock.advance(1000);
      const saved = await admin.client.submit('/admin/2fa', {
        email: 'on',
        totp: 'on',
        require: 'all',
      });
      expect(saved.status).toBe(303);
      const policy = await details('two_factor.policy_changed', 'en');
      expect(policy).toContain('Email Authentication: Yes');
      expect(policy).toContain('Authentication App: Yes');
      expect(policy).toContain('Security Keys: No');
      expect(policy).toContain('Require two-factor authentication for: All users');
      expect(policy).not.toMatch(/\b(true|false|all)\b/);
      const beleid = await details('two_factor.policy_changed', 'nl');
      expect(beleid).toContain('E-mailauthenticatie: Ja');
      expect(beleid).toContain('Beveiligingssleutels: Nee');
      expect(beleid).toContain('Tweestapsverificatie verplicht voor: Alle gebruikers');

      // As src/two-factor/challenge.ts and admin-reset.ts record them.
      const user = await plainUser(app, { name: 'Dirk Details' });
      await app.services.audit.record({
        event: 'two_factor.challenge_failed',
        targetUserId: user.userId,
        details: { method: 'totp', reason: 'INVALID_CODE', purpose: 'sign_in' },
      });
      await app.services.audit.record({
        event: 'two_factor.reset_by_admin',
        actorUserId: admin.userId,
        targetUserId: user.userId,
        details: { methods: 'totp,email,webauthn' },
      });
      await app.services.audit.record({
        event: 'two_factor.locked',
        targetUserId: user.userId,
        details: { untilReset: true },
      });
      expect(await details('two_factor.challenge_failed', 'en')).toBe(
        'Method: Authentication App Reason: wrong code or key During: log-in',
      );
      expect(await details('two_factor.challenge_failed', 'nl')).toBe(
        'Methode: Authenticatie-app Reden: verkeerde code of sleutel Tijdens: inloggen',
      );
      expect(await details('two_factor.reset_by_admin', 'en')).toBe(
        'Methods: Authentication App, Email Authentication, Security Key',
      );
      expect(await details('two_factor.locked', 'en')).toBe(
        'Locked until: an administrator resets two-factor authentication',
      );

      // An event from before a detail had words: its name and value as recorded, escaped.
      app.clock.advance(1000);
      await app.services.audit.record({
        event: 'two_factor.setup_postponed',
        actorUserId: user.userId,
        details: {
          name: '<b>Dirk</b>',
          oldDetail: 'kept',
          ['constructor']: 'x',
          purpose: 'toString',
          valueOf: 5,
        } as Record<string, string | number>,
      });
      expect(await details('two_factor.setup_postponed', 'en')).toBe(
        'Name: <b>Dirk</b> oldDetail: kept constructor: x During: toString valueOf: 5',
      );
      const raw = (await admin.client.get('/admin/audit?event=two_factor.setup_postponed')).body;
      expect(raw).toContain('Name: &lt;b&gt;Dirk&lt;/b&gt;');

      // Portico's own acts: at start (shipping the knowledge base) and from the command line.
      app.clock.advance(1000);
      await app.services.audit.record({
        event: 'user.enabled',
        actorLabel: 'system',
        targetUserId: user.userId,
        meta: { ip: 'local', userAgent: 'portico-start' },
      });
      await app.services.audit.record({
        event: 'user.disabled',
        actorLabel: 'cli',
        targetUserId: user.userId,
        meta: { ip: 'cli', userAgent: 'portico-cli' },
      });
      expect(await newestRow('user.enabled', 'en')).toContain('System');
      expect(await newestRow('user.enabled', 'en')).toContain('This server Portico, at start');
      expect(await newestRow('user.disabled', 'en')).toContain(
        'Command line (portico) Dirk Details',
      );
      expect(await newestRow('user.disabled', 'nl')).toContain(
        'Deze server Opdrachtregel (portico)',
      );
      expect(await newestRow('user.enabled', 'nl')).toContain('Systeem');
      expect(await newestRow('user.enabled', 'nl')).not.toMatch(/\b(local|portico-start)\b/);
      // A request that sends Portico's own user agent is shown as it came, not as Portico.
      app.clock.advance(1000);
      await app.services.audit.record({
        event: 'user.disabled',
        targetUserId: user.userId,
        meta: { ip: '203.0.113.5', userAgent: 'portico-cli' },
      });
      const posing = await newestRow('user.disabled', 'en');
      expect(posing).toContain('203.0.113.5 portico-cli');
      expect(posing).not.toContain('Command line');
      await admin.client.post('/language', { lang: 'en', return_to: '/admin/audit' });

      // The user's own page lists their recent events with the same words.
      const userPage = textOf((await admin.client.get(`/admin/users/${user.userId}`)).body);
      expect(userPage).toContain('Reason: wrong code or key');
      expect(userPage).toContain('Methods: Authentication App, Email Authentication, Security Key');
      await savePolicy(app, {});
    });

    it('has no way to change or delete an event', async () => {
      const before = await snapshotDatabase(app.db);
      // The pages are read only (405, GET alone allowed); no other address takes a post.
      for (const path of ['/admin/audit', '/admin/audit.csv']) {
        const answer = await admin.client.post(path, {});
        expect(answer.status).toBe(405);
        expect(answer.headers.allow).toBe('GET, HEAD');
      }
      expect((await admin.client.post('/admin/audit/delete', {})).status).toBe(404);
      const after = await snapshotDatabase(app.db);
      expect(after.audit_events).toEqual(before.audit_events);
    });
  });

  describe('API keys', () => {
    it('shows a new key once, keeps only its hash, and lists it without the key', async () => {
      const posted = await admin.client.submit('/admin/api-keys', { name: 'Helpdesk sync' });
      expect(posted.location).toBe('/admin/api-keys/created');
      const created = await admin.client.follow(posted);
      expect(created.status).toBe(200);
      const token = /ptk_[A-Za-z0-9_-]{43}/.exec(created.body)?.[0] ?? '';
      expect(token).not.toBe('');
      expect(textOf(created.body)).toContain('once you leave this page, it is not shown again');

      const rows = await app.db
        .selectFrom('api_keys')
        .selectAll()
        .where('name', '=', 'Helpdesk sync')
        .execute();
      expect(rows).toHaveLength(1);
      expect(rows[0]?.token_hash).toBe(hashToken(token));
      expect(JSON.stringify(await snapshotDatabase(app.db))).not.toContain(token);

      const list = await admin.client.get('/admin/api-keys');
      expect(textOf(list.body)).toContain('Helpdesk sync');
      expect(list.body).toContain(token.slice(0, 10));
      expect(list.body).not.toContain(token);
      expect(textOf(list.body)).toContain('Never');
      // Its status says it works, beside the button that would stop it.
      expect(textOf(list.body)).toMatch(/Helpdesk sync \S+… .* Never Active Revoke/);

      const used = await app.app.inject({
        method: 'GET',
        url: '/api/v1/user-groups',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(used.statusCode).toBe(200);
      expect(textOf((await admin.client.get('/admin/api-keys')).body)).not.toMatch(
        /Helpdesk sync \S+… .* Never/,
      );
      const audit = await admin.client.get('/admin/audit?event=api_key.created');
      expect(textOf(audit.body)).toContain('API key created');
    });

    it('asks for a recent sign-in before making a key, and refuses a key without a name', async () => {
      const empty = await admin.client.submit('/admin/api-keys', { name: '  ' });
      expect(empty.status).toBe(422);
      app.clock.advance(11 * 60_000);
      await admin.client.get('/admin/api-keys');
      const stale = await admin.client.post('/admin/api-keys', { name: 'Too late' });
      expect(stale.status).toBe(303);
      expect(stale.location).toBe('/reauth?next=%2Fadmin%2Fapi-keys');
      expect(
        await app.db.selectFrom('api_keys').select('id').where('name', '=', 'Too late').execute(),
      ).toHaveLength(0);
      admin = {
        ...admin,
        client: await (await import('../helpers/admin.js')).logInAdmin(app, admin),
      };
    });

    it('revokes a key: the API refuses it from then on, and it cannot be revoked twice', async () => {
      const created = await admin.client.follow(
        await admin.client.submit('/admin/api-keys', { name: 'Short-lived' }),
      );
      const token = /ptk_[A-Za-z0-9_-]{43}/.exec(created.body)?.[0] ?? '';
      const [row] = await app.db
        .selectFrom('api_keys')
        .selectAll()
        .where('name', '=', 'Short-lived')
        .execute();
      // The list links to a question; the key goes only when it is answered.
      const list = await admin.client.get('/admin/api-keys');
      expect(list.body).toContain(`href="/admin/api-keys/${row?.id}/revoke"`);
      const question = await admin.client.get(`/admin/api-keys/${row?.id}/revoke`);
      expect(question.status).toBe(200);
      expect(textOf(question.body)).toContain('Revoke the API key “Short-lived”?');
      expect(
        (
          await app.db
            .selectFrom('api_keys')
            .select('revoked_at')
            .where('id', '=', row?.id ?? '')
            .executeTakeFirst()
        )?.revoked_at,
      ).toBeNull();
      const revoked = await admin.client.post(`/admin/api-keys/${row?.id}/revoke`);
      expect(revoked.status).toBe(303);
      expect(textOf((await admin.client.follow(revoked)).body)).toContain(
        'The API key “Short-lived” has been revoked.',
      );
      const refused = await app.app.inject({
        method: 'GET',
        url: '/api/v1/user-groups',
        headers: { authorization: `Bearer ${token}` },
      });
      expect(refused.statusCode).toBe(401);
      expect((await admin.client.post(`/admin/api-keys/${row?.id}/revoke`)).status).toBe(404);
      expect((await admin.client.get(`/admin/api-keys/${row?.id}/revoke`)).status).toBe(404);
      expect((await admin.client.post('/admin/api-keys/nonsense/revoke')).status).toBe(404);
      const events = await app.db
        .selectFrom('audit_events')
        .selectAll()
        .where('event', '=', 'api_key.revoked')
        .execute();
      expect(events.some((e) => e.actor_user_id === admin.userId)).toBe(true);
    });
  });
});
