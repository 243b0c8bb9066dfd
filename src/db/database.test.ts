import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from './kysely.js';
import { openDatabase, SQLITE_CACHE_SIZE } from './database.js';

/**
 * The SQLite file holds password hashes, encrypted TOTP secrets and session hashes: like the
 * key file beside it, only its owner may read it, and so the write-ahead log and its index too.
 */
describe('openDatabase (SQLite)', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-db-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const modeOf = (file: string) => fs.statSync(file).mode & 0o777;

  it('creates a new database file, its -wal and its -shm readable by the owner only', async () => {
    const file = path.join(dir, 'data', 'portico.db');
    const database = openDatabase(`sqlite:${file}`);
    try {
      await sql`create table t (x integer)`.execute(database.db);
      await sql`insert into t (x) values (1)`.execute(database.db);
      expect(modeOf(file)).toBe(0o600);
      expect(modeOf(`${file}-wal`)).toBe(0o600);
      expect(modeOf(`${file}-shm`)).toBe(0o600);
    } finally {
      await database.close();
    }
  });

  it('opens an existing database file as it is', async () => {
    const file = path.join(dir, 'portico.db');
    const first = openDatabase(`sqlite:${file}`);
    await sql`create table t (x integer)`.execute(first.db);
    await first.close();
    fs.chmodSync(file, 0o640);
    const again = openDatabase(`sqlite:${file}`);
    try {
      const { rows } = await sql<{ n: number }>`select count(*) as n from t`.execute(again.db);
      expect(rows[0]?.n).toBe(0);
      expect(modeOf(file)).toBe(0o640);
    } finally {
      await again.close();
    }
  });

  it('keeps a 2 MB page cache, not the 16 MB better-sqlite3 builds with', async () => {
    const database = openDatabase(`sqlite:${path.join(dir, 'portico.db')}`);
    try {
      const { rows } = await sql<{ cache_size: number }>`pragma cache_size`.execute(database.db);
      expect(SQLITE_CACHE_SIZE).toBe(-2000);
      expect(rows[0]?.cache_size).toBe(SQLITE_CACHE_SIZE);
    } finally {
      await database.close();
    }
  });
});

/** A PostgreSQL server that takes the connection and never answers must not hang a start. */
describe('openDatabase (PostgreSQL)', () => {
  it('gives up on a server that never answers, with an error', async () => {
    const silent = net.createServer(() => {});
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as net.AddressInfo;
    const database = openDatabase(`postgres://portico@127.0.0.1:${port}/portico`, {
      connectTimeoutMs: 300,
    });
    const started = Date.now();
    try {
      await expect(sql`select 1`.execute(database.db)).rejects.toThrow(/timeout/i);
      expect(Date.now() - started).toBeLessThan(5_000);
    } finally {
      await database.close();
      silent.close();
    }
  });
});
