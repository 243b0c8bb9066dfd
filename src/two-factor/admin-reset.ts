import { sql } from '../db/kysely.js';
import { holdAccountRow } from '../accounts/users.js';
import type { AuditEntry } from '../audit/audit.js';
import type { TwoFactorDeps } from './deps.js';
import type { Notify } from './notifications.js';
import { forgetAllIn } from './trusted-devices.js';

export type ResetOutcome = 'reset' | 'not_found' | 'self' | 'nothing' | 'administrator';

/**
 * An administrator's reset for someone who lost their second factor (SPEC §4 "admin reset"):
 * every method, recovery code, set-up, email code and pending sign-in goes, every session
 * ends, the lock is lifted. The person signs in with their password and, where 2FA is
 * required, must set it up again. Audited and emailed. The administrator never chooses a
 * secret for them (ASVS 5 §6.4.6). Someone without a method has nothing to reset (`nothing`):
 * no sessions end, no mail, no audit entry, wherever the reset is asked for.
 *
 * `administrators: false` refuses an administrator (`administrator`): an API key must not be
 * able to strip an administrator's second factor, which with a phished password is the whole
 * console. Another administrator in the console, or the command line, may.
 */
export function createAdminReset(deps: TwoFactorDeps, notify: Notify) {
  const { db, clock, audit } = deps;
  return async function resetTwoFactor(
    targetUserId: string,
    actor: Pick<AuditEntry, 'actorUserId' | 'actorLabel' | 'meta'>,
    options: { administrators: boolean },
  ): Promise<ResetOutcome> {
    if (actor.actorUserId === targetUserId) return 'self';
    const now = clock.now();
    const user = await db.transaction().execute(async (trx) => {
      await holdAccountRow(trx, targetUserId);
      if (!options.administrators) {
        const target = await trx
          .selectFrom('users')
          .select('is_admin')
          .where('id', '=', targetUserId)
          .executeTakeFirst();
        if (target?.is_admin === 1) return 'administrator' as const;
      }
      const method = await trx
        .selectFrom('two_factor_methods')
        .select('id')
        .where('user_id', '=', targetUserId)
        .executeTakeFirst();
      if (!method) {
        const exists = await trx
          .selectFrom('users')
          .select('id')
          .where('id', '=', targetUserId)
          .executeTakeFirst();
        return exists ? ('nothing' as const) : undefined;
      }
      const row = await trx
        .updateTable('users')
        .set({
          credential_version: sql`credential_version + 1`,
          second_factor_failures: 0,
          second_factor_locked_until: null,
          second_factor_locks: 0,
          updated_at: now,
        })
        .where('id', '=', targetUserId)
        .returningAll()
        .executeTakeFirst();
      if (!row) return undefined;
      const removed = await trx
        .deleteFrom('two_factor_methods')
        .where('user_id', '=', targetUserId)
        .returning('type')
        .execute();
      await trx.deleteFrom('recovery_codes').where('user_id', '=', targetUserId).execute();
      await trx.deleteFrom('two_factor_setups').where('user_id', '=', targetUserId).execute();
      await trx.deleteFrom('email_codes').where('user_id', '=', targetUserId).execute();
      await trx.deleteFrom('pending_sign_ins').where('user_id', '=', targetUserId).execute();
      await forgetAllIn(trx, targetUserId);
      await trx.deleteFrom('sessions').where('user_id', '=', targetUserId).execute();
      await audit.record(
        {
          event: 'two_factor.reset_by_admin',
          ...actor,
          targetUserId,
          details: { methods: removed.map((m) => m.type).join(',') },
        },
        trx,
      );
      return { row };
    });
    if (!user) return 'not_found';
    if (user === 'nothing' || user === 'administrator') return user;
    await notify(user.row, { kind: 'reset_by_admin' });
    return 'reset';
  };
}
