import type { Kysely } from 'kysely';
import { findVerifiedAddress } from '../accounts/users.js';
import type { Database, UserGroup } from '../db/schema.js';
import type { Policy } from '../two-factor/policy.js';
import type { UserGroups } from '../two-factor/user-groups.js';
import type { AdminResult } from './error-codes.js';
import { AdminError, adminFail, adminOk } from './error-codes.js';
import type { Actor } from './two-factor-settings.js';

/**
 * User groups as the console manages them: the two-factor module's groups, plus adding
 * members by their email address, and no deleting a group the 2FA policy relies on (that
 * would quietly let its members sign in without a second factor).
 */
export function createGroupAdmin(parts: {
  db: Kysely<Database>;
  groups: UserGroups;
  policy: Policy;
}) {
  const { db, groups, policy } = parts;

  /** The groups the policy requires now: none unless it requires groups. */
  async function requiredGroupIds(): Promise<Set<string>> {
    const current = await policy.get();
    return new Set(current.require === 'groups' ? current.groupIds : []);
  }

  async function create(name: string, actor: Actor): Promise<AdminResult<UserGroup>> {
    const result = await groups.create(name, actor);
    return result.ok ? adminOk(result.value) : adminFail(result.error);
  }

  async function rename(id: string, name: string, actor: Actor): Promise<AdminResult<UserGroup>> {
    const result = await groups.rename(id, name, actor);
    return result.ok ? adminOk(result.value) : adminFail(result.error);
  }

  async function remove(id: string, actor: Actor): Promise<AdminResult<UserGroup>> {
    if ((await requiredGroupIds()).has(id)) return adminFail(AdminError.GROUP_IN_POLICY);
    const result = await groups.remove(id, actor);
    return result.ok ? adminOk(result.value) : adminFail(result.error);
  }

  /**
   * Adds the account that verified this address. Someone already in the group stays as they
   * are (`added: false`): no second "added" event for a membership that did not change.
   */
  async function addMemberByEmail(
    groupId: string,
    email: string,
    actor: Actor,
  ): Promise<AdminResult<{ userId: string; email: string; added: boolean }>> {
    const address = await findVerifiedAddress(db, email);
    if (!address) return adminFail(AdminError.NO_SUCH_USER);
    const member = await db
      .selectFrom('user_group_members')
      .select('user_id')
      .where('group_id', '=', groupId)
      .where('user_id', '=', address.user_id)
      .executeTakeFirst();
    if (member) return adminOk({ userId: address.user_id, email: address.email, added: false });
    const result = await groups.addMember(groupId, address.user_id, actor);
    return result.ok
      ? adminOk({ userId: address.user_id, email: address.email, added: true })
      : adminFail(result.error === 'NOT_FOUND' ? AdminError.NOT_FOUND : result.error);
  }

  async function removeMember(
    groupId: string,
    userId: string,
    actor: Actor,
  ): Promise<AdminResult<void>> {
    const result = await groups.removeMember(groupId, userId, actor);
    return result.ok ? adminOk(undefined) : adminFail(result.error);
  }

  return {
    list: () => groups.list(),
    get: (id: string) => groups.get(id),
    members: (id: string) => groups.members(id),
    requiredGroupIds,
    create,
    rename,
    remove,
    addMemberByEmail,
    removeMember,
  };
}

export type GroupAdmin = ReturnType<typeof createGroupAdmin>;
