import type { Generated, Insertable, Selectable } from 'kysely';

/**
 * Table types. Times are milliseconds since the epoch (bigint in PostgreSQL, integer in
 * SQLite); flags are 0/1 integers, so one schema and one set of queries serve both stores.
 */
export interface UsersTable {
  id: string;
  name: string;
  locale: string | null;
  password_hash: string;
  /** Bumped whenever the password or the second factors change: pending sign-ins die with it. */
  credential_version: Generated<number>;
  is_admin: Generated<number>;
  disabled_at: number | null;
  created_at: number;
  updated_at: number;
}

export interface EmailAddressesTable {
  id: string;
  user_id: string;
  email: string;
  email_normalized: string;
  verified_at: number | null;
  is_primary: Generated<number>;
  created_at: number;
}

export type TokenPurpose = 'verify_email' | 'reset_password';

export interface TokensTable {
  token_hash: string;
  user_id: string;
  email_address_id: string | null;
  purpose: TokenPurpose;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface SessionsTable {
  id_hash: string;
  user_id: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  /** When the user last proved who they are (password, plus second factor if any): step-up. */
  authenticated_at: number;
  ip: string;
  user_agent: string;
}

export type PendingStage = 'second_factor' | 'setup_required';

export interface PendingSignInsTable {
  id_hash: string;
  user_id: string;
  credential_version: number;
  stage: PendingStage;
  failures: Generated<number>;
  created_at: number;
  expires_at: number;
  ip: string;
  user_agent: string;
}

export interface RateLimitsTable {
  key: string;
  window_start: number;
  count: number;
}

export interface AuditEventsTable {
  id: string;
  created_at: number;
  event: string;
  actor_user_id: string | null;
  actor_label: string | null;
  target_user_id: string | null;
  ip: string | null;
  user_agent: string | null;
  details: string | null;
}

export interface SettingsTable {
  key: string;
  value: string;
  updated_at: number;
}

export interface Database {
  users: UsersTable;
  email_addresses: EmailAddressesTable;
  tokens: TokensTable;
  sessions: SessionsTable;
  pending_sign_ins: PendingSignInsTable;
  rate_limits: RateLimitsTable;
  audit_events: AuditEventsTable;
  settings: SettingsTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type EmailAddress = Selectable<EmailAddressesTable>;
export type Session = Selectable<SessionsTable>;
export type PendingSignIn = Selectable<PendingSignInsTable>;
export type AuditEvent = Selectable<AuditEventsTable>;
