import type { Kysely } from 'kysely';
import { sql } from './db/kysely.js';
import { createAdministrators } from './accounts/administrators.js';
import { createCredentials } from './accounts/credentials.js';
import type { AccountDeps } from './accounts/deps.js';
import { createEmailAddresses } from './accounts/email-addresses.js';
import type { PasswordScreen } from './accounts/password-screen.js';
import type { PasswordHasher } from './accounts/passwords.js';
import { createRegistration } from './accounts/registration.js';
import { createSessionList } from './accounts/session-list.js';
import type { ActiveSession } from './accounts/sessions.js';
import { primaryAddressOf, signInAddressOf } from './accounts/users.js';
import { revokeSession } from './accounts/sessions.js';
import type { SecondFactorGate } from './accounts/sign-in.js';
import { createSignIn, noSecondFactor } from './accounts/sign-in.js';
import type { Audit, RequestMeta } from './audit/audit.js';
import { createAudit } from './audit/audit.js';
import type { Clock } from './clock.js';
import type { Database } from './db/schema.js';
import { createKnowledgeBase } from './knowledge-base/knowledge-base.js';
import type { Postman } from './mail/postman.js';
import type { Keys } from './security/secret-key.js';
import { createTwoFactor } from './two-factor/two-factor.js';
import { createAdministration } from './admin/administration.js';

export interface ServiceOptions {
  db: Kysely<Database>;
  clock: Clock;
  hasher: PasswordHasher;
  passwordScreen: PasswordScreen;
  postman: Postman;
  keys: Keys;
  publicUrl: URL;
  sessionIdleMs: number;
  sessionMaxMs: number;
  siteName: string;
}

/** Builds every domain service from its dependencies; the one place they are wired together. */
/** How long `GET /health/ready` waits for the database before it says the process is not. */
const READY_TIMEOUT_MS = 2_000;

export function createServices(options: ServiceOptions) {
  const audit: Audit = createAudit(options.db, options.clock);
  const deps: AccountDeps = { ...options, audit };
  let gate: SecondFactorGate = noSecondFactor;
  const signIn = createSignIn(deps, () => gate);
  const twoFactor = createTwoFactor(
    { ...deps, keys: options.keys, issuer: options.siteName },
    signIn,
  );
  gate = twoFactor.gate;
  return {
    db: options.db,
    /**
     * Whether the database answers a trivial query within `timeoutMs`: `GET /health/ready`, for
     * a load balancer that should send no one to a process whose database is gone.
     */
    async databaseReachable(timeoutMs = READY_TIMEOUT_MS): Promise<boolean> {
      let timer: NodeJS.Timeout | undefined;
      const late = new Promise<false>((resolve) => {
        timer = setTimeout(() => resolve(false), timeoutMs);
      });
      const answer = sql`select 1`.execute(options.db).then(
        () => true,
        () => false,
      );
      try {
        return await Promise.race([answer, late]);
      } finally {
        clearTimeout(timer);
      }
    },
    clock: options.clock,
    audit,
    postman: options.postman,
    hasher: options.hasher,
    passwordScreen: options.passwordScreen,
    siteName: options.siteName,
    keys: options.keys,
    knowledgeBase: createKnowledgeBase({ db: options.db, clock: options.clock, audit }),
    accounts: {
      signIn,
      registration: createRegistration(deps),
      emailAddresses: createEmailAddresses(deps),
      credentials: createCredentials(deps),
      administrators: createAdministrators(deps),
      primaryAddress: (userId: string) => primaryAddressOf(options.db, userId),
      signInAddress: (userId: string, addressId: string | null) =>
        signInAddressOf(options.db, userId, addressId),
      sessions: {
        ...createSessionList(deps),
        revoke: (idHash: string) => revokeSession(options.db, idHash),
        async signOut(auth: ActiveSession, meta: RequestMeta) {
          await revokeSession(options.db, auth.session.id_hash);
          await audit.record({ event: 'sign_out', actorUserId: auth.user.id, meta });
        },
      },
    },
    twoFactor,
    admin: createAdministration({
      db: options.db,
      clock: options.clock,
      audit,
      twoFactor,
      sessionIdleMs: options.sessionIdleMs,
      sessionMaxMs: options.sessionMaxMs,
    }),
  };
}

export type Services = ReturnType<typeof createServices>;
