import type { SecondFactorGate, SignIn } from '../accounts/sign-in.js';
import { holdAccountRow } from '../accounts/users.js';
import type { RequestMeta } from '../audit/audit.js';
import type { User } from '../db/schema.js';
import { createAdminReset } from './admin-reset.js';
import { createChallenge } from './challenge.js';
import type { TwoFactorDeps } from './deps.js';
import { createEmailCodes } from './email/email-codes.js';
import { createMethods } from './methods.js';
import { createNotifier } from './notifications.js';
import { createPolicy } from './policy.js';
import { createRecoveryCodes } from './recovery-codes/recovery-codes.js';
import { createSetup } from './setup.js';
import { createTrustedDevices } from './trusted-devices.js';
import { createUserGroups } from './user-groups.js';
import { createSecurityKeys, securityKeysWorkAt } from './webauthn/security-keys.js';

/** Builds the two-factor module and the gate the sign-in state machine consults. */
export function createTwoFactor(deps: TwoFactorDeps, signIn: SignIn) {
  const { db, clock, audit, keys } = deps;
  const policy = createPolicy(db, clock, audit, securityKeysWorkAt(deps.publicUrl));
  const notify = createNotifier(db, deps.postman, () => clock.now());
  const recovery = createRecoveryCodes(db, keys.codes);
  const emailCodes = createEmailCodes(db, keys.codes);
  const methods = createMethods(deps, policy, recovery, notify);
  const securityKeys = createSecurityKeys(deps, { methods, policy });
  const challenge = createChallenge(deps, {
    methods,
    emailCodes,
    recovery,
    policy,
    notify,
    signIn,
    securityKeys,
  });
  const setup = createSetup(deps, { methods, emailCodes, policy });
  const groups = createUserGroups(db, clock, audit);
  const trustedDevices = createTrustedDevices({ db, clock, audit });

  /**
   * A user with a usable method must give it; a user who must use 2FA and has none must set
   * one up; everyone else signs in with the password alone.
   */
  const gate: SecondFactorGate = {
    async requirementFor(user: User) {
      if ((await methods.usable(user.id)).length > 0) return 'second_factor';
      return (await policy.isRequiredFor(user, await policy.get())) ? 'setup_required' : 'none';
    },
    /** A locked second factor is not skipped either: the lock outlasts every way around it. */
    async trustsDevice(user, token, meta) {
      const locked =
        user.second_factor_locked_until !== null && user.second_factor_locked_until > clock.now();
      return !locked && (await trustedDevices.recognise(user, token, meta));
    },
  };

  async function regenerateRecoveryCodes(user: User, meta: RequestMeta): Promise<string[] | null> {
    const codes = await db.transaction().execute(async (trx) => {
      await holdAccountRow(trx, user.id);
      // Asked under the hold: an administrator's reset a moment before leaves no method.
      if ((await methods.list(user.id, trx)).length === 0) return null;
      const fresh = await recovery.replace(user.id, clock.now(), trx);
      await audit.record(
        { event: 'two_factor.recovery_codes_regenerated', actorUserId: user.id, meta },
        trx,
      );
      return fresh;
    });
    if (!codes) return null;
    await notify(user, { kind: 'recovery_codes_regenerated' });
    return codes;
  }

  return {
    policy,
    methods,
    challenge,
    setup,
    securityKeys,
    groups,
    recovery,
    trustedDevices,
    gate,
    regenerateRecoveryCodes,
    resetTwoFactor: createAdminReset(deps, notify),
  };
}

export type TwoFactor = ReturnType<typeof createTwoFactor>;
