import type { Kysely } from 'kysely';
import { createApiKeys } from '../api-keys/api-keys.js';
import type { Audit } from '../audit/audit.js';
import { createAuditQuery } from '../audit/audit-query.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import type { TwoFactor } from '../two-factor/two-factor.js';
import { createAccountAdmin } from './account-admin.js';
import { createDashboard } from './dashboard.js';
import { createGroupAdmin } from './group-admin.js';
import { createTwoFactorSettings } from './two-factor-settings.js';
import { createUserDirectory } from './user-directory.js';

/** Everything the admin console, the JSON API and the CLI do, built once from its parts. */
export function createAdministration(deps: {
  db: Kysely<Database>;
  clock: Clock;
  audit: Audit;
  twoFactor: TwoFactor;
  sessionIdleMs: number;
  sessionMaxMs: number;
}) {
  const { db, clock, audit, twoFactor } = deps;
  const auditQuery = createAuditQuery(db);
  return {
    auditLog: auditQuery,
    dashboard: createDashboard({ db, clock, auditQuery }),
    apiKeys: createApiKeys({ db, clock, audit }),
    directory: createUserDirectory({
      db,
      clock,
      sessionIdleMs: deps.sessionIdleMs,
      sessionMaxMs: deps.sessionMaxMs,
      auditQuery,
    }),
    accounts: createAccountAdmin({ db, clock, audit, twoFactor }),
    groups: createGroupAdmin({ db, groups: twoFactor.groups, policy: twoFactor.policy }),
    twoFactorSettings: createTwoFactorSettings({
      policy: twoFactor.policy,
      groups: twoFactor.groups,
      clock,
    }),
  };
}

export type Administration = ReturnType<typeof createAdministration>;
