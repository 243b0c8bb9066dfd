import type { Keys } from '../security/secret-key.js';
import type { Kysely } from 'kysely';
import type { Audit } from '../audit/audit.js';
import type { Clock } from '../clock.js';
import type { Database } from '../db/schema.js';
import type { Postman } from '../mail/postman.js';
import type { PasswordScreen } from './password-screen.js';
import type { PasswordHasher } from './passwords.js';

/** What the account services need; built once in the composition root. */
export interface AccountDeps {
  db: Kysely<Database>;
  clock: Clock;
  hasher: PasswordHasher;
  /** Refuses new passwords that are commonly used or easily guessed. */
  passwordScreen: PasswordScreen;
  postman: Postman;
  audit: Audit;
  publicUrl: URL;
  sessionIdleMs: number;
  sessionMaxMs: number;
  /** The help center's name: a word a guess aimed at its accounts would try. */
  siteName: string;
  keys: Keys;
}

export function absoluteUrl(base: URL, pathAndQuery: string): string {
  return new URL(pathAndQuery, base).href;
}
