import type { Kysely } from 'kysely';
import { findVerifiedAddress, listAddresses, normalizeEmail } from '../accounts/users.js';
import { liveSessionsOf } from '../accounts/sessions.js';
import type { AuditQuery, AuditRow } from '../audit/audit-query.js';
import type { Clock } from '../clock.js';
import type { Database, EmailAddress, MethodType, User, UserGroup } from '../db/schema.js';
import { containsIgnoringCase } from './like-pattern.js';

export const USERS_PAGE_SIZE = 25;
export const RECENT_EVENTS = 15;

/** One line of the user list. */
export interface UserSummary {
  id: string;
  name: string;
  email: string | null;
  isAdmin: boolean;
  disabled: boolean;
  /** Whether any of their addresses is verified: without one the account cannot log in. */
  emailVerified: boolean;
  createdAt: number;
  methods: MethodType[];
}

/** A second factor as administrators see it: never its secret. */
export interface MethodSummary {
  id: string;
  type: MethodType;
  name: string;
  email: string | null;
  createdAt: number;
  lastUsedAt: number | null;
}

export interface SessionSummary {
  createdAt: number;
  lastSeenAt: number;
  ip: string;
  userAgent: string;
  secondFactor: boolean;
}

export interface DeviceSummary {
  createdAt: number;
  createdIp: string;
  lastUsedAt: number;
  lastUsedIp: string;
  expiresAt: number;
  userAgent: string;
}

export interface UserDetail {
  user: User;
  addresses: EmailAddress[];
  groups: UserGroup[];
  methods: MethodSummary[];
  recoveryCodesLeft: number;
  sessions: SessionSummary[];
  trustedDevices: DeviceSummary[];
  events: AuditRow[];
}

export interface UserQuery {
  /** Part of a name or an email address. */
  text?: string;
  /** One exact email address: the account that verified it (`findByEmail`). */
  email?: string;
  admins?: boolean;
  /** Only those with no second factor (the dashboard's "without two-factor authentication"). */
  withoutTwoFactor?: boolean;
  page?: number;
  perPage?: number;
}

/** Finding people and everything an administrator needs to know about one of them. */
export function createUserDirectory(deps: {
  db: Kysely<Database>;
  clock: Clock;
  sessionIdleMs: number;
  sessionMaxMs: number;
  auditQuery: AuditQuery;
}) {
  const { db, clock } = deps;

  function matching(query: UserQuery) {
    let q = db.selectFrom('users');
    // Names are stored in NFC now (the forms' Validator), addresses as typed, and older names
    // as they were typed: a search looks for what was typed and for its NFC form.
    const typed = query.text?.trim();
    if (typed) {
      const texts = [...new Set([typed, typed.normalize('NFC')])];
      q = q.where((eb) =>
        eb.or(
          texts.flatMap((text) => [
            containsIgnoringCase(db, 'users.name', text),
            eb.exists(
              eb
                .selectFrom('email_addresses')
                .select('email_addresses.id')
                .whereRef('email_addresses.user_id', '=', 'users.id')
                .where(containsIgnoringCase(db, 'email_addresses.email_normalized', text)),
            ),
          ]),
        ),
      );
    }
    if (query.withoutTwoFactor) {
      q = q.where((eb) =>
        eb.not(
          eb.exists(
            eb
              .selectFrom('two_factor_methods')
              .select('two_factor_methods.id')
              .whereRef('two_factor_methods.user_id', '=', 'users.id'),
          ),
        ),
      );
    }
    if (query.email) {
      const email = normalizeEmail(query.email);
      q = q.where((eb) =>
        eb.exists(
          eb
            .selectFrom('email_addresses')
            .select('email_addresses.id')
            .whereRef('email_addresses.user_id', '=', 'users.id')
            .where('email_addresses.email_normalized', '=', email)
            .where('email_addresses.verified_at', 'is not', null),
        ),
      );
    }
    if (query.admins) q = q.where('users.is_admin', '=', 1);
    return q;
  }

  async function summaries(users: User[]): Promise<UserSummary[]> {
    if (users.length === 0) return [];
    const ids = users.map((u) => u.id);
    const addresses = await db
      .selectFrom('email_addresses')
      .select(['user_id', 'email', 'verified_at'])
      .where('user_id', 'in', ids)
      .orderBy('is_primary', 'desc')
      .orderBy('created_at', 'asc')
      .execute();
    const methods = await db
      .selectFrom('two_factor_methods')
      .select(['user_id', 'type'])
      .where('user_id', 'in', ids)
      .orderBy('type')
      .execute();
    return users.map((u) => ({
      id: u.id,
      name: u.name,
      email: addresses.find((a) => a.user_id === u.id)?.email ?? null,
      isAdmin: u.is_admin === 1,
      disabled: u.disabled_at !== null,
      emailVerified: addresses.some((a) => a.user_id === u.id && a.verified_at !== null),
      createdAt: u.created_at,
      methods: [...new Set(methods.filter((m) => m.user_id === u.id).map((m) => m.type))],
    }));
  }

  /** A page of users, by name. */
  async function search(query: UserQuery): Promise<{ total: number; users: UserSummary[] }> {
    const perPage = query.perPage ?? USERS_PAGE_SIZE;
    const page = Math.max(1, query.page ?? 1);
    const counted = await matching(query)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    const users = await matching(query)
      .selectAll('users')
      .orderBy((eb) => eb.fn('lower', ['users.name']))
      .orderBy('users.id')
      .limit(perPage)
      .offset((page - 1) * perPage)
      .execute();
    return { total: Number(counted.n), users: await summaries(users) };
  }

  async function find(id: string): Promise<User | undefined> {
    return db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst();
  }

  async function summary(id: string): Promise<UserSummary | undefined> {
    const user = await find(id);
    return user ? (await summaries([user]))[0] : undefined;
  }

  /**
   * The account that verified an address, or none. Whom an exact look-up finds is acted on (a
   * 2FA reset, an audit trail read as that person's), and an unverified address proves nothing:
   * anyone may put someone else's address on their own account, or register it and never open
   * the link. Such accounts are counted by `countUnverifiedHolders`, and listed by a search for
   * the text.
   */
  async function findByEmail(email: string): Promise<User | undefined> {
    const address = await findVerifiedAddress(db, email);
    return address ? find(address.user_id) : undefined;
  }

  /**
   * The account `userId` when it holds the address, verified or not: an address with the
   * account it was shown beside (a user's page links to their audit trail so), whose events
   * are that account's even before it proves the address.
   */
  async function findHolder(userId: string, email: string): Promise<User | undefined> {
    const held = await db
      .selectFrom('email_addresses')
      .select('user_id')
      .where('user_id', '=', userId)
      .where('email_normalized', '=', normalizeEmail(email))
      .executeTakeFirst();
    return held ? find(held.user_id) : undefined;
  }

  /** How many accounts hold an address without having verified it. */
  async function countUnverifiedHolders(email: string): Promise<number> {
    const row = await db
      .selectFrom('email_addresses')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('email_normalized', '=', normalizeEmail(email))
      .where('verified_at', 'is', null)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  async function methodsOf(userId: string): Promise<MethodSummary[]> {
    const rows = await db
      .selectFrom('two_factor_methods')
      .select(['id', 'type', 'name', 'email', 'created_at', 'last_used_at'])
      .where('user_id', '=', userId)
      .orderBy('created_at', 'asc')
      .execute();
    return rows.map((m) => ({
      id: m.id,
      type: m.type,
      name: m.name,
      email: m.email,
      createdAt: m.created_at,
      lastUsedAt: m.last_used_at,
    }));
  }

  /** Sessions that still work. */
  async function sessionsOf(userId: string): Promise<SessionSummary[]> {
    const policy = { idleMs: deps.sessionIdleMs, maxMs: deps.sessionMaxMs };
    const rows = await liveSessionsOf(db, userId, policy, clock.now())
      .select(['created_at', 'last_seen_at', 'ip', 'user_agent', 'second_factor'])
      .orderBy('last_seen_at', 'desc')
      .execute();
    return rows.map((s) => ({
      createdAt: s.created_at,
      lastSeenAt: s.last_seen_at,
      ip: s.ip,
      userAgent: s.user_agent,
      secondFactor: s.second_factor === 1,
    }));
  }

  /** Browsers that may skip the second step (SPEC §2.7), most recently used first. */
  async function trustedDevicesOf(userId: string): Promise<DeviceSummary[]> {
    const rows = await db
      .selectFrom('trusted_devices')
      .selectAll()
      .where('user_id', '=', userId)
      .where('expires_at', '>', clock.now())
      .orderBy('last_used_at', 'desc')
      .execute();
    return rows.map((d) => ({
      createdAt: d.created_at,
      createdIp: d.created_ip,
      lastUsedAt: d.last_used_at,
      lastUsedIp: d.last_used_ip,
      expiresAt: d.expires_at,
      userAgent: d.user_agent,
    }));
  }

  async function detail(id: string): Promise<UserDetail | undefined> {
    const user = await find(id);
    if (!user) return undefined;
    const groups = await db
      .selectFrom('user_groups')
      .innerJoin('user_group_members', 'user_group_members.group_id', 'user_groups.id')
      .selectAll('user_groups')
      .where('user_group_members.user_id', '=', id)
      .orderBy('user_groups.name_normalized')
      .execute();
    const recovery = await db
      .selectFrom('recovery_codes')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('user_id', '=', id)
      .where('used_at', 'is', null)
      .executeTakeFirstOrThrow();
    const { events } = await deps.auditQuery.list({ userId: id }, 1, RECENT_EVENTS);
    return {
      user,
      addresses: await listAddresses(db, id),
      groups,
      methods: await methodsOf(id),
      recoveryCodesLeft: Number(recovery.n),
      sessions: await sessionsOf(id),
      trustedDevices: await trustedDevicesOf(id),
      events,
    };
  }

  return {
    search,
    find,
    summary,
    findByEmail,
    countUnverifiedHolders,
    findHolder,
    methodsOf,
    sessionsOf,
    detail,
  };
}

export type UserDirectory = ReturnType<typeof createUserDirectory>;
