import type { Kysely } from 'kysely';
import type { Audit, AuditEntry } from '../audit/audit.js';
import type { Clock } from '../clock.js';
import type { Database, UserGroup } from '../db/schema.js';
import { newId } from '../security/tokens.js';
import { enforcesGroup, forgetGroup, holdSessionsToPolicy, policyForUpdate } from './policy.js';

export const GROUP_NAME_MAX_LENGTH = 80;

export type GroupResult<T> =
  { ok: true; value: T } | { ok: false; error: 'NAME_TAKEN' | 'NOT_FOUND' | 'GROUP_IN_POLICY' };

/** User groups: named sets of users that the 2FA policy can require. */
export function createUserGroups(db: Kysely<Database>, clock: Clock, audit: Audit) {
  type Actor = Pick<AuditEntry, 'actorUserId' | 'actorLabel' | 'meta'>;
  // Names that look the same are one name: case, the two ways Unicode writes an accented
  // letter, invisible format characters (a zero-width space, a soft hyphen) and runs of
  // spaces aside. Two groups an administrator cannot tell apart would be chosen by mistake.
  const tidy = (name: string) => name.normalize('NFC').trim();
  const normalize = (name: string) =>
    tidy(name)
      .replace(/\p{Cf}/gu, '')
      .replace(/\s+/gu, ' ')
      .toLowerCase();

  async function list(): Promise<Array<UserGroup & { members: number }>> {
    const rows = await db
      .selectFrom('user_groups')
      .leftJoin('user_group_members', 'user_group_members.group_id', 'user_groups.id')
      .select([
        'user_groups.id',
        'user_groups.name',
        'user_groups.name_normalized',
        'user_groups.created_at',
      ])
      .select((eb) => eb.fn.count<number>('user_group_members.user_id').as('members'))
      .groupBy([
        'user_groups.id',
        'user_groups.name',
        'user_groups.name_normalized',
        'user_groups.created_at',
      ])
      .orderBy('user_groups.name_normalized')
      .execute();
    return rows.map((r) => ({ ...r, members: Number(r.members) }));
  }

  async function get(id: string): Promise<UserGroup | undefined> {
    return db.selectFrom('user_groups').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async function members(groupId: string) {
    return db
      .selectFrom('user_group_members')
      .innerJoin('users', 'users.id', 'user_group_members.user_id')
      .leftJoin('email_addresses', (join) =>
        join
          .onRef('email_addresses.user_id', '=', 'users.id')
          .on('email_addresses.is_primary', '=', 1),
      )
      .select(['users.id', 'users.name', 'email_addresses.email', 'user_group_members.added_at'])
      .where('user_group_members.group_id', '=', groupId)
      .orderBy('users.name')
      .execute();
  }

  async function groupsOf(userId: string): Promise<UserGroup[]> {
    return db
      .selectFrom('user_groups')
      .innerJoin('user_group_members', 'user_group_members.group_id', 'user_groups.id')
      .selectAll('user_groups')
      .where('user_group_members.user_id', '=', userId)
      .orderBy('user_groups.name_normalized')
      .execute();
  }

  async function create(name: string, actor: Actor): Promise<GroupResult<UserGroup>> {
    const group: UserGroup = {
      id: newId(),
      name: tidy(name),
      name_normalized: normalize(name),
      created_at: clock.now(),
    };
    try {
      await db.insertInto('user_groups').values(group).execute();
    } catch (error) {
      if (/unique|duplicate/i.test(String(error))) return { ok: false, error: 'NAME_TAKEN' };
      throw error;
    }
    await audit.record({
      event: 'user_group.created',
      ...actor,
      targetUserId: null,
      details: { group: group.name },
    });
    return { ok: true, value: group };
  }

  /** Renames a group; the same name again changes and logs nothing. */
  async function rename(id: string, name: string, actor: Actor): Promise<GroupResult<UserGroup>> {
    try {
      return await db.transaction().execute(async (trx) => {
        const before = await trx
          .selectFrom('user_groups')
          .select('name')
          .where('id', '=', id)
          .executeTakeFirst();
        const row = await trx
          .updateTable('user_groups')
          .set({ name: tidy(name), name_normalized: normalize(name) })
          .where('id', '=', id)
          .returningAll()
          .executeTakeFirst();
        if (!before || !row) return { ok: false, error: 'NOT_FOUND' } as const;
        if (row.name !== before.name) {
          await audit.record(
            {
              event: 'user_group.renamed',
              ...actor,
              targetUserId: null,
              details: { previous_group: before.name, group: row.name },
            },
            trx,
          );
        }
        return { ok: true, value: row } as const;
      });
    } catch (error) {
      if (/unique|duplicate/i.test(String(error))) return { ok: false, error: 'NAME_TAKEN' };
      throw error;
    }
  }

  /**
   * Deletes a group the 2FA policy does not require (GROUP_IN_POLICY), read under the policy's lock:
   * a policy saved meanwhile to require it either waits and then finds it gone, or is seen here.
   */
  async function remove(id: string, actor: Actor): Promise<GroupResult<UserGroup>> {
    return db.transaction().execute(async (trx): Promise<GroupResult<UserGroup>> => {
      const policy = await policyForUpdate(trx);
      if (enforcesGroup(policy, id)) return { ok: false, error: 'GROUP_IN_POLICY' };
      const row = await trx
        .deleteFrom('user_groups')
        .where('id', '=', id)
        .returningAll()
        .executeTakeFirst();
      if (!row) return { ok: false, error: 'NOT_FOUND' };
      await forgetGroup(trx, policy, id, clock.now());
      await audit.record(
        { event: 'user_group.deleted', ...actor, targetUserId: null, details: { group: row.name } },
        trx,
      );
      return { ok: true, value: row };
    });
  }

  async function addMember(
    groupId: string,
    userId: string,
    actor: Actor,
  ): Promise<GroupResult<void>> {
    const group = await get(groupId);
    const user = await db
      .selectFrom('users')
      .select('id')
      .where('id', '=', userId)
      .executeTakeFirst();
    if (!group || !user) return { ok: false, error: 'NOT_FOUND' };
    return db.transaction().execute(async (trx): Promise<GroupResult<void>> => {
      const now = clock.now();
      // Read in the transaction, locked: a policy saved meanwhile sees this membership, and a
      // deletion of the group (which takes the same lock) is either over or waits.
      const current = await policyForUpdate(trx);
      const still = await trx
        .selectFrom('user_groups')
        .select('id')
        .where('id', '=', groupId)
        .executeTakeFirst();
      if (!still) return { ok: false, error: 'NOT_FOUND' };
      await trx
        .insertInto('user_group_members')
        .values({ group_id: groupId, user_id: userId, added_at: now })
        .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
        .execute();
      // A group the policy requires: the newcomer's sessions without a method are held to it
      // now, as a policy saved now would hold them, not at their next log-in.
      const sessionsEnded = enforcesGroup(current, groupId)
        ? await holdSessionsToPolicy(trx, current, now, userId)
        : 0;
      await audit.record(
        {
          event: 'user_group.member_added',
          ...actor,
          targetUserId: userId,
          details: { group: group.name, ...(sessionsEnded > 0 ? { sessionsEnded } : {}) },
        },
        trx,
      );
      return { ok: true, value: undefined };
    });
  }

  async function removeMember(
    groupId: string,
    userId: string,
    actor: Actor,
  ): Promise<GroupResult<void>> {
    const group = await get(groupId);
    const row = await db
      .deleteFrom('user_group_members')
      .where('group_id', '=', groupId)
      .where('user_id', '=', userId)
      .returning('user_id')
      .executeTakeFirst();
    if (!group || !row) return { ok: false, error: 'NOT_FOUND' };
    await audit.record({
      event: 'user_group.member_removed',
      ...actor,
      targetUserId: userId,
      details: { group: group.name },
    });
    return { ok: true, value: undefined };
  }

  return { list, get, members, groupsOf, create, rename, remove, addMember, removeMember };
}

export type UserGroups = ReturnType<typeof createUserGroups>;
