import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { makeDirectories } from './directories.js';

describe('makeDirectories', () => {
  const made: string[] = [];
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-dirs-'));
    made.push(dir);
    return dir;
  };
  afterEach(() => {
    for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('makes the missing folders with the mode asked for, and leaves existing ones', () => {
    const root = tempDir();
    const deep = path.join(root, 'a', 'b', 'c');
    makeDirectories(deep, 0o700);
    expect(fs.statSync(deep).isDirectory()).toBe(true);
    expect(fs.statSync(path.join(root, 'a')).mode & 0o077).toBe(0);
    makeDirectories(deep, 0o700);
    expect(fs.readdirSync(path.join(root, 'a'))).toEqual(['b']);
  });

  it('throws where a file stands in the way', () => {
    const root = tempDir();
    fs.writeFileSync(path.join(root, 'file'), '');
    expect(() => makeDirectories(path.join(root, 'file', 'data'))).toThrow(
      expect.objectContaining({ code: 'ENOTDIR' }),
    );
  });

  it.runIf(fs.existsSync('/proc/self'))(
    'gives up under /proc, where Node’s recursive mkdir loops for ever',
    () => {
      expect(() => makeDirectories('/proc/portico-data/outbox')).toThrow(
        expect.objectContaining({ code: 'ENOENT' }),
      );
    },
  );
});
