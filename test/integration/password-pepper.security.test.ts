/**
 * NIST SP 800-63B 5.1.1.2: password hashes get a keyed step with a secret kept apart from
 * them, so a copy of the database alone does not let anyone test guesses. Portico's pepper is
 * Argon2's secret input, derived from the master key. These tests pin that every new hash has
 * it, and that a hash stored before it existed still signs its owner in and is replaced by a
 * peppered one at that moment, without ending anything that depends on the password.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPasswordHasher, pepperId } from '../../src/accounts/passwords.js';
import { renewPasswordHash } from '../../src/accounts/users.js';
import { Client } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, PASSWORD, registerAndVerify } from '../helpers/flows.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp, FAST_HASHING } from '../helpers/test-app.js';
import { passwordRow } from '../helpers/two-factor.js';

describe.each(DIALECTS)('the password pepper (%s)', (dialect) => {
  let app: TestApp;
  let keyId: string;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
    keyId = pepperId(app.services.keys.pepper);
  });
  afterAll(async () => {
    await app?.close();
  });

  const stored = (userId: string) => passwordRow(app, userId);

  /** Stores a hash of `password` made the way it was before the pepper, and returns it. */
  async function storeLegacyHash(userId: string, password = PASSWORD): Promise<string> {
    const legacy = await createPasswordHasher(FAST_HASHING).hash(password);
    await app.db
      .updateTable('users')
      .set({ password_hash: legacy })
      .where('id', '=', userId)
      .execute();
    return legacy;
  }

  it('is in every new hash, and a copy of the hash alone does not verify the password', async () => {
    const { userId } = await registerAndVerify(app, new Client(app.app));
    const { password_hash: hash } = await stored(userId);
    expect(hash).toContain(`,keyid=${keyId}$`);
    // Without the key, even with the marker taken out, the right password does not match.
    const unmarked = hash.replace(/,keyid=[^$]+/, '');
    expect(await createPasswordHasher(FAST_HASHING).verify(unmarked, PASSWORD)).toBe(false);
  });

  it('replaces a hash made before it at the next right password, and ends nothing', async () => {
    const signedIn = new Client(app.app);
    const { email, userId } = await registerAndVerify(app, signedIn);
    expect((await logIn(signedIn, email)).status).toBe(303);
    const legacy = await storeLegacyHash(userId);
    const before = await stored(userId);

    // A wrong password changes nothing.
    expect((await logIn(new Client(app.app), email, 'not the password at all')).status).toBe(401);
    expect(await stored(userId)).toEqual(before);

    // The right one signs in as before, and leaves a peppered hash of the same password.
    expect((await logIn(new Client(app.app), email)).status).toBe(303);
    const after = await stored(userId);
    expect(after.password_hash).not.toBe(legacy);
    expect(after.password_hash).toContain(`,keyid=${keyId}$`);
    expect(after.credential_version).toBe(before.credential_version);
    expect((await signedIn.get('/profile')).status).toBe(200);

    // Once peppered, it stays as it is.
    expect((await logIn(new Client(app.app), email)).status).toBe(303);
    expect(await stored(userId)).toEqual(after);
  });

  it('replaces an older hash when the password is confirmed for a step-up too', async () => {
    const client = new Client(app.app);
    const { email, userId } = await registerAndVerify(app, client);
    expect((await logIn(client, email)).status).toBe(303);
    const legacy = await storeLegacyHash(userId);
    await client.get('/reauth?next=%2Fprofile%2Fpassword');
    const confirmed = await client.post('/reauth', {
      password: PASSWORD,
      next: '/profile/password',
    });
    expect(confirmed.status).toBe(303);
    const { password_hash: renewed } = await stored(userId);
    expect(renewed).not.toBe(legacy);
    expect(renewed).toContain(`,keyid=${keyId}$`);
  });

  it('leaves the hash of a disabled account, and one changed since it was read', async () => {
    const { email, userId } = await registerAndVerify(app, new Client(app.app));
    const legacy = await storeLegacyHash(userId);
    await app.db
      .updateTable('users')
      .set({ disabled_at: app.clock.now() })
      .where('id', '=', userId)
      .execute();
    expect((await logIn(new Client(app.app), email)).status).toBe(403);
    expect((await stored(userId)).password_hash).toBe(legacy);

    // A password changed between reading the account and storing the new hash wins.
    const changed = await storeLegacyHash(userId, 'another long passphrase');
    await renewPasswordHash(
      app.db,
      app.services.hasher,
      { id: userId, password_hash: legacy },
      PASSWORD,
    );
    expect((await stored(userId)).password_hash).toBe(changed);
    // Read afresh, the older hash is renewed.
    await renewPasswordHash(
      app.db,
      app.services.hasher,
      { id: userId, password_hash: changed },
      'another long passphrase',
    );
    expect((await stored(userId)).password_hash).toContain(`,keyid=${keyId}$`);
  });
});
