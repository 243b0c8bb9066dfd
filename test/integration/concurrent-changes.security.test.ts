/*
 * Two changes to one account at the same moment: two tabs, a double click, or someone with a
 * stolen session racing the owner. On PostgreSQL each request runs on its own connection, and
 * a change that reads before it writes sees nothing of a rival's uncommitted rows, so every
 * such change holds the account's row first. Each round sends its requests together; without
 * that lock they came out wrong in most rounds.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rotateSession } from '../../src/accounts/sessions.js';
import { findUserById } from '../../src/accounts/users.js';
import { policyForUpdate } from '../../src/two-factor/policy.js';
import type { User } from '../../src/db/schema.js';
import { hashToken, newId } from '../../src/security/tokens.js';
import type { Client } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, PASSWORD, registerAndVerify, uniqueEmail } from '../helpers/flows.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import {
  auditCount,
  newClient,
  pendingSignIn,
  SESSION_COOKIE,
  signedInUser,
  submitCode,
  TEST_META,
  userWithApp,
  wrongCode,
} from '../helpers/two-factor.js';

const ROUNDS = 4;
const SECRET = 'JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP';

describe.each(DIALECTS)('changes to one account at the same moment (%s)', (dialect) => {
  let app: TestApp;
  let adminId: string;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
    adminId = (await registerAndVerify(app, newClient(app))).userId;
  });
  afterAll(async () => {
    await app?.close();
  });

  async function userOf(userId: string): Promise<User> {
    const user = await findUserById(app.db, userId);
    if (!user) throw new Error('no such user');
    return user;
  }

  const unusedCodes = async (userId: string) =>
    (
      await app.db
        .selectFrom('recovery_codes')
        .select('id')
        .where('user_id', '=', userId)
        .where('used_at', 'is', null)
        .execute()
    ).length;

  it('leaves one set of ten recovery codes when new ones are asked for three times at once', async () => {
    const { userId } = await userWithApp(app);
    for (let round = 0; round < ROUNDS; round++) {
      const user = await userOf(userId);
      const sets = await Promise.all(
        [1, 2, 3].map(() => app.services.twoFactor.regenerateRecoveryCodes(user, TEST_META)),
      );
      expect(sets.every((set) => set?.length === 10)).toBe(true);
      // The set that stays is the last one shown; the other two work nowhere.
      expect(await unusedCodes(userId)).toBe(10);
    }
  });

  it('hands out recovery codes once when two first methods are added at once', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { userId, email } = await signedInUser(app);
      const user = await userOf(userId);
      const { methods } = app.services.twoFactor;
      const added = await Promise.all([
        methods.add(user, { type: 'totp', name: 'Phone', secret: SECRET }, TEST_META),
        methods.add(user, { type: 'email', name: 'Mail', email }, TEST_META),
      ]);
      const shown = added.map((result) => (result.ok ? result.value.recoveryCodes : 'refused'));
      expect(shown.filter((codes) => Array.isArray(codes))).toHaveLength(1);
      expect(shown.filter((codes) => codes === null)).toHaveLength(1);
      expect(await unusedCodes(userId)).toBe(10);
    }
  });

  it('keeps one primary address when an address is made primary and removed at once', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { userId } = await signedInUser(app);
      const other = uniqueEmail('other');
      const otherId = newId();
      await app.db
        .insertInto('email_addresses')
        .values({
          id: otherId,
          user_id: userId,
          email: other,
          email_normalized: other,
          is_primary: 0,
          verified_at: app.clock.now(),
          created_at: app.clock.now(),
        })
        .execute();
      const user = await userOf(userId);
      const { emailAddresses } = app.services.accounts;
      await Promise.all([
        emailAddresses.makePrimary(user, otherId, TEST_META),
        emailAddresses.remove(user, otherId, TEST_META),
      ]);
      const rows = await emailAddresses.list(userId);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.filter((row) => row.is_primary === 1)).toHaveLength(1);
    }
  });

  /*
   * The lock must not stop what only refers to the account: a row added for it (a session, a
   * code) takes a key-share lock on the account's row, which FOR UPDATE waits on, and the two
   * would wait on each other.
   */
  it('runs an administrator’s reset beside a session of the person being replaced, never in a deadlock', async () => {
    for (let round = 0; round < ROUNDS * 2; round++) {
      const { userId } = await userWithApp(app);
      const session = await app.db
        .selectFrom('sessions')
        .selectAll()
        .where('user_id', '=', userId)
        .executeTakeFirstOrThrow();
      const outcomes = await Promise.allSettled([
        rotateSession(app.db, session, app.clock.now(), null),
        app.services.twoFactor.resetTwoFactor(
          userId,
          { actorUserId: adminId, meta: TEST_META },
          { administrators: true },
        ),
      ]);
      const failures = outcomes.filter((o) => o.status === 'rejected').map((o) => String(o.reason));
      expect(failures).toEqual([]);
    }
  });

  /*
   * A code check holds the pending sign-in and the account; an administrator's reset (and a
   * disable, a password change) holds the account, then deletes the pending sign-ins. Taken in
   * opposite orders, PostgreSQL found a deadlock and failed one side with a 500: the reset was
   * rolled back, and someone with the password could keep it from happening by trying codes.
   */
  it('checks codes beside an administrator’s reset of that account, never in a deadlock', async () => {
    for (let round = 0; round < ROUNDS * 2; round++) {
      const { email, secret, userId } = await userWithApp(app);
      const clients = await Promise.all([1, 2, 3, 4, 5, 6].map(() => pendingSignIn(app, email)));
      const code = wrongCode(app, secret);
      const [reset, ...answers] = await Promise.allSettled([
        app.services.twoFactor.resetTwoFactor(
          userId,
          { actorUserId: adminId, meta: TEST_META },
          { administrators: true },
        ),
        ...clients.map((client) => submitCode(client, 'totp', code)),
      ]);
      expect(reset).toEqual({ status: 'fulfilled', value: 'reset' });
      for (const answer of answers) {
        expect(answer.status).toBe('fulfilled');
        if (answer.status === 'fulfilled') expect(answer.value.status).toBeLessThan(500);
      }
    }
  });

  it('resets a second factor once when an administrator asks twice at once', async () => {
    for (let round = 0; round < ROUNDS; round++) {
      const { userId } = await userWithApp(app);
      const outcomes = await Promise.all(
        [1, 2].map(() =>
          app.services.twoFactor.resetTwoFactor(
            userId,
            { actorUserId: adminId, meta: TEST_META },
            { administrators: true },
          ),
        ),
      );
      expect(outcomes.sort()).toEqual(['nothing', 'reset']);
      expect(await auditCount(app, 'two_factor.reset_by_admin', userId)).toBe(1);
    }
  });
});

/*
 * A password change renews its own session, then ends the others; "sign out everywhere" and
 * "sign out other sessions" end sessions too. Each takes the account's row first, so none of
 * them holds a session the other waits for while it waits itself (PostgreSQL found a deadlock
 * and failed one with a 500). An outside transaction holding the pending sign-ins stops the
 * password change just after it renewed its session, which is where the two crossed.
 */
describe.runIf(DIALECTS.includes('postgres'))(
  'sessions ended beside a password change (postgres)',
  () => {
    let app: TestApp;
    beforeAll(async () => {
      app = await createTestApp({ dialect: 'postgres' });
    });
    afterAll(async () => {
      await app?.close();
    });

    for (const other of ['an administrator’s "Sign out everywhere"', '"Sign out other sessions"']) {
      it(`lets a password change and ${other} both finish`, async () => {
        const { email, userId } = await registerAndVerify(app, newClient(app));
        // A third, older session: the sign-out takes its row before it reaches the changing
        // one's, and the password change, when it goes on, wants that row too.
        const [older, changing, elsewhere] = [newClient(app), newClient(app), newClient(app)];
        for (const client of [older, changing, elsewhere]) await logIn(client, email);
        const sessionOf = async (client: Client) =>
          app.db
            .selectFrom('sessions')
            .selectAll()
            .where('id_hash', '=', hashToken(client.cookies.get(SESSION_COOKIE) ?? ''))
            .executeTakeFirstOrThrow();
        const [mine, theirs] = [await sessionOf(changing), await sessionOf(elsewhere)];
        const user = await findUserById(app.db, userId);
        if (!user) throw new Error('no user');
        // A log-in of the account at its second step (the password change ends it).
        await app.db
          .insertInto('pending_sign_ins')
          .values({
            id_hash: `pending-${userId}`,
            session_id_hash: null,
            user_id: userId,
            credential_version: user.credential_version,
            stage: 'second_factor',
            created_at: app.clock.now(),
            expires_at: app.clock.now() + 600_000,
            ip: '127.0.0.1',
            user_agent: 'test',
          })
          .execute();
        let release: () => void = () => undefined;
        const released = new Promise<void>((resolve) => (release = resolve));
        let held: () => void = () => undefined;
        const holding = new Promise<void>((resolve) => (held = resolve));
        const holder = app.db.transaction().execute(async (trx) => {
          await trx
            .selectFrom('pending_sign_ins')
            .select('id_hash')
            .where('user_id', '=', userId)
            .forUpdate()
            .execute();
          held();
          await released;
        });
        await holding;
        const settle = (work: Promise<unknown>) =>
          work.then(
            () => 'done',
            (error: unknown) => String(error),
          );
        const change = settle(
          app.services.accounts.credentials.changePassword(
            user,
            mine,
            PASSWORD,
            'a different long passphrase 42',
            TEST_META,
          ),
        );
        await new Promise((resolve) => setTimeout(resolve, 1000));
        const signOut = settle(
          other.startsWith('an administrator')
            ? app.services.admin.accounts.signOutEverywhere(userId, {
                actorLabel: 'test',
                meta: TEST_META,
              })
            : app.services.accounts.sessions.endOthers(user, theirs, TEST_META),
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
        release();
        await holder;
        expect(await Promise.all([change, signOut])).toEqual(['done', 'done']);
      }, 20_000);
    }
  },
);

/*
 * A user group deleted while a member is added to it, or while a policy that requires it is
 * saved. Both take the policy's row, as the deletion does: whichever comes second sees what
 * the first did. An outside transaction holding that row lets each of them pass its first
 * check and then wait, while the group goes; before, the member's insert failed on its
 * foreign key (a 500) and the policy was saved requiring a group that no longer existed.
 */
describe.runIf(DIALECTS.includes('postgres'))('user groups beside the policy (postgres)', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect: 'postgres' });
  });
  afterAll(async () => {
    await app?.close();
  });

  const actor = { actorLabel: 'test', meta: TEST_META };
  const methods = { email: true, totp: true, webauthn: true };

  /**
   * Runs `during` while an outside transaction holds the policy as a deletion does, then
   * deletes `groupId` there. `saved`: whether a policy was saved before (a new installation
   * has none, and no row to lock).
   */
  async function whileGroupGoes<T>(
    groupId: string,
    saved: boolean,
    during: () => Promise<T>,
  ): Promise<T> {
    if (saved)
      await app.services.admin.twoFactorSettings.save(
        { methods, require: 'nobody', groupIds: [], graceUntil: null },
        actor,
      );
    else await app.db.deleteFrom('settings').where('key', '=', 'two_factor_policy').execute();
    let release: () => void = () => undefined;
    const released = new Promise<void>((resolve) => (release = resolve));
    let held: () => void = () => undefined;
    const holding = new Promise<void>((resolve) => (held = resolve));
    const holder = app.db.transaction().execute(async (trx) => {
      await policyForUpdate(trx);
      held();
      await released;
      await trx.deleteFrom('user_groups').where('id', '=', groupId).execute();
    });
    await holding;
    const work = during();
    await new Promise((resolve) => setTimeout(resolve, 500));
    release();
    await holder;
    return work;
  }

  for (const saved of [true, false]) {
    const when = saved ? '' : ', on a new installation with no policy saved yet';
    it(`answers "not found" to a member added while the group is deleted${when}`, async () => {
      const group = await app.services.admin.groups.create(`Going ${newId()}`, actor);
      if (!group.ok) throw new Error('no group');
      const { email } = await registerAndVerify(app, newClient(app));
      const added = await whileGroupGoes(group.value.id, saved, () =>
        app.services.admin.groups.addMemberByEmail(group.value.id, email, actor),
      );
      expect(added).toEqual({ ok: false, error: 'NOT_FOUND' });
    });

    it(`saves no policy that requires a group deleted while it was checked${when}`, async () => {
      const group = await app.services.admin.groups.create(`Required ${newId()}`, actor);
      if (!group.ok) throw new Error('no group');
      const answer = await whileGroupGoes(group.value.id, saved, () =>
        app.services.admin.twoFactorSettings.save(
          { methods, require: 'groups', groupIds: [group.value.id], graceUntil: null },
          actor,
        ),
      );
      expect(answer).toEqual({ ok: false, errors: ['UNKNOWN_GROUP'] });
      expect(await app.services.twoFactor.policy.get()).toMatchObject({ require: 'nobody' });
    });
  }
});
