import type { Generated, Insertable, Selectable } from 'kysely';

/**
 * Table types. Times are milliseconds since the epoch (bigint in PostgreSQL, integer in
 * SQLite); flags are 0/1 integers, so one schema and one set of queries serve both stores.
 */
export interface UsersTable {
  id: string;
  name: string;
  /** The person's language setting; null for "the browser's language". */
  locale: string | null;
  /**
   * With `locale` null: the language the browser showed at the last log-in or profile save, for
   * mails (migration 0016). Null until then.
   */
  browser_locale: string | null;
  password_hash: string;
  /** Bumped whenever the password or the second factors change: pending sign-ins die with it. */
  credential_version: Generated<number>;
  is_admin: Generated<number>;
  disabled_at: number | null;
  created_at: number;
  updated_at: number;
  second_factor_failures: Generated<number>;
  second_factor_locked_until: number | null;
  /** Locks in a row without a right code between (migration 0008). */
  second_factor_locks: Generated<number>;
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
  /** 1 when the session was made (or last stepped up) with a second factor. */
  second_factor: Generated<number>;
  /** The address typed at log-in (migration 0015); null for sessions made before it. */
  address_id: string | null;
}

export type PendingStage = 'second_factor' | 'setup_required';

export type PendingPurpose = 'sign_in' | 'step_up';

export interface PendingSignInsTable {
  id_hash: string;
  purpose: Generated<PendingPurpose>;
  /** For a step-up: the session that is renewed once the second factor is given. */
  session_id_hash: string | null;
  user_id: string;
  credential_version: number;
  stage: PendingStage;
  failures: Generated<number>;
  created_at: number;
  expires_at: number;
  ip: string;
  user_agent: string;
  /** The address typed at the password step (migration 0015); null for a step-up. */
  address_id: string | null;
}

export interface RateLimitsTable {
  key: string;
  window_start: number;
  count: number;
  /** Hits since the row was made, across windows (migration 0010). */
  in_a_row: Generated<number>;
}

/** A hit a sliding limit let through (migration 0014): mails to a mailbox per any hour. */
export interface RateLimitHitsTable {
  id: string;
  key: string;
  at: number;
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

export type MethodType = 'email' | 'totp' | 'webauthn';

export interface TwoFactorMethodsTable {
  id: string;
  user_id: string;
  type: MethodType;
  name: string;
  email: string | null;
  secret_encrypted: string | null;
  last_used_step: number | null;
  created_at: number;
  last_used_at: number | null;
}

export type SetupKind = 'totp' | 'email' | 'email_change';

export interface TwoFactorSetupsTable {
  id: string;
  user_id: string;
  kind: SetupKind;
  method_id: string | null;
  name: string | null;
  email: string | null;
  secret_encrypted: string | null;
  /** The hash of the session or pending sign-in that started it (migration 0009). */
  request_id: string | null;
  created_at: number;
  expires_at: number;
}

/**
 * The unique index that keeps one person's security keys apart by name, case aside (migration
 * 0007); a write it refuses names it in its error.
 */
export const SECURITY_KEY_NAME_INDEX = 'two_factor_methods_webauthn_name';

/** A security key's credential (migration 0006); its name and dates are on its method row. */
export interface WebauthnCredentialsTable {
  method_id: string;
  user_id: string;
  credential_id: string;
  public_key: string;
  sign_count: number;
  transports: string;
  created_at: number;
}

export type WebauthnPurpose = 'register' | 'authenticate';

export interface WebauthnChallengesTable {
  id: string;
  user_id: string;
  purpose: WebauthnPurpose;
  request_id: string;
  challenge: string;
  created_at: number;
  expires_at: number;
}

export type EmailCodePurpose = 'sign_in' | 'setup' | 'change';

export interface EmailCodesTable {
  id: string;
  user_id: string;
  purpose: EmailCodePurpose;
  request_id: string;
  email: string;
  code_hash: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

export interface RecoveryCodesTable {
  id: string;
  user_id: string;
  code_hash: string;
  created_at: number;
  used_at: number | null;
}

export interface UserGroupsTable {
  id: string;
  name: string;
  name_normalized: string;
  created_at: number;
}

export interface UserGroupMembersTable {
  group_id: string;
  user_id: string;
  added_at: number;
}

/** Knowledge base (migration 0003). Names and texts live per language in *_translations. */
export interface KbCategoriesTable {
  id: string;
  parent_id: string | null;
  slug: string;
  position: Generated<number>;
  created_at: number;
  updated_at: number;
  /** Moved on by every change (migration 0012): an edit is saved only from the current one. */
  version: Generated<number>;
}

export interface KbCategoryTranslationsTable {
  category_id: string;
  locale: string;
  name: string;
  description: Generated<string>;
}

export interface KbArticlesTable {
  id: string;
  category_id: string;
  slug: string;
  position: Generated<number>;
  created_at: number;
  updated_at: number;
  /** Moved on by every change (migration 0012): an edit is saved only from the current one. */
  version: Generated<number>;
}

/** An address an article had before it was renamed (migration 0013): it redirects there. */
export interface KbArticleRedirectsTable {
  slug: string;
  article_id: string;
  created_at: number;
}

export type KbStatus = 'draft' | 'published';

/** One language of an article; the search index (tsvector or FTS5 row) follows it. */
export interface KbArticleTranslationsTable {
  id: string;
  article_id: string;
  locale: string;
  title: string;
  body_markdown: string;
  /** Sanitised HTML rendered from body_markdown when it was saved. */
  body_html: string;
  /** Plain text of body_html: indexed for search and quoted in snippets. */
  body_text: string;
  status: KbStatus;
  published_at: number | null;
  author_id: string | null;
  updated_by: string | null;
  created_at: number;
  updated_at: number;
}

export interface KbRevisionTable {
  id: number;
  revision: number;
}

/** Keys for the JSON API (migration 0004); only the key's hash is kept. */
export interface ApiKeysTable {
  id: string;
  name: string;
  token_hash: string;
  prefix: string;
  created_by: string;
  created_at: number;
  last_used_at: number | null;
  last_used_ip: string | null;
  revoked_at: number | null;
  revoked_by: string | null;
}

/** A browser that may skip the second step of a sign-in until `expires_at` (SPEC §3). */
export interface TrustedDevicesTable {
  id: string;
  user_id: string;
  /** SHA-256 of the token in the browser's cookie. */
  token_hash: string;
  user_agent: string;
  created_at: number;
  created_ip: string;
  last_used_at: number;
  last_used_ip: string;
  expires_at: number;
}

export interface Database {
  users: UsersTable;
  email_addresses: EmailAddressesTable;
  tokens: TokensTable;
  sessions: SessionsTable;
  pending_sign_ins: PendingSignInsTable;
  rate_limits: RateLimitsTable;
  rate_limit_hits: RateLimitHitsTable;
  audit_events: AuditEventsTable;
  settings: SettingsTable;
  two_factor_methods: TwoFactorMethodsTable;
  two_factor_setups: TwoFactorSetupsTable;
  email_codes: EmailCodesTable;
  recovery_codes: RecoveryCodesTable;
  user_groups: UserGroupsTable;
  user_group_members: UserGroupMembersTable;
  kb_categories: KbCategoriesTable;
  kb_category_translations: KbCategoryTranslationsTable;
  kb_articles: KbArticlesTable;
  kb_article_redirects: KbArticleRedirectsTable;
  kb_article_translations: KbArticleTranslationsTable;
  kb_revision: KbRevisionTable;
  api_keys: ApiKeysTable;
  trusted_devices: TrustedDevicesTable;
  webauthn_credentials: WebauthnCredentialsTable;
  webauthn_challenges: WebauthnChallengesTable;
}

export type User = Selectable<UsersTable>;
export type NewUser = Insertable<UsersTable>;
export type EmailAddress = Selectable<EmailAddressesTable>;
export type Session = Selectable<SessionsTable>;
export type PendingSignIn = Selectable<PendingSignInsTable>;
export type AuditEvent = Selectable<AuditEventsTable>;
export type TwoFactorMethod = Selectable<TwoFactorMethodsTable>;
export type TwoFactorSetup = Selectable<TwoFactorSetupsTable>;
export type UserGroup = Selectable<UserGroupsTable>;
export type ApiKey = Selectable<ApiKeysTable>;
export type WebauthnCredential = Selectable<WebauthnCredentialsTable>;
export type TrustedDevice = Selectable<TrustedDevicesTable>;
