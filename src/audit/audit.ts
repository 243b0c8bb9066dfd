import type { Kysely } from 'kysely';
import type { Clock } from '../clock.js';
import { precompiled } from '../db/precompiled.js';
import type { AuditEvent, Database } from '../db/schema.js';
import { newId } from '../security/tokens.js';

/** Where a request came from; recorded with every security event. */
export interface RequestMeta {
  ip: string;
  userAgent: string;
}

/**
 * Portico's own acts, recorded under these actor labels and request details: the command line,
 * and the start that ships the knowledge base or makes the first administrator. A label is set
 * by code only; a request's address and user agent could be sent by anyone.
 */
export const CLI_ACTOR = 'cli';
export const CLI_META: RequestMeta = { ip: 'cli', userAgent: 'portico-cli' };
export const SYSTEM_ACTOR = 'system';
export const START_META: RequestMeta = { ip: 'local', userAgent: 'portico-start' };

/** Every kind of security event, as the audit log names it. */
export const AUDIT_EVENT_TYPES = [
  'user.registered',
  'user.created_by_admin',
  'user.removed_unverified',
  'sign_in.password_failed',
  'sign_in.succeeded',
  'sign_in.unverified',
  'sign_in.password_blocked',
  'sign_in.rate_limited',
  'sign_out',
  'session.ended',
  'session.others_ended',
  'password.changed',
  'password.check_failed',
  'password.reset_requested',
  'password.reset',
  'email.added',
  'email.verified',
  'email.made_primary',
  'email.removed',
  'profile.updated',
  'reauthenticated',
  'two_factor.method_added',
  'two_factor.method_renamed',
  'two_factor.method_removed',
  'two_factor.method_email_changed',
  'two_factor.email_code_sent',
  'two_factor.challenge_failed',
  'two_factor.code_replayed',
  'two_factor.locked',
  'two_factor.sign_in_ended',
  'two_factor.recovery_code_used',
  'two_factor.recovery_codes_regenerated',
  'two_factor.reset_by_admin',
  'two_factor.unlocked_by_admin',
  'two_factor.setup_postponed',
  'two_factor.setup_failed',
  'two_factor.policy_changed',
  'two_factor.device_trusted',
  'two_factor.device_forgotten',
  'user_group.created',
  'user_group.renamed',
  'user_group.deleted',
  'user_group.member_added',
  'user_group.member_removed',
  'kb.category_created',
  'kb.category_updated',
  'kb.category_deleted',
  'kb.article_created',
  'kb.article_updated',
  'kb.article_moved',
  'kb.article_published',
  'kb.article_unpublished',
  'kb.article_deleted',
  'user.disabled',
  'user.enabled',
  'user.admin_granted',
  'user.admin_revoked',
  'user.signed_out_everywhere',
  'api_key.created',
  'api_key.revoked',
  'api_key.used',
  'api_key.refused',
] as const;

export type AuditEventType = (typeof AUDIT_EVENT_TYPES)[number];

export function isAuditEventType(value: string): value is AuditEventType {
  return (AUDIT_EVENT_TYPES as readonly string[]).includes(value);
}

export interface AuditEntry {
  event: AuditEventType;
  actorUserId?: string | null;
  /** For actors that are not users: "cli", "system", an API key's name. */
  actorLabel?: string | null;
  /** Whom the event is about: left out, the actor themselves; null, no one (a group, a setting). */
  targetUserId?: string | null;
  meta?: RequestMeta | null;
  details?: AuditDetails;
}

/**
 * The names an event's details may have. The audit page shows each under a label in the
 * reader's language (src/i18n, `auditDetails`), so a new name needs its labels first.
 */
export const AUDIT_DETAIL_KEYS = [
  // Sign-in, step-up and two-factor methods
  'method',
  'reason',
  'purpose',
  'kind',
  'type',
  'name',
  'methods',
  'remaining',
  'until',
  'untilReset',
  'where',
  'wrongPasswordsInARow',
  'limit',
  'address',
  'network',
  // Addresses, sessions, browsers
  'email',
  'ip',
  'sessions',
  'sessionsEnded',
  'device',
  'devices',
  // Administration
  'promoted',
  'admin',
  'group',
  'previous_group',
  'previous_name',
  'groups',
  'totp',
  'webauthn',
  'require',
  'graceUntil',
  // API keys
  'key',
  'prefix',
  'route',
  // Knowledge base
  'article_id',
  'category_id',
  'parent_id',
  'from_parent_id',
  'to_parent_id',
  'from_category_id',
  'to_category_id',
  'slug',
  'previous_slug',
  'position',
  'locale',
  'title',
  'title_en',
  'title_nl',
  'status',
  'new_translation',
] as const;

export type AuditDetailKey = (typeof AUDIT_DETAIL_KEYS)[number];

export type AuditDetails = Partial<Record<AuditDetailKey, string | number | boolean | null>>;

export interface Audit {
  record(entry: AuditEntry, executor?: Kysely<Database>): Promise<void>;
}

/** Every security event is one of these; the insert is built once (src/db/precompiled.ts). */
const insertEvent = precompiled((db, p: AuditEvent) =>
  db.insertInto('audit_events').values({
    id: p.id,
    created_at: p.created_at,
    event: p.event,
    actor_user_id: p.actor_user_id,
    actor_label: p.actor_label,
    target_user_id: p.target_user_id,
    ip: p.ip,
    user_agent: p.user_agent,
    details: p.details,
  }),
);

/** Append-only: the app has no code path that edits or deletes an audit event. */
export function createAudit(db: Kysely<Database>, clock: Clock): Audit {
  return {
    async record(entry, executor = db) {
      await insertEvent(executor, {
        id: newId(),
        created_at: clock.now(),
        event: entry.event,
        actor_user_id: entry.actorUserId ?? null,
        actor_label: entry.actorLabel ?? null,
        target_user_id:
          entry.targetUserId === undefined ? (entry.actorUserId ?? null) : entry.targetUserId,
        ip: entry.meta?.ip ?? null,
        user_agent: entry.meta?.userAgent?.slice(0, 512) ?? null,
        details: entry.details ? JSON.stringify(entry.details) : null,
      });
    },
  };
}
