import type { AuditEntry } from '../audit/audit.js';
import type { Clock } from '../clock.js';
import type { Policy, Requirement, TwoFactorPolicy } from '../two-factor/policy.js';
import type { UserGroups } from '../two-factor/user-groups.js';
import type { AdminErrorCode, AdminResult } from './error-codes.js';
import { AdminError, adminOk } from './error-codes.js';

/**
 * Grace periods end before the year 10000: the console's date field and the API's date-times
 * have four-digit years. The last day the console can give is 30 December 9999 (a day's period
 * ends when the next day begins).
 */
export const GRACE_LIMIT = Date.UTC(10000, 0, 1);

export type Actor = Pick<AuditEntry, 'actorUserId' | 'actorLabel' | 'meta'>;

type Saved = AdminResult<TwoFactorPolicy> | { ok: false; errors: AdminErrorCode[] };
/** Another save came between the form's opening and this one: nothing saved. */
type ChangedMeanwhile = { ok: false; changed: true };

export interface PolicyInput {
  /** Security keys: left as they are when not given (API clients that predate them). */
  methods: { email: boolean; totp: boolean; webauthn?: boolean };
  require: Requirement;
  groupIds: string[];
  graceUntil: number | null;
}

/**
 * Changing the 2FA policy, from the console or the API, under the same rules: at least one
 * method stays on (or nobody could sign in who must use 2FA, administrators included),
 * "Selected user groups" names at least one group that exists, and a grace period does not end
 * in the past, nor after the year 9999. A day already over postpones nothing: most likely a
 * slip. The end saved before may stay as it is, so the other settings can be saved after it
 * has passed.
 */
export function createTwoFactorSettings(parts: {
  policy: Policy;
  groups: UserGroups;
  clock: Clock;
}) {
  const { policy, groups, clock } = parts;

  async function problems(input: PolicyInput): Promise<AdminErrorCode[]> {
    const found: AdminErrorCode[] = [];
    const saved = await policy.get();
    // Keys count only where browsers can use them (not at an IP-address PUBLIC_URL): a policy
    // of keys alone there would leave nothing anyone can set up.
    const webauthn = (input.methods.webauthn ?? saved.methods.webauthn) && policy.securityKeysWork;
    if (!input.methods.email && !input.methods.totp && !webauthn)
      found.push(AdminError.AT_LEAST_ONE_METHOD);
    const known = new Set((await groups.list()).map((g) => g.id));
    if (input.groupIds.some((id) => !known.has(id))) found.push(AdminError.UNKNOWN_GROUP);
    else if (input.require === 'groups' && input.groupIds.length === 0)
      found.push(AdminError.GROUPS_REQUIRED);
    const { graceUntil } = input;
    if (graceUntil !== null && graceUntil <= clock.now() && graceUntil !== saved.graceUntil)
      found.push(AdminError.GRACE_ENDED);
    else if (graceUntil !== null && !(graceUntil < GRACE_LIMIT))
      found.push(AdminError.GRACE_TOO_LATE);
    return found;
  }

  /**
   * `opened`: the policy the form was opened on. When another save came between, nothing is
   * saved and the answer is `changed`.
   */
  function save(input: PolicyInput, actor: Actor): Promise<Saved>;
  function save(
    input: PolicyInput,
    actor: Actor,
    opened: TwoFactorPolicy | null,
  ): Promise<Saved | ChangedMeanwhile>;
  async function save(
    input: PolicyInput,
    actor: Actor,
    opened?: TwoFactorPolicy | null,
  ): Promise<Saved | ChangedMeanwhile> {
    const errors = await problems(input);
    if (errors.length > 0) return { ok: false, errors };
    const next: TwoFactorPolicy = {
      methods: {
        email: input.methods.email,
        totp: input.methods.totp,
        webauthn: input.methods.webauthn ?? (await policy.get()).methods.webauthn,
      },
      require: input.require,
      groupIds: [...new Set(input.groupIds)],
      graceUntil: input.graceUntil,
    };
    const outcome = await policy.save(next, actor, opened ?? undefined);
    if (outcome === 'changed') return { ok: false, changed: true };
    if (outcome === 'group_gone') return { ok: false, errors: [AdminError.UNKNOWN_GROUP] };
    return adminOk(next);
  }

  return { get: () => policy.get(), problems, save };
}

export type TwoFactorSettings = ReturnType<typeof createTwoFactorSettings>;
