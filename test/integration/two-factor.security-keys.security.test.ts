/*
 * Security keys (WebAuthn). A key proves possession by signing a server challenge bound to
 * this site's origin and RP ID; everything hangs on the server keeping that chain tight:
 * a challenge must work once, for the request it was made for, and only for this origin;
 * a credential must belong to the account that uses it; a signature counter that goes back
 * betrays a cloned key (WebAuthn §6.1.1). Several products have accepted challenges from the
 * client or reused them (e.g. CVE-2024-39912 in web-auth/webauthn-lib, CVE-2023-46129 style
 * challenge confusion). The responses here come from a software authenticator on node:crypto,
 * so the server verifies real signatures. Tries with a key count with the other methods'
 * towards ending the sign-in and locking the account (SPEC §4 "attempts").
 */
import type {
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
} from '@simplewebauthn/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Client, Page } from '../helpers/client.js';
import { textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { signedInAdmin } from '../helpers/admin.js';
import { PASSWORD } from '../helpers/flows.js';
import { SoftAuthenticator, webauthnOptionsOf } from '../helpers/soft-authenticator.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import {
  accountRow,
  auditCount,
  followToCodes,
  newClient,
  pendingSignIn,
  PENDING_COOKIE,
  RECOVERY_CODES_PAGE,
  recoveryCodesOf,
  SESSION_COOKIE,
  sessionCount,
  signedInUser,
  submitCode,
  userWithApp,
  wrongCode,
  TEST_META,
} from '../helpers/two-factor.js';

const ORIGIN = 'http://localhost:3000';
const RP_ID = 'localhost';
const ELEVEN_MINUTES = 11 * 60_000;

describe.each(DIALECTS)('security keys (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  const registrationOptions = (page: Page) =>
    webauthnOptionsOf<PublicKeyCredentialCreationOptionsJSON>(page);
  const requestOptions = (page: Page) =>
    webauthnOptionsOf<PublicKeyCredentialRequestOptionsJSON>(page);

  /** Adds a key through Your 2FA, as the browser script would. */
  async function addKey(
    client: Client,
    key: SoftAuthenticator,
    name = 'Blue key',
    base = '/profile/2fa',
  ): Promise<Page> {
    const form = await client.get(`${base}/security-keys/new`);
    expect(form.status).toBe(200);
    const response = key.create(registrationOptions(form));
    return followToCodes(
      client,
      await client.post(`${base}/security-keys/new`, {
        name,
        response: JSON.stringify(response),
      }),
    );
  }

  async function userWithKey() {
    const user = await signedInUser(app);
    const key = new SoftAuthenticator(ORIGIN, RP_ID);
    const page = await addKey(user.client, key);
    expect(page.status).toBe(200);
    return { ...user, key, recoveryCodes: recoveryCodesOf(page) };
  }

  /** The key's answer to the challenge the page at `path` offers. */
  async function assertion(
    client: Client,
    key: SoftAuthenticator,
    path = '/login/2fa?method=webauthn',
    overrides: Parameters<SoftAuthenticator['get']>[1] = {},
  ) {
    const page = await client.get(path);
    expect(page.status).toBe(200);
    return JSON.stringify(key.get(requestOptions(page), overrides));
  }

  const useKey = (client: Client, response: string, base = '/login/2fa') =>
    client.post(base, { method: 'webauthn', response });

  async function pendingFailures(client: Client): Promise<number | undefined> {
    const rows = await app.db
      .selectFrom('pending_sign_ins')
      .select(['id_hash', 'failures'])
      .execute();
    const token = client.cookies.get(PENDING_COOKIE);
    if (!token) return undefined;
    const { hashToken } = await import('../../src/security/tokens.js');
    return rows.find((r) => r.id_hash === hashToken(token))?.failures;
  }

  describe('adding a key', () => {
    it('registers a key with real attestation, shows recovery codes once and notifies', async () => {
      const user = await signedInUser(app);
      const form = await user.client.get('/profile/2fa/security-keys/new');
      const options = registrationOptions(form);
      expect(options.rp.id).toBe(RP_ID);
      expect(textOf(form.body)).toContain('Add a security key');
      const key = new SoftAuthenticator(ORIGIN, RP_ID);
      const since = app.mail.messages.length;
      const page = await followToCodes(
        user.client,
        await user.client.post('/profile/2fa/security-keys/new', {
          name: 'Blue key',
          response: JSON.stringify(key.create(options)),
        }),
      );
      expect(page.status).toBe(200);
      expect(textOf(page.body)).toContain('Save your recovery codes');
      expect(recoveryCodesOf(page)).toHaveLength(10);
      const rows = await app.db
        .selectFrom('two_factor_methods')
        .innerJoin(
          'webauthn_credentials',
          'webauthn_credentials.method_id',
          'two_factor_methods.id',
        )
        .select(['type', 'name', 'credential_id', 'sign_count'])
        .where('two_factor_methods.user_id', '=', user.userId)
        .execute();
      expect(rows).toEqual([
        expect.objectContaining({ type: 'webauthn', name: 'Blue key', sign_count: 1 }),
      ]);
      expect(await auditCount(app, 'two_factor.method_added', user.userId)).toBe(1);
      await app.mail.waitFor(user.email, /method added/, { since });

      // A second key: no new recovery codes; both are listed with their dates.
      const second = await addKey(user.client, new SoftAuthenticator(ORIGIN, RP_ID), 'Spare key');
      expect(second.status).toBe(303);
      expect(second.location).toBe('/profile/2fa');
      const overview = textOf((await user.client.get('/profile/2fa')).body);
      expect(overview).toContain('Blue key');
      expect(overview).toContain('Spare key');
      expect(overview).toContain('Never');
      // The challenge was used up.
      const left = await app.db
        .selectFrom('webauthn_challenges')
        .select('id')
        .where('user_id', '=', user.userId)
        .where('purpose', '=', 'register')
        .execute();
      expect(left).toHaveLength(0);
    });

    it('keeps the newest five challenges of a page opened again and again, and they still work', async () => {
      const user = await signedInUser(app);
      const forms = [];
      for (let i = 0; i < 12; i += 1) {
        forms.push(await user.client.get('/profile/2fa/security-keys/new'));
        app.clock.advance(1_000);
      }
      const stored = await app.db
        .selectFrom('webauthn_challenges')
        .select('challenge')
        .where('user_id', '=', user.userId)
        .execute();
      expect(stored).toHaveLength(5);
      // The oldest page's challenge is gone. Its refusal shows the form again, with a challenge
      // of its own; of the twelve pages, the newest four still work.
      const key = new SoftAuthenticator(ORIGIN, RP_ID);
      const oldest = await user.client.post('/profile/2fa/security-keys/new', {
        name: 'Oldest tab',
        response: JSON.stringify(key.create(registrationOptions(forms[0]!))),
      });
      expect(oldest.status).toBe(422);
      const fourth = await user.client.post('/profile/2fa/security-keys/new', {
        name: 'Fourth newest tab',
        response: JSON.stringify(key.create(registrationOptions(forms[8]!))),
      });
      expect(fourth.location).toBe(RECOVERY_CODES_PAGE);
    });

    it('keeps the challenge of the page it serves, also behind the clock of another process', async () => {
      const user = await signedInUser(app);
      for (let i = 0; i < 6; i++) await user.client.get('/profile/2fa/security-keys/new');
      // This process's clock is behind the one that wrote the others.
      app.clock.advance(-10_000);
      const form = await user.client.get('/profile/2fa/security-keys/new');
      app.clock.advance(10_000);
      const added = await user.client.post('/profile/2fa/security-keys/new', {
        name: 'Late clock',
        response: JSON.stringify(
          new SoftAuthenticator(ORIGIN, RP_ID).create(registrationOptions(form)),
        ),
      });
      expect(added.location).toBe(RECOVERY_CODES_PAGE);
    });

    it('refuses a replayed registration response: its challenge works once', async () => {
      const user = await signedInUser(app);
      const key = new SoftAuthenticator(ORIGIN, RP_ID);
      const form = await user.client.get('/profile/2fa/security-keys/new');
      const response = JSON.stringify(key.create(registrationOptions(form)));
      const first = await user.client.post('/profile/2fa/security-keys/new', {
        name: 'Key',
        response,
      });
      expect(first.location).toBe(RECOVERY_CODES_PAGE);
      await user.client.get('/profile/2fa/security-keys/new');
      const again = await user.client.post('/profile/2fa/security-keys/new', {
        name: 'Key again',
        response,
      });
      expect(again.status).toBe(422);
      expect(textOf(again.body)).toContain('could not be verified');
      const methods = await app.db
        .selectFrom('two_factor_methods')
        .select('id')
        .where('user_id', '=', user.userId)
        .execute();
      expect(methods).toHaveLength(1);
    });

    it('refuses a response for another origin, another RP ID or a made-up challenge', async () => {
      const user = await signedInUser(app);
      const key = new SoftAuthenticator(ORIGIN, RP_ID);
      for (const overrides of [
        { origin: 'https://evil.example' },
        { rpId: 'evil.example' },
        { challenge: Buffer.from('not the server challenge').toString('base64url') },
      ]) {
        const form = await user.client.get('/profile/2fa/security-keys/new');
        const page = await user.client.post('/profile/2fa/security-keys/new', {
          name: 'Key',
          response: JSON.stringify(key.create(registrationOptions(form), overrides)),
        });
        expect(page.status, JSON.stringify(overrides)).toBe(422);
      }
      const methods = await app.db
        .selectFrom('two_factor_methods')
        .select('id')
        .where('user_id', '=', user.userId)
        .execute();
      expect(methods).toHaveLength(0);
      for (const junk of ['{', '{"id":1}', 'x'.repeat(20_000)]) {
        await user.client.get('/profile/2fa/security-keys/new');
        const page = await user.client.post('/profile/2fa/security-keys/new', {
          name: 'Key',
          response: junk,
        });
        expect(page.status).toBe(422);
      }
    });

    it('does not accept a registration challenge made for another session', async () => {
      const user = await signedInUser(app);
      const other = newClient(app);
      const { logIn } = await import('../helpers/flows.js');
      await logIn(other, user.email);
      const key = new SoftAuthenticator(ORIGIN, RP_ID);
      const form = await user.client.get('/profile/2fa/security-keys/new');
      const response = JSON.stringify(key.create(registrationOptions(form)));
      await other.get('/profile/2fa/security-keys/new');
      const page = await other.post('/profile/2fa/security-keys/new', { name: 'Key', response });
      expect(page.status).toBe(422);
    });

    it("refuses a name another of the person's keys has, whatever its case or spaces", async () => {
      const user = await userWithKey();
      const page = await addKey(user.client, new SoftAuthenticator(ORIGIN, RP_ID), '  BLUE key ');
      expect(page.status).toBe(422);
      expect(page.body).toContain(
        '<p class="error-message" id="name-error">You already have a security key with this name.</p>',
      );
      expect(page.body).toMatch(/aria-describedby="name-error"\s+aria-invalid="true"/);
      const methods = await app.db
        .selectFrom('two_factor_methods')
        .select('name')
        .where('user_id', '=', user.userId)
        .execute();
      expect(methods).toEqual([{ name: 'Blue key' }]);
      // The form is offered again with a fresh challenge, and another name is taken.
      expect(
        (await addKey(user.client, new SoftAuthenticator(ORIGIN, RP_ID), 'Spare')).status,
      ).toBe(303);
    });

    it('offers a second key a free name, and gives the page the taken names to check before the ceremony', async () => {
      const user = await signedInUser(app);
      const first = await addKey(user.client, new SoftAuthenticator(ORIGIN, RP_ID), 'Security key');
      expect(first.status).toBe(200);
      const form = await user.client.get('/profile/2fa/security-keys/new');
      expect(form.status).toBe(200);
      expect(form.body).toMatch(/name="name"[^>]*value="Security key \(2\)"/);
      expect(form.body).toContain('data-webauthn-taken-names="[&quot;security key&quot;]"');
      expect(form.body).toContain(
        'data-msg-name-taken="You already have a security key with this name."',
      );
      // The suggestion is accepted as it stands.
      const response = new SoftAuthenticator(ORIGIN, RP_ID).create(registrationOptions(form));
      const second = await user.client.post('/profile/2fa/security-keys/new', {
        name: 'Security key (2)',
        response: JSON.stringify(response),
      });
      expect(second.status).toBe(303);
    });

    it('says a key that is already added is already added, and never fails on a taken credential id', async () => {
      const user = await userWithKey();
      const form = await user.client.get('/profile/2fa/security-keys/new');
      const response = user.key.create(registrationOptions(form));
      // The same credential once more (a browser that did not honour excludeCredentials).
      await app.db
        .updateTable('webauthn_credentials')
        .set({ credential_id: response.id })
        .where('user_id', '=', user.userId)
        .execute();
      const again = await user.client.post('/profile/2fa/security-keys/new', {
        name: 'Blue key again',
        response: JSON.stringify(response),
      });
      expect(again.status).toBe(422);
      expect(textOf(again.body)).toContain('This security key is already added to your account.');
      expect(textOf(again.body)).not.toContain('was not used');
      expect(
        await app.db
          .selectFrom('two_factor_methods')
          .select('id')
          .where('user_id', '=', user.userId)
          .execute(),
      ).toHaveLength(1);

      // A credential id that belongs to another account is not this person's to hear about.
      const stranger = await signedInUser(app);
      const strangerForm = await stranger.client.get('/profile/2fa/security-keys/new');
      const theirs = new SoftAuthenticator(ORIGIN, RP_ID).create(registrationOptions(strangerForm));
      await app.db
        .updateTable('webauthn_credentials')
        .set({ credential_id: theirs.id })
        .where('user_id', '=', user.userId)
        .execute();
      const taken = await stranger.client.post('/profile/2fa/security-keys/new', {
        name: 'Key',
        response: JSON.stringify(theirs),
      });
      expect(taken.status).toBe(422);
      expect(textOf(taken.body)).toContain('could not be verified');
      expect(textOf(taken.body)).not.toContain('already added');
      expect(
        await app.db
          .selectFrom('two_factor_methods')
          .select('id')
          .where('user_id', '=', stranger.userId)
          .execute(),
      ).toHaveLength(0);
    });
  });

  describe('signing in with a key', () => {
    it('offers the key, checks the assertion, moves the counter and only then makes a session', async () => {
      const user = await userWithKey();
      const client = await pendingSignIn(app, user.email);
      const page = await client.get('/login/2fa');
      expect(textOf(page.body)).toContain('Use a security key');
      expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
      const done = await useKey(client, JSON.stringify(user.key.get(requestOptions(page))));
      expect(done.status).toBe(303);
      expect(done.location).toBe('/');
      expect(client.cookies.has(SESSION_COOKIE)).toBe(true);
      const row = await app.db
        .selectFrom('webauthn_credentials')
        .innerJoin('two_factor_methods', 'two_factor_methods.id', 'webauthn_credentials.method_id')
        .select(['sign_count', 'last_used_at'])
        .where('webauthn_credentials.user_id', '=', user.userId)
        .executeTakeFirstOrThrow();
      expect(Number(row.sign_count)).toBe(2);
      expect(row.last_used_at).not.toBeNull();
      expect((await accountRow(app, user.userId)).second_factor_failures).toBe(0);
    });

    it('offers "Remember this device for 30 days" beside the key, and honours it', async () => {
      const user = await userWithKey();
      const client = await pendingSignIn(app, user.email);
      const page = await client.get('/login/2fa');
      expect(textOf(page.body)).toContain('Remember this device for 30 days');
      const done = await client.post('/login/2fa', {
        method: 'webauthn',
        response: JSON.stringify(user.key.get(requestOptions(page))),
        remember: '1',
      });
      expect(done.status).toBe(303);
      expect(client.cookies.has('portico_device')).toBe(true);
    });

    it('refuses a replayed assertion, on the same and on another pending sign-in', async () => {
      const user = await userWithKey();
      const client = await pendingSignIn(app, user.email);
      const response = await assertion(client, user.key);
      expect((await useKey(client, response)).status).toBe(303);

      const again = await pendingSignIn(app, user.email);
      await again.get('/login/2fa?method=webauthn');
      const replay = await useKey(again, response);
      expect(replay.status).toBe(422);
      expect(again.cookies.has(SESSION_COOKIE)).toBe(false);
      expect(await pendingFailures(again)).toBe(1);
    });

    it('gives one session for one assertion, even when it is sent twice at once', async () => {
      const user = await userWithKey();
      const before = await sessionCount(app, user.userId);
      const client = await pendingSignIn(app, user.email);
      const response = await assertion(client, user.key);
      const pages = await Promise.all([useKey(client, response), useKey(client, response)]);
      expect(pages.filter((p) => p.status === 303 && p.location === '/')).toHaveLength(1);
      expect(await sessionCount(app, user.userId)).toBe(before + 1);
    });

    it('asks again, counting nothing and warning no one, when the page waited past its challenge', async () => {
      const user = await userWithKey();
      const client = await pendingSignIn(app, user.email);
      const stale = await assertion(client, user.key);
      // The page stays open longer than its challenge lives; the sign-in itself has not ended.
      app.clock.advance(6 * 60_000);
      await app.services.postman.drain();
      const since = app.mail.messages.length;
      const page = await useKey(client, stale);
      expect(page.status).toBe(422);
      expect(textOf(page.body)).toContain('This page waited too long for your security key.');
      expect(await pendingFailures(client)).toBe(0);
      expect((await accountRow(app, user.userId)).second_factor_failures).toBe(0);
      expect(await auditCount(app, 'two_factor.challenge_failed', user.userId)).toBe(0);
      await app.services.postman.drain();
      expect(app.mail.messages.slice(since).map((m) => m.subject)).toEqual([]);
      // The page it answers with carries a new challenge, which works.
      const done = await useKey(client, JSON.stringify(user.key.get(requestOptions(page))));
      expect(done.location).toBe('/');
      // A stale answer sent again is no longer the sign-in's: checked and counted as a replay is.
      const other = await pendingSignIn(app, user.email);
      await other.get('/login/2fa?method=webauthn');
      expect((await useKey(other, stale)).status).toBe(422);
      expect(await pendingFailures(other)).toBe(1);
    });

    it('refuses a challenge issued to another pending sign-in', async () => {
      const user = await userWithKey();
      const a = await pendingSignIn(app, user.email);
      const b = await pendingSignIn(app, user.email);
      const forA = await assertion(a, user.key);
      await b.get('/login/2fa?method=webauthn');
      expect((await useKey(b, forA)).status).toBe(422);
      // A's own challenge still works for A.
      expect((await useKey(a, forA)).status).toBe(303);
    });

    it('refuses an assertion for another origin or RP ID, counting the try', async () => {
      const user = await userWithKey();
      const client = await pendingSignIn(app, user.email);
      for (const overrides of [{ origin: 'https://evil.example' }, { rpId: 'evil.example' }]) {
        const response = await assertion(client, user.key, undefined, overrides);
        const page = await useKey(client, response);
        expect(page.status, JSON.stringify(overrides)).toBe(422);
      }
      expect(await pendingFailures(client)).toBe(2);
      expect(await auditCount(app, 'two_factor.challenge_failed', user.userId)).toBe(2);
    });

    it('refuses a signature counter that does not grow (a cloned key)', async () => {
      const user = await userWithKey();
      const first = await pendingSignIn(app, user.email);
      expect(
        (await useKey(first, await assertion(first, user.key, undefined, { counter: 5 }))).status,
      ).toBe(303);
      const client = await pendingSignIn(app, user.email);
      const stale = await assertion(client, user.key, undefined, { counter: 3 });
      const page = await useKey(client, stale);
      expect(page.status).toBe(422);
      expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
      expect(await auditCount(app, 'two_factor.code_replayed', user.userId)).toBe(1);
      const same = await assertion(client, user.key, undefined, { counter: 5 });
      expect((await useKey(client, same)).status).toBe(422);
      // The audit log says which key, and that its counter went back: it may have been copied.
      const entries = await app.db
        .selectFrom('audit_events')
        .select('details')
        .where('event', '=', 'two_factor.code_replayed')
        .where('target_user_id', '=', user.userId)
        .execute();
      expect(entries.map((e) => JSON.parse(String(e.details)) as unknown)).toEqual([
        expect.objectContaining({ reason: 'KEY_COUNTER_WENT_BACK', name: 'Blue key' }),
        expect.objectContaining({ reason: 'KEY_COUNTER_WENT_BACK', name: 'Blue key' }),
      ]);
      const admin = await signedInAdmin(app);
      const log = textOf(
        (await admin.client.get(`/admin/audit?user=${encodeURIComponent(user.email)}`)).body,
      );
      expect(log).toContain('the key’s counter did not go up: the key may have been copied');
      const row = await app.db
        .selectFrom('webauthn_credentials')
        .select('sign_count')
        .where('user_id', '=', user.userId)
        .executeTakeFirstOrThrow();
      expect(Number(row.sign_count)).toBe(5);
    });

    it('accepts a key that keeps no counter (always 0), as passkeys do', async () => {
      const user = await signedInUser(app);
      const key = new SoftAuthenticator(ORIGIN, RP_ID, false);
      await addKey(user.client, key);
      for (let i = 0; i < 2; i += 1) {
        const client = await pendingSignIn(app, user.email);
        expect((await useKey(client, await assertion(client, key))).status).toBe(303);
      }
    });

    it("refuses another user's credential", async () => {
      const victim = await userWithKey();
      const attacker = await userWithKey();
      const client = await pendingSignIn(app, victim.email);
      const page = await client.get('/login/2fa?method=webauthn');
      const options = requestOptions(page);
      // The attacker's own key signs the victim's challenge.
      const attackerCredential = attacker.key.credentials[0]?.id.toString('base64url') ?? '';
      const forged = attacker.key.get(
        { ...options, allowCredentials: [{ id: attackerCredential, type: 'public-key' }] },
        { credentialId: attackerCredential },
      );
      expect((await useKey(client, JSON.stringify(forged))).status).toBe(422);
      expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
    });

    it('counts key failures with the other methods: the sign-in ends, then the account locks', async () => {
      const user = await userWithApp(app);
      const key = new SoftAuthenticator(ORIGIN, RP_ID);
      const added = await addKey(user.client, key);
      expect(added.status).toBe(303);

      const client = await pendingSignIn(app, user.email);
      for (let i = 0; i < 2; i += 1)
        expect((await submitCode(client, 'totp', wrongCode(app, user.secret))).status).toBe(422);
      for (let i = 0; i < 2; i += 1) {
        const bad = await assertion(client, key, undefined, { origin: 'https://evil.example' });
        expect((await useKey(client, bad)).status).toBe(422);
      }
      // The fifth failure ends this sign-in: the password is needed again.
      const ended = await submitCode(client, 'totp', wrongCode(app, user.secret));
      expect(ended.status).toBe(303);
      expect(ended.location).toBe('/login');
      expect(client.cookies.has(PENDING_COOKIE)).toBe(false);

      const next = await pendingSignIn(app, user.email);
      for (let i = 0; i < 4; i += 1) {
        const bad = await assertion(next, key, undefined, { rpId: 'evil.example' });
        expect((await useKey(next, bad)).status).toBe(422);
      }
      const tenth = await assertion(next, key, undefined, { rpId: 'evil.example' });
      expect((await useKey(next, tenth)).status).toBe(423);
      const locked = await accountRow(app, user.userId);
      expect(locked.second_factor_locked_until).not.toBeNull();

      // While locked, even a good assertion is refused and no session is made.
      const later = await pendingSignIn(app, user.email);
      const good = await later.get('/login/2fa?method=webauthn');
      expect(good.status).toBe(423);
      expect((await useKey(later, '{}')).status).toBe(423);
      expect(later.cookies.has(SESSION_COOKIE)).toBe(false);
    });
  });

  describe('policy', () => {
    const savePolicy = (webauthn: boolean, require: 'nobody' | 'all' = 'nobody') =>
      app.services.twoFactor.policy.save(
        { methods: { email: true, totp: true, webauthn }, require, groupIds: [], graceUntil: null },
        { actorLabel: 'test' },
      );

    it('offers security keys in the mandatory set-up and signs in once one is added', async () => {
      await savePolicy(true, 'all');
      try {
        const client = newClient(app);
        const { registerAndVerify, logIn } = await import('../helpers/flows.js');
        const { email, userId } = await registerAndVerify(app, client);
        const login = await logIn(client, email);
        expect(login.location).toBe('/login/2fa/setup');
        const choice = await client.get('/login/2fa/setup');
        expect(textOf(choice.body)).toContain('Add security key');
        const page = await addKey(
          client,
          new SoftAuthenticator(ORIGIN, RP_ID),
          'Key',
          '/login/2fa/setup',
        );
        expect(page.status).toBe(200);
        expect(recoveryCodesOf(page)).toHaveLength(10);
        expect(client.cookies.has(SESSION_COOKIE)).toBe(true);
        expect(await auditCount(app, 'sign_in.succeeded', userId)).toBe(1);
      } finally {
        await savePolicy(true);
      }
    });

    it('turned off: not offered for new set-ups, and an existing key still signs in', async () => {
      const user = await userWithKey();
      await savePolicy(false);
      try {
        const overview = textOf((await user.client.get('/profile/2fa')).body);
        expect(overview).not.toContain('Add security key');
        expect(overview).toContain('Your helpdesk no longer offers this method to new users.');
        expect(overview).toMatch(/Security keys.*\bOn\b/s);
        expect((await user.client.get('/profile/2fa/security-keys/new')).status).toBe(403);
        // The key is still asked for: the password alone never signs in.
        const { logIn } = await import('../helpers/flows.js');
        const client = newClient(app);
        expect((await logIn(client, user.email)).location).toBe('/login/2fa');
        const challenge = await client.get('/login/2fa');
        expect(challenge.body).toContain('data-webauthn-options');
      } finally {
        await savePolicy(true);
      }
    });
  });

  describe('managing keys', () => {
    it("refuses renaming a key to another of the person's keys' name; its own name is fine", async () => {
      const user = await userWithKey();
      expect(
        (await addKey(user.client, new SoftAuthenticator(ORIGIN, RP_ID), 'Spare')).status,
      ).toBe(303);
      const first = await app.db
        .selectFrom('two_factor_methods')
        .select('id')
        .where('user_id', '=', user.userId)
        .where('name', '=', 'Blue key')
        .executeTakeFirstOrThrow();
      const base = `/profile/2fa/security-keys/${first.id}`;
      await user.client.get(`${base}/rename`);
      const clash = await user.client.post(`${base}/rename`, { name: ' spare ' });
      expect(clash.status).toBe(422);
      expect(clash.body).toContain(
        '<p class="error-message" id="name-error">You already have a security key with this name.</p>',
      );
      expect(clash.body).toMatch(/aria-describedby="name-error"\s+aria-invalid="true"/);
      expect(clash.body).toContain('value="spare"');
      await user.client.post('/language', { lang: 'nl', return_to: `${base}/rename` });
      await user.client.get(`${base}/rename`);
      const dutch = await user.client.post(`${base}/rename`, { name: 'SPARE' });
      expect(dutch.status).toBe(422);
      expect(textOf(dutch.body)).toContain('Je hebt al een beveiligingssleutel met deze naam.');
      await user.client.post('/language', { lang: 'en', return_to: `${base}/rename` });
      await user.client.get(`${base}/rename`);
      const own = await user.client.post(`${base}/rename`, { name: 'BLUE key' });
      expect(own.status).toBe(303);
      const names = await app.db
        .selectFrom('two_factor_methods')
        .select('name')
        .where('user_id', '=', user.userId)
        .execute();
      // Both keys were added at the same instant of the test clock: compare without an order.
      expect(names.map((row) => row.name).sort()).toEqual(['BLUE key', 'Spare']);
    });

    it('keeps two names apart when renames race past the form’s check', async () => {
      const user = await userWithKey();
      expect(
        (await addKey(user.client, new SoftAuthenticator(ORIGIN, RP_ID), 'Spare')).status,
      ).toBe(303);
      const keys = await app.db
        .selectFrom('two_factor_methods')
        .selectAll()
        .where('user_id', '=', user.userId)
        .orderBy('created_at')
        .execute();
      const [blue, spare] = keys;
      if (!blue || !spare) throw new Error('two keys expected');
      const userRow = await app.db
        .selectFrom('users')
        .selectAll()
        .where('id', '=', user.userId)
        .executeTakeFirstOrThrow();
      // The service alone, as a second request would reach it after both passed the check.
      const { methods } = app.services.twoFactor;
      const meta = TEST_META;
      expect(await methods.rename(userRow, blue.id, 'Desk', meta)).toMatchObject({ ok: true });
      expect(await methods.rename(userRow, spare.id, 'desk', meta)).toEqual({
        ok: false,
        error: 'NAME_TAKEN',
      });
      // A key added under a name taken since the form checked it is refused the same way.
      expect(
        await methods.add(
          userRow,
          {
            type: 'webauthn',
            name: 'DESK',
            credential: {
              credentialId: 'raced-credential',
              publicKey: 'AQID',
              signCount: 0,
              transports: [],
            },
          },
          meta,
        ),
      ).toEqual({ ok: false, error: 'NAME_TAKEN' });
      // Through the forms at once: one is saved, the other is told, and no two names match.
      for (const id of [blue.id, spare.id])
        await user.client.get(`/profile/2fa/security-keys/${id}/rename`);
      const answers = await Promise.all(
        [blue.id, spare.id].map((id, i) =>
          user.client.post(`/profile/2fa/security-keys/${id}/rename`, {
            name: i === 0 ? 'Travel' : 'travel',
          }),
        ),
      );
      expect(answers.map((answer) => answer.status).sort()).toEqual([303, 422]);
      expect(answers.find((answer) => answer.status === 422)?.body).toContain(
        'You already have a security key with this name.',
      );
      const names = (
        await app.db
          .selectFrom('two_factor_methods')
          .select('name')
          .where('user_id', '=', user.userId)
          .execute()
      ).map((row) => row.name.toLowerCase());
      expect(new Set(names).size).toBe(names.length);
    });
    it('step-up with a key: an old session re-authenticates with password and key', async () => {
      const user = await userWithKey();
      app.clock.advance(ELEVEN_MINUTES);
      const blocked = await user.client.get('/profile/2fa/security-keys/new');
      expect(blocked.status).toBe(303);
      expect(blocked.location).toBe(
        `/reauth?next=${encodeURIComponent('/profile/2fa/security-keys/new')}&cancel=%2Fprofile%2F2fa`,
      );
      await user.client.get('/reauth');
      const reauth = await user.client.post('/reauth', {
        password: PASSWORD,
        next: '/profile/2fa/security-keys/new',
      });
      expect(reauth.location).toMatch(/^\/reauth\/2fa/);
      const page = await user.client.get('/reauth/2fa');
      expect(textOf(page.body)).toContain('Use a security key');
      const response = JSON.stringify(user.key.get(requestOptions(page)));
      const done = await user.client.post('/reauth/2fa', {
        method: 'webauthn',
        response,
        next: '/profile/2fa/security-keys/new',
      });
      expect(done.status).toBe(303);
      expect(done.location).toBe('/profile/2fa/security-keys/new');
      const second = await addKey(user.client, new SoftAuthenticator(ORIGIN, RP_ID), 'Second');
      expect(second.status).toBe(303);
    });

    it('renames and removes a key (with a confirmation), each after a recent sign-in', async () => {
      const user = await userWithKey();
      const method = await app.db
        .selectFrom('two_factor_methods')
        .select('id')
        .where('user_id', '=', user.userId)
        .executeTakeFirstOrThrow();
      const base = `/profile/2fa/security-keys/${method.id}`;
      await user.client.get(`${base}/rename`);
      const renamed = await user.client.post(`${base}/rename`, { name: 'Office key' });
      expect(renamed.status).toBe(303);
      expect(textOf((await user.client.get('/profile/2fa')).body)).toContain('Office key');
      // Saved again with the same name: no rename happened, and none is audited.
      await user.client.get(`${base}/rename`);
      expect((await user.client.post(`${base}/rename`, { name: 'Office key' })).status).toBe(303);
      // The audit log says which key it was: the name before and after.
      const audited = await app.db
        .selectFrom('audit_events')
        .select('details')
        .where('event', '=', 'two_factor.method_renamed')
        .where('actor_user_id', '=', user.userId)
        .execute();
      expect(audited.map((row) => JSON.parse(row.details ?? '{}') as unknown)).toEqual([
        { type: 'webauthn', name: 'Office key', previous_name: 'Blue key' },
      ]);

      // Someone else's key id leads nowhere.
      const stranger = await signedInUser(app);
      expect((await stranger.client.get(`${base}/remove`)).location).toBe('/profile/2fa');
      expect((await stranger.client.post(`${base}/remove`)).location).toBe('/profile/2fa');

      const confirm = await user.client.get(`${base}/remove`);
      expect(textOf(confirm.body)).toContain('Remove “Office key”?');
      app.clock.advance(ELEVEN_MINUTES);
      const stale = await user.client.post(`${base}/remove`);
      expect(stale.location).toMatch(/^\/reauth/);
      app.clock.advance(-ELEVEN_MINUTES);
      await user.client.get(`${base}/remove`);
      const removed = await user.client.post(`${base}/remove`);
      expect(removed.status).toBe(303);
      const left = await app.db
        .selectFrom('webauthn_credentials')
        .select('method_id')
        .where('user_id', '=', user.userId)
        .execute();
      expect(left).toHaveLength(0);
      const codes = await app.db
        .selectFrom('recovery_codes')
        .select('id')
        .where('user_id', '=', user.userId)
        .execute();
      expect(codes).toHaveLength(0);
      expect(await auditCount(app, 'two_factor.method_removed', user.userId)).toBe(1);
    });
  });
});

describe('security keys at an IP address', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ publicUrl: 'http://127.0.0.1:3000' });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('are not offered, since browsers refuse them there, and the settings say why', async () => {
    const user = await signedInUser(app);
    const overview = await user.client.get('/profile/2fa');
    expect(overview.status).toBe(200);
    expect(overview.body).toContain('/profile/2fa/app/new');
    expect(overview.body).not.toContain('/profile/2fa/security-keys/new');
    expect((await user.client.get('/profile/2fa/security-keys/new')).status).toBe(403);
    const admin = await signedInAdmin(app);
    const settings = textOf((await admin.client.get('/admin/2fa')).body);
    expect(settings).toContain('this help center’s address (PUBLIC_URL) is an IP address');
    // Keys alone would leave nothing anyone can set up here: refused, saying why.
    const keysOnly = await admin.client.submit('/admin/2fa', { webauthn: 'on', require: 'all' });
    expect(keysOnly.status).toBe(422);
    expect(textOf(keysOnly.body)).toContain(
      'Leave the Authentication App or Email Authentication on: security keys cannot be used',
    );
    expect((await app.services.twoFactor.policy.get()).require).toBe('nobody');
  });

  it('tell someone who has a key that the address is the reason, not a retired method', async () => {
    // A key added while PUBLIC_URL was a host name, before the help center moved to an IP.
    const user = await signedInUser(app);
    const now = app.clock.now();
    await app.db
      .insertInto('two_factor_methods')
      .values({
        id: 'ip-key',
        user_id: user.userId,
        type: 'webauthn',
        name: 'Old key',
        created_at: now,
      })
      .execute();
    await app.db
      .insertInto('webauthn_credentials')
      .values({
        method_id: 'ip-key',
        user_id: user.userId,
        credential_id: 'ip-key-credential',
        public_key: 'AQID',
        sign_count: 0,
        transports: '[]',
        created_at: now,
      })
      .execute();
    const overview = textOf((await user.client.get('/profile/2fa')).body);
    expect(overview).toContain('Old key');
    expect(overview).toContain(
      "Browsers do not allow security keys at this help center's current address",
    );
    expect(overview).not.toContain('no longer offers this method');

    // At log-in, the key's page says why it cannot be used, with no button that could only
    // fail; with recovery codes left, the page opens on those, the way in.
    await user.client.post('/logout');
    const logInAgain = async () => {
      const browser = newClient(app);
      const login = await browser.submit('/login', { email: user.email, password: PASSWORD });
      expect(login.location).toBe('/login/2fa');
      return browser.get('/login/2fa');
    };
    const keyPage = await logInAgain();
    expect(textOf(keyPage.body)).toContain(
      "Browsers do not allow security keys at this help center's current address",
    );
    expect(keyPage.body).not.toContain('data-webauthn');
    await app.services.twoFactor.recovery.replace(user.userId, app.clock.now());
    const step = await logInAgain();
    expect(step.body).toContain('name="method" value="recovery"');
    expect(step.body).not.toContain('data-webauthn');
  });
});
