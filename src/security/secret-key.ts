import { hkdfSync, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export const KEY_FILE_NAME = 'secret.key';

/**
 * The master key: PORTICO_SECRET_KEY when set, else a key file in the data directory,
 * created with mode 0600 on first start. Every process of one installation must share it.
 */
export function loadMasterKey(configured: Buffer | null, dataDir: string): Buffer {
  if (configured) return configured;
  const file = path.join(dataDir, KEY_FILE_NAME);
  fs.mkdirSync(dataDir, { recursive: true });
  try {
    const fd = fs.openSync(file, 'wx', 0o600);
    fs.writeSync(fd, randomBytes(32).toString('base64') + '\n');
    fs.closeSync(fd);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const mode = fs.statSync(file).mode & 0o777;
  if (mode & 0o077) {
    throw new Error(`${file} is readable by other users (mode ${mode.toString(8)}); run chmod 600`);
  }
  const key = Buffer.from(fs.readFileSync(file, 'utf8').trim(), 'base64');
  if (key.length !== 32) throw new Error(`${file} must hold 32 bytes in base64`);
  return key;
}

export interface Keys {
  /** AES-256-GCM key for secrets at rest (TOTP secrets). */
  encryption: Buffer;
  /** HMAC key for CSRF tokens. */
  csrf: Buffer;
  /** HMAC key for keyed hashes of recovery codes and email codes. */
  codes: Buffer;
}

/** Separate keys per use, derived with HKDF so one purpose never reuses another's key. */
export function deriveKeys(master: Buffer): Keys {
  const derive = (info: string) =>
    Buffer.from(hkdfSync('sha256', master, Buffer.alloc(0), `portico:${info}`, 32));
  return { encryption: derive('encryption'), csrf: derive('csrf'), codes: derive('codes') };
}
