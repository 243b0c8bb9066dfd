import type { Kysely } from 'kysely';
import type { AuditQuery } from '../audit/audit-query.js';
import type { Clock } from '../clock.js';
import { DAY_MS } from '../clock.js';
import type { Database, MethodType } from '../db/schema.js';

export interface DashboardCounts {
  users: number;
  administrators: number;
  disabled: number;
  /** Users with at least one second factor. */
  withTwoFactor: number;
  /** Users with at least one method of each type. */
  byMethod: Record<MethodType, number>;
  /**
   * Since `since`: accounts whose second factor was locked, wrong codes, and codes refused
   * because they had been used before (each count is one event type, as its audit link shows).
   */
  lockouts: number;
  failedCodes: number;
  reusedCodes: number;
  /** The start of yesterday (UTC): the audit log's date filter can show exactly these events. */
  since: number;
}

/** The numbers on the console's first page, from the tables and the audit log. */
export function createDashboard(deps: {
  db: Kysely<Database>;
  clock: Clock;
  auditQuery: AuditQuery;
}) {
  const { db, clock, auditQuery } = deps;

  async function counts(): Promise<DashboardCounts> {
    const since = Math.floor(clock.now() / DAY_MS) * DAY_MS - DAY_MS;
    const users = await db
      .selectFrom('users')
      .select((eb) => [
        eb.fn.countAll<number | string>().as('all'),
        eb.fn
          .sum<number | string | null>(eb.case().when('is_admin', '=', 1).then(1).else(0).end())
          .as('admins'),
        eb.fn
          .sum<number | string | null>(
            eb.case().when('disabled_at', 'is not', null).then(1).else(0).end(),
          )
          .as('disabled'),
      ])
      .executeTakeFirstOrThrow();
    const byType = await db
      .selectFrom('two_factor_methods')
      .select((eb) => ['type', eb.fn.count<number | string>('user_id').distinct().as('n')])
      .groupBy('type')
      .execute();
    const any = await db
      .selectFrom('two_factor_methods')
      .select((eb) => eb.fn.count<number | string>('user_id').distinct().as('n'))
      .executeTakeFirstOrThrow();
    const byMethod: Record<MethodType, number> = { totp: 0, email: 0, webauthn: 0 };
    for (const row of byType) byMethod[row.type] = Number(row.n);
    return {
      users: Number(users.all),
      administrators: Number(users.admins ?? 0),
      disabled: Number(users.disabled ?? 0),
      withTwoFactor: Number(any.n),
      byMethod,
      lockouts: await auditQuery.countSince('two_factor.locked', since),
      failedCodes: await auditQuery.countSince('two_factor.challenge_failed', since),
      reusedCodes: await auditQuery.countSince('two_factor.code_replayed', since),
      since,
    };
  }

  return { counts };
}

export type Dashboard = ReturnType<typeof createDashboard>;
