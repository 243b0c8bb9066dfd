import type { Kysely } from 'kysely';
import type { Audit } from '../audit/audit.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import type { Postman } from '../mail/postman.js';
import type { Keys } from '../security/secret-key.js';

export interface TwoFactorDeps {
  db: Kysely<Database>;
  clock: Clock;
  audit: Audit;
  postman: Postman;
  keys: Keys;
  /** Shown in authenticator apps as the account's issuer. */
  issuer: string;
  /** PUBLIC_URL: its host is the WebAuthn relying party, its origin the one accepted. */
  publicUrl: URL;
  /** A session's absolute lifetime (PORTICO_SESSION_MAX_HOURS). */
  sessionMaxMs: number;
}
