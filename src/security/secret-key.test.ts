import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { KEY_FILE_NAME, loadMasterKey } from './secret-key.js';

describe('the key file', () => {
  const dirs: string[] = [];
  const dataDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-key-'));
    dirs.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is made readable by its owner only, with 32 random bytes, and read back the same', () => {
    const dir = dataDir();
    const key = loadMasterKey(null, dir);
    const file = path.join(dir, KEY_FILE_NAME);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
    expect(key).toHaveLength(32);
    expect(loadMasterKey(null, dir).equals(key)).toBe(true);
    expect(loadMasterKey(null, dataDir()).equals(key)).toBe(false);
  });

  it('is refused while other users can read it, saying how to fix it', () => {
    const dir = dataDir();
    loadMasterKey(null, dir);
    const file = path.join(dir, KEY_FILE_NAME);
    fs.chmodSync(file, 0o644);
    expect(() => loadMasterKey(null, dir)).toThrow(
      `${file} is readable by other users (mode 644); run chmod 600`,
    );
  });

  it('is not made when PORTICO_SECRET_KEY gives the key', () => {
    const dir = dataDir();
    const configured = Buffer.alloc(32, 7);
    expect(loadMasterKey(configured, dir)).toBe(configured);
    expect(fs.existsSync(path.join(dir, KEY_FILE_NAME))).toBe(false);
  });
});
