import type { ExpressionBuilder, Kysely } from 'kysely';
import type { Audit, AuditEntry } from '../audit/audit.js';
import type { Clock } from '../clock.js';
import { PostgresAdapter, sql } from '../db/kysely.js';
import { firstRow, precompiled } from '../db/precompiled.js';
import type { Database, MethodType, User } from '../db/schema.js';

export type Requirement = 'nobody' | 'groups' | 'all';

export interface TwoFactorPolicy {
  /** Which methods may be set up and used. */
  methods: Record<MethodType, boolean>;
  require: Requirement;
  /** The groups whose members must use 2FA when `require` is "groups". */
  groupIds: string[];
  /** Until this moment, people who must set up 2FA may postpone it ("Set up later"). */
  graceUntil: number | null;
}

export const DEFAULT_POLICY: TwoFactorPolicy = {
  methods: { email: true, totp: true, webauthn: true },
  require: 'nobody',
  groupIds: [],
  graceUntil: null,
};

const SETTING_KEY = 'two_factor_policy';

/** The last setting read and its parsed form: it is read on every decision, and rarely changes. */
let lastParsed: { raw: string; policy: TwoFactorPolicy } | null = null;

function parsePolicy(raw: string | undefined): TwoFactorPolicy {
  if (!raw) return DEFAULT_POLICY;
  if (lastParsed?.raw === raw) return lastParsed.policy;
  // Shared by every caller from now on, so nobody may change it.
  const parsed = parsePolicyText(raw);
  const policy = Object.freeze({
    ...parsed,
    methods: Object.freeze(parsed.methods),
    groupIds: Object.freeze(parsed.groupIds) as string[],
  });
  lastParsed = { raw, policy };
  return policy;
}

/** Group ids are UUIDs the app made. */
const GROUP_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * A policy written as the settings store it (a form carries the one it was opened on), or null
 * for text that is not one. It comes back from a browser, so a group id that is no id is left
 * out before any query sees it (PostgreSQL refuses a NUL in text with an error).
 */
export function policyFromText(raw: string): TwoFactorPolicy | null {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return null;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return null;
  const policy = policyOf(value);
  return { ...policy, groupIds: policy.groupIds.filter((id) => GROUP_ID.test(id)) };
}

/** A policy from parsed JSON, each part that is missing or not one taken as the default's. */
function policyOf(value: Partial<TwoFactorPolicy>): TwoFactorPolicy {
  return {
    methods: {
      email: value.methods?.email ?? DEFAULT_POLICY.methods.email,
      totp: value.methods?.totp ?? DEFAULT_POLICY.methods.totp,
      webauthn: value.methods?.webauthn ?? DEFAULT_POLICY.methods.webauthn,
    },
    require: value.require === 'all' || value.require === 'groups' ? value.require : 'nobody',
    groupIds: Array.isArray(value.groupIds)
      ? value.groupIds.filter((id) => typeof id === 'string')
      : [],
    graceUntil: typeof value.graceUntil === 'number' ? value.graceUntil : null,
  };
}

function parsePolicyText(raw: string): TwoFactorPolicy {
  try {
    return policyOf(JSON.parse(raw) as Partial<TwoFactorPolicy>);
  } catch {
    return DEFAULT_POLICY;
  }
}

const settingValue = precompiled((db, p: { key: string }) =>
  db.selectFrom('settings').select('value').where('key', '=', p.key),
);

/** Whether the policy requires the members of this group to use a second factor. */
export function enforcesGroup(policy: TwoFactorPolicy, groupId: string): boolean {
  return policy.require === 'groups' && policy.groupIds.includes(groupId);
}

/**
 * The policy as a transaction that acts on it must see it: on PostgreSQL a lock of the policy
 * is held until the transaction ends, so a policy saved (or a group deleted, or a member
 * added) meanwhile waits for it, then sees what it did (SQLite runs one writing transaction at
 * a time anyway). The lock is an advisory one, not the settings row's: a new installation has
 * no row until the policy is first saved, and a lock on no row holds nothing.
 */
export async function policyForUpdate(trx: Kysely<Database>): Promise<TwoFactorPolicy> {
  if (trx.getExecutor().adapter instanceof PostgresAdapter)
    await sql`select pg_advisory_xact_lock(hashtext(${POLICY_LOCK}))`.execute(trx);
  const row = await trx
    .selectFrom('settings')
    .select('value')
    .where('key', '=', SETTING_KEY)
    .executeTakeFirst();
  return parsePolicy(row?.value);
}

/**
 * Takes a group being deleted out of the groups the policy keeps (the form keeps those ticked
 * under "all" and "nobody" too): an id naming no group would be refused when the policy is
 * sent back as it was read. Called under the policy's lock, with the policy it read.
 */
export async function forgetGroup(
  trx: Kysely<Database>,
  policy: TwoFactorPolicy,
  groupId: string,
  now: number,
): Promise<void> {
  if (!policy.groupIds.includes(groupId)) return;
  const value = JSON.stringify({
    ...policy,
    groupIds: policy.groupIds.filter((g) => g !== groupId),
  });
  await trx
    .updateTable('settings')
    .set({ value, updated_at: now })
    .where('key', '=', SETTING_KEY)
    .execute();
}

/** Whether two policies say the same (the groups in any order). */
/**
 * The policy without the groups deleted since (their deletion takes them out of the saved
 * policy too, `forgetGroup`): a form opened before a deletion still shows them, and is no
 * older than the policy for that.
 */
async function withGroupsLeft(
  trx: Kysely<Database>,
  policy: TwoFactorPolicy,
): Promise<TwoFactorPolicy> {
  if (policy.groupIds.length === 0) return policy;
  const left = await trx
    .selectFrom('user_groups')
    .select('id')
    .where('id', 'in', policy.groupIds)
    .execute();
  const ids = new Set(left.map((group) => group.id));
  return { ...policy, groupIds: policy.groupIds.filter((id) => ids.has(id)) };
}

function samePolicy(a: TwoFactorPolicy, b: TwoFactorPolicy): boolean {
  const groups = (p: TwoFactorPolicy) => JSON.stringify([...new Set(p.groupIds)].sort());
  return (
    a.methods.email === b.methods.email &&
    a.methods.totp === b.methods.totp &&
    a.methods.webauthn === b.methods.webauthn &&
    a.require === b.require &&
    a.graceUntil === b.graceUntil &&
    groups(a) === groups(b)
  );
}

/** The advisory lock's name, in every schema alike (a lock held a moment longer at worst). */
const POLICY_LOCK = 'portico.two_factor_policy';

/**
 * Holds open sessions to a policy, which is otherwise asked at log-in only, and such a session
 * would last its 12 hours: those of people it requires to use 2FA who have no method (signed in
 * with the password alone, or since removed their last method) end now or, while set-up may
 * still be postponed, when the grace date passes. Their next log-in leads to set-up. `userId`:
 * one person's sessions only (someone just added to a group). Answers how many ended now.
 */
export async function holdSessionsToPolicy(
  trx: Kysely<Database>,
  policy: TwoFactorPolicy,
  now: number,
  userId?: string,
): Promise<number> {
  if (policy.require === 'nobody') return 0;
  if (policy.require === 'groups' && policy.groupIds.length === 0) return 0;
  const covered = (eb: ExpressionBuilder<Database, 'sessions'>) => {
    const conditions = [
      eb.not(
        eb.exists(
          eb
            .selectFrom('two_factor_methods')
            .select('two_factor_methods.id')
            .whereRef('two_factor_methods.user_id', '=', 'sessions.user_id'),
        ),
      ),
    ];
    if (userId !== undefined) conditions.push(eb('sessions.user_id', '=', userId));
    if (policy.require === 'groups')
      conditions.push(
        eb(
          'sessions.user_id',
          'in',
          eb
            .selectFrom('user_group_members')
            .select('user_group_members.user_id')
            .where('user_group_members.group_id', 'in', policy.groupIds),
        ),
      );
    return eb.and(conditions);
  };
  const graceUntil = policy.graceUntil;
  if (graceUntil !== null && graceUntil > now) {
    await trx
      .updateTable('sessions')
      .set({ expires_at: graceUntil })
      .where(covered)
      .where('expires_at', '>', graceUntil)
      .execute();
    return 0;
  }
  const result = await trx.deleteFrom('sessions').where(covered).executeTakeFirst();
  return Number(result.numDeletedRows);
}

/**
 * The 2FA policy lives in the settings table and is read on every decision, so all processes
 * agree the moment an administrator saves it.
 */
export function createPolicy(
  db: Kysely<Database>,
  clock: Clock,
  audit: Audit,
  /** Whether browsers can use security keys at this address (`securityKeysWorkAt`). */
  securityKeysWork = true,
) {
  async function get(): Promise<TwoFactorPolicy> {
    return parsePolicy(firstRow(await settingValue(db, { key: SETTING_KEY }))?.value);
  }

  /**
   * Saves the policy; 'group_gone' (and nothing saved) when it requires a group that no longer
   * exists. That is read under the lock a group's deletion takes too, so a group deleted while
   * the form was checked is seen here. With `opened`, the policy a form was opened on:
   * 'changed' (and nothing saved) when the saved policy is no longer that one, so that a form
   * opened before another administrator's save does not undo it unseen.
   */
  async function save(
    policy: TwoFactorPolicy,
    actor: Pick<AuditEntry, 'actorUserId' | 'actorLabel' | 'meta'>,
    opened?: TwoFactorPolicy,
  ): Promise<'saved' | 'group_gone' | 'changed'> {
    const now = clock.now();
    const value = JSON.stringify(policy);
    return db.transaction().execute(async (trx) => {
      // Taken first, as a group's deletion and a member's addition take it: no group can go
      // between the check below and the write.
      const before = await policyForUpdate(trx);
      if (opened && !samePolicy(before, await withGroupsLeft(trx, opened))) return 'changed';
      // The groups by name, as the reader of the audit log knows them (ids say nothing there).
      const groups =
        policy.groupIds.length === 0
          ? []
          : await trx
              .selectFrom('user_groups')
              .select('name')
              .where('id', 'in', policy.groupIds)
              .orderBy('name')
              .execute();
      if (policy.require === 'groups' && groups.length < new Set(policy.groupIds).size)
        return 'group_gone';
      await trx
        .insertInto('settings')
        .values({ key: SETTING_KEY, value, updated_at: now })
        .onConflict((oc) => oc.column('key').doUpdateSet({ value, updated_at: now }))
        .execute();
      const sessionsEnded = await holdSessionsToPolicy(trx, policy, now);
      // Saved as it was, and no session held to it ended: no change for the audit log.
      if (sessionsEnded === 0 && samePolicy(before, policy)) return 'saved';
      await audit.record(
        {
          event: 'two_factor.policy_changed',
          ...actor,
          targetUserId: null,
          details: {
            email: policy.methods.email,
            totp: policy.methods.totp,
            webauthn: policy.methods.webauthn,
            require: policy.require,
            // Kept by the form under "all" and "nobody" too, but required only under "groups".
            ...(policy.require === 'groups' && groups.length > 0
              ? { groups: groups.map((g) => g.name).join(', ') }
              : {}),
            graceUntil: policy.graceUntil,
            sessionsEnded,
          },
        },
        trx,
      );
      return 'saved';
    });
  }

  /** Administrators always need a second factor; others as the policy says. */
  async function isRequiredFor(user: User, policy?: TwoFactorPolicy): Promise<boolean> {
    if (user.is_admin === 1) return true;
    const current = policy ?? (await get());
    if (current.require === 'all') return true;
    if (current.require === 'nobody' || current.groupIds.length === 0) return false;
    const membership = await db
      .selectFrom('user_group_members')
      .select('group_id')
      .where('user_id', '=', user.id)
      .where('group_id', 'in', current.groupIds)
      .executeTakeFirst();
    return membership !== undefined;
  }

  /** Whether the method is offered for new set-ups: on, and for keys, usable at this address. */
  function isMethodEnabled(policy: TwoFactorPolicy, type: MethodType): boolean {
    return policy.methods[type] && (type !== 'webauthn' || securityKeysWork);
  }

  return { get, save, isRequiredFor, isMethodEnabled, securityKeysWork };
}

export type Policy = ReturnType<typeof createPolicy>;
