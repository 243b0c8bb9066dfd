import type { Kysely, Transaction } from 'kysely';
import { PostgresAdapter } from '../db/kysely.js';
import type { Audit } from '../audit/audit.js';
import type { Clock } from '../clock.js';
import type { Database, User } from '../db/schema.js';
import type { TwoFactor } from '../two-factor/two-factor.js';
import type { AdminResult } from './error-codes.js';
import { AdminError, adminFail, adminOk } from './error-codes.js';
import type { Actor } from './two-factor-settings.js';
import { revokeTokens } from '../accounts/email-tokens.js';
import { forgetAllIn } from '../two-factor/trusted-devices.js';
import { holdAccountRow } from '../accounts/users.js';

/**
 * What administrators do to accounts: disable and enable them, grant and revoke
 * administrator rights, end every session, reset the second factor. Each is audited. The
 * console can never be left without an administrator, and nobody changes their own account
 * from here (an administrator who lost their factor is helped by another one, or by the CLI).
 */
export function createAccountAdmin(deps: {
  db: Kysely<Database>;
  clock: Clock;
  audit: Audit;
  twoFactor: TwoFactor;
}) {
  const { db, clock, audit, twoFactor } = deps;
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;

  /**
   * The active administrators, locked against concurrent changes on PostgreSQL (two
   * administrators revoking each other at once must not leave none). SQLite runs one write
   * transaction at a time anyway.
   */
  async function lockActiveAdmins(trx: Transaction<Database>): Promise<string[]> {
    const query = trx
      .selectFrom('users')
      .select('id')
      .where('is_admin', '=', 1)
      .where('disabled_at', 'is', null);
    const rows = await (postgres ? query.forUpdate() : query).execute();
    return rows.map((r) => r.id);
  }

  /** Runs a change on one account, refusing it for the actor's own account. */
  async function onOther<T>(
    targetUserId: string,
    actor: Actor,
    change: (trx: Transaction<Database>, user: User) => Promise<AdminResult<T>>,
  ): Promise<AdminResult<T>> {
    if (actor.actorUserId && actor.actorUserId === targetUserId) return adminFail(AdminError.SELF);
    return db.transaction().execute(async (trx) => {
      const user = await trx
        .selectFrom('users')
        .selectAll()
        .where('id', '=', targetUserId)
        .executeTakeFirst();
      if (!user) return adminFail(AdminError.NOT_FOUND);
      return change(trx, user);
    });
  }

  async function endSessions(trx: Transaction<Database>, userId: string): Promise<void> {
    await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
    await trx.deleteFrom('pending_sign_ins').where('user_id', '=', userId).execute();
  }

  /**
   * A disabled account cannot sign in; its sessions and pending sign-ins end at once. An
   * account is disabled when it is feared lost, so its remembered browsers are forgotten and
   * its reset and verification links end too: enabled again, it gives its second step
   * everywhere, and no link mailed before sets its password or proves an address.
   */
  function disable(targetUserId: string, actor: Actor): Promise<AdminResult<User>> {
    return onOther(targetUserId, actor, async (trx, user) => {
      if (user.disabled_at !== null) return adminFail(AdminError.ALREADY);
      if (user.is_admin === 1) {
        const admins = await lockActiveAdmins(trx);
        if (admins.length <= 1) return adminFail(AdminError.LAST_ADMIN);
      }
      const now = clock.now();
      await trx
        .updateTable('users')
        .set({ disabled_at: now, updated_at: now })
        .where('id', '=', user.id)
        .execute();
      await endSessions(trx, user.id);
      await forgetAllIn(trx, user.id);
      await revokeTokens(trx, user.id, 'reset_password', now);
      // Nor proves an address: a link to one just added would give whoever holds the
      // password and that mailbox an address of their own on the account, through the disable.
      await revokeTokens(trx, user.id, 'verify_email', now);
      await audit.record({ event: 'user.disabled', ...actor, targetUserId: user.id }, trx);
      return adminOk({ ...user, disabled_at: now });
    });
  }

  function enable(targetUserId: string, actor: Actor): Promise<AdminResult<User>> {
    return onOther(targetUserId, actor, async (trx, user) => {
      if (user.disabled_at === null) return adminFail(AdminError.ALREADY);
      await trx
        .updateTable('users')
        .set({ disabled_at: null, updated_at: clock.now() })
        .where('id', '=', user.id)
        .execute();
      await audit.record({ event: 'user.enabled', ...actor, targetUserId: user.id }, trx);
      return adminOk({ ...user, disabled_at: null });
    });
  }

  /**
   * A new administrator's present sessions were made without a second factor for the console
   * in mind; the console's guard asks them to step up (or set 2FA up) before it opens.
   */
  function grantAdmin(targetUserId: string, actor: Actor): Promise<AdminResult<User>> {
    return onOther(targetUserId, actor, async (trx, user) => {
      if (user.is_admin === 1) return adminFail(AdminError.ALREADY);
      await trx
        .updateTable('users')
        .set({ is_admin: 1, updated_at: clock.now() })
        .where('id', '=', user.id)
        .execute();
      await audit.record({ event: 'user.admin_granted', ...actor, targetUserId: user.id }, trx);
      return adminOk({ ...user, is_admin: 1 });
    });
  }

  function revokeAdmin(targetUserId: string, actor: Actor): Promise<AdminResult<User>> {
    return onOther(targetUserId, actor, async (trx, user) => {
      if (user.is_admin !== 1) return adminFail(AdminError.ALREADY);
      const admins = await lockActiveAdmins(trx);
      if (user.disabled_at === null && admins.length <= 1) return adminFail(AdminError.LAST_ADMIN);
      await trx
        .updateTable('users')
        .set({ is_admin: 0, updated_at: clock.now() })
        .where('id', '=', user.id)
        .execute();
      await audit.record({ event: 'user.admin_revoked', ...actor, targetUserId: user.id }, trx);
      return adminOk({ ...user, is_admin: 0 });
    });
  }

  /** Ends every session of the account (also the actor's own, if it is theirs). */
  async function signOutEverywhere(targetUserId: string, actor: Actor): Promise<AdminResult<User>> {
    return db.transaction().execute(async (trx) => {
      // The account's row first, as every other writer of its sessions and pending sign-ins.
      await holdAccountRow(trx, targetUserId);
      const user = await trx
        .selectFrom('users')
        .selectAll()
        .where('id', '=', targetUserId)
        .executeTakeFirst();
      if (!user) return adminFail(AdminError.NOT_FOUND);
      await endSessions(trx, user.id);
      await audit.record(
        { event: 'user.signed_out_everywhere', ...actor, targetUserId: user.id },
        trx,
      );
      return adminOk(user);
    });
  }

  /**
   * Lifts a lock on the second step (wrong codes) and keeps the methods: for an owner locked
   * out by someone else's guesses, where a 2FA reset would leave the account to the password
   * alone, the one thing the guesser has. Refused for the actor's own account, for an
   * account that is not locked (ALREADY), and for an administrator's when `administrators` is
   * false (the JSON API: a key that could lift an administrator's lock would give a guesser
   * of their codes ten more tries at a time).
   */
  async function unlockSecondFactor(
    targetUserId: string,
    actor: Actor,
    options: { administrators: boolean },
  ): Promise<AdminResult<User>> {
    return onOther(targetUserId, actor, async (trx, user) => {
      if (!options.administrators && user.is_admin === 1)
        return adminFail(AdminError.TARGET_IS_ADMIN);
      const now = clock.now();
      const unlocked = await trx
        .updateTable('users')
        .set({
          second_factor_failures: 0,
          second_factor_locked_until: null,
          second_factor_locks: 0,
          updated_at: now,
        })
        .where('id', '=', user.id)
        .where('second_factor_locked_until', '>', now)
        .executeTakeFirst();
      if (unlocked.numUpdatedRows === 0n) return adminFail(AdminError.ALREADY);
      await audit.record(
        { event: 'two_factor.unlocked_by_admin', ...actor, targetUserId: user.id },
        trx,
      );
      return adminOk(user);
    });
  }

  /**
   * SPEC §4 "admin reset", refused for the actor's own account, and for an administrator's
   * when `administrators` is false (the JSON API: createAdminReset says why).
   */
  async function resetTwoFactor(
    targetUserId: string,
    actor: Actor,
    options: { administrators: boolean },
  ): Promise<AdminResult<void>> {
    const outcome = await twoFactor.resetTwoFactor(targetUserId, actor, options);
    if (outcome === 'self') return adminFail(AdminError.SELF);
    if (outcome === 'administrator') return adminFail(AdminError.TARGET_IS_ADMIN);
    if (outcome === 'not_found') return adminFail(AdminError.NOT_FOUND);
    if (outcome === 'nothing') return adminFail(AdminError.NOTHING_TO_RESET);
    return adminOk(undefined);
  }

  return {
    disable,
    enable,
    grantAdmin,
    revokeAdmin,
    signOutEverywhere,
    resetTwoFactor,
    unlockSecondFactor,
  };
}

export type AccountAdmin = ReturnType<typeof createAccountAdmin>;
