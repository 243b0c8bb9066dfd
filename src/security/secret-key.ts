import { createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { makeDirectories } from '../lib/directories.js';

export const KEY_FILE_NAME = 'secret.key';
/** The settings row that records which master key the installation was set up with. */
export const KEY_CHECK_SETTING = 'secret_key_check';
const KEY_CHECK_LABEL = 'portico key check v1';

/**
 * The master key: PORTICO_SECRET_KEY when set, else a key file in the data directory,
 * created with mode 0600 on first start. Every process of one installation must share it.
 */
export function loadMasterKey(configured: Buffer | null, dataDir: string): Buffer {
  return openMasterKey(configured, dataDir).key;
}

/**
 * The master key, the key file it came from (null for PORTICO_SECRET_KEY), and whether this
 * call made that file (a first start on this data directory): a start that then finds the
 * database set up with another key takes it away again, so the wrong key is not left behind
 * as if it were the installation's.
 */
export function openMasterKey(
  configured: Buffer | null,
  dataDir: string,
  /** false: a missing key file is not made; a key for this process alone stands in for it. */
  create = true,
): { key: Buffer; keyFile: string | null; made: boolean } {
  if (configured) return { key: configured, keyFile: null, made: false };
  const file = path.join(dataDir, KEY_FILE_NAME);
  if (!create && !fs.existsSync(file)) return { key: randomBytes(32), keyFile: file, made: true };
  makeDirectories(dataDir);
  let made = false;
  try {
    const fd = fs.openSync(file, 'wx', 0o600);
    fs.writeSync(fd, randomBytes(32).toString('base64') + '\n');
    fs.closeSync(fd);
    made = true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const mode = fs.statSync(file).mode & 0o777;
  if (mode & 0o077) {
    throw new Error(`${file} is readable by other users (mode ${mode.toString(8)}); run chmod 600`);
  }
  const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`${file} must hold 32 bytes in base64`);
  return { key, keyFile: file, made };
}

export interface Keys {
  /** AES-256-GCM key for secrets at rest (TOTP secrets). */
  encryption: Buffer;
  /** HMAC key for CSRF tokens. */
  csrf: Buffer;
  /** HMAC key for keyed hashes of recovery codes and email codes. */
  codes: Buffer;
  /** HMAC key for the check value the database keeps of the master key. */
  check: Buffer;
  /** AES-256-GCM key for secrets kept for their one-time page (src/web/shown-once.ts). */
  shownOnce: Buffer;
  /** Argon2's secret input for password hashes: the pepper, kept apart from the database. */
  pepper: Buffer;
  /** HMAC key for the cookie of a browser that gave an address's right password. */
  knownBrowser: Buffer;
}

/** Separate keys per use, derived with HKDF so one purpose never reuses another's key. */
export function deriveKeys(master: Buffer): Keys {
  const derive = (info: string) =>
    Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `portico:${info}`, 32));
  return {
    encryption: derive('encryption'),
    csrf: derive('csrf'),
    codes: derive('codes'),
    check: derive('key-check'),
    shownOnce: derive('shown-once'),
    pepper: derive('password-pepper'),
    knownBrowser: derive('known-browser'),
  };
}

/** What the database keeps of the master key: an HMAC of a fixed label, never the key. */
export function keyCheckValue(keys: Keys): string {
  return createHmac('sha256', keys.check).update(KEY_CHECK_LABEL).digest('base64url');
}

export class SecretKeyMismatchError extends Error {
  /**
   * `keyFile`: the key file the key came from, null for PORTICO_SECRET_KEY; `madeNow`: that
   * file was made by this start, on a data directory without one.
   */
  constructor(keyFile: string | null, madeNow = false) {
    const fault = !keyFile
      ? 'PORTICO_SECRET_KEY: this key is not the one this database was set up with'
      : madeNow
        ? `PORTICO_SECRET_KEY is unset and ${path.dirname(keyFile)} had no ${KEY_FILE_NAME}, but this database was set up with a key (none was kept here); set PORTICO_SECRET_KEY to it, or copy ${KEY_FILE_NAME} from the data directory of the installation's first process`
        : `PORTICO_SECRET_KEY is unset, and the key in ${keyFile} is not the one this database was set up with`;
    super(`${fault}; every process of one installation needs the same key`);
    this.name = 'SecretKeyMismatchError';
  }
}

export interface KeyCheckOptions {
  now: number;
  /** The key file the master key came from; null when PORTICO_SECRET_KEY gave it. */
  keyFile: string | null;
  /** Whether the key opens the secrets already stored (true when there are none). */
  opensStoredSecrets: () => Promise<boolean>;
  /** false: a database with no key recorded yet is left so (a command that only looks). */
  record?: boolean;
}

/**
 * Every process of one installation needs the same master key (SPEC §6): with another one,
 * TOTP secrets do not decrypt, and CSRF tokens and code hashes made by the other processes do
 * not match. So the database keeps a check value of the key, written on the first start, and a
 * start with another key stops here with one line naming PORTICO_SECRET_KEY. Once the value is
 * recorded this is one primary-key read per start.
 */
export async function checkSecretKey(
  db: Kysely<Database>,
  keys: Keys,
  options: KeyCheckOptions,
): Promise<void> {
  const expected = keyCheckValue(keys);
  const read = async () =>
    (
      await db
        .selectFrom('settings')
        .select('value')
        .where('key', '=', KEY_CHECK_SETTING)
        .executeTakeFirst()
    )?.value;
  let recorded = await read();
  if (recorded === undefined && options.record === false) return;
  if (recorded === undefined) {
    // A fresh database, or one written before the check existed: a key that cannot open the
    // secrets it already holds must not become the installation's key.
    if (!(await options.opensStoredSecrets())) throw new SecretKeyMismatchError(options.keyFile);
    // Insert if absent, then read back: of two processes starting at once on a fresh
    // database, the second reads the first one's value and compares with that.
    await db
      .insertInto('settings')
      .values({ key: KEY_CHECK_SETTING, value: expected, updated_at: options.now })
      .onConflict((oc) => oc.column('key').doNothing())
      .execute();
    recorded = await read();
  }
  const a = Buffer.from(recorded ?? '');
  const b = Buffer.from(expected);
  if (a.length !== b.length || !timingSafeEqual(a, b)) {
    throw new SecretKeyMismatchError(options.keyFile);
  }
}
