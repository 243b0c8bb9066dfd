import fs from 'node:fs';
import os from 'node:os';
import net from 'node:net';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Worker } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { sql } from './kysely.js';
import { openDatabase, SQLITE_CACHE_SIZE } from './database.js';

const require = createRequire(import.meta.url);

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

  it('begins a transaction as the writer, so another process writing meanwhile waits instead of failing it', async () => {
    // Another process (here a worker thread with its own connection, as the CLI beside the
    // server) writes while a transaction that read first has yet to write. Begun DEFERRED, the
    // transaction's read snapshot is then stale and its write fails at once with "database is
    // locked" (SQLITE_BUSY_SNAPSHOT), whatever the busy timeout.
    const file = path.join(dir, 'portico.db');
    const database = openDatabase(`sqlite:${file}`);
    await sql`create table t (x integer)`.execute(database.db);
    const other = new Worker(
      `const { parentPort, workerData } = require('node:worker_threads');
       const SQLite = require(workerData.module);
       const db = new SQLite(workerData.file);
       db.pragma('busy_timeout = 5000');
       parentPort.on('message', () => {
         db.prepare('insert into t (x) values (2)').run();
         db.close();
         parentPort.postMessage('written');
       });`,
      { eval: true, workerData: { file, module: require.resolve('better-sqlite3') } },
    );
    const written = new Promise((resolve) => other.once('message', resolve));
    try {
      await database.db.transaction().execute(async (trx) => {
        await sql`select count(*) from t`.execute(trx);
        other.postMessage('write');
        await new Promise((resolve) => setTimeout(resolve, 200));
        await sql`insert into t (x) values (1)`.execute(trx);
      });
      await written;
      const { rows } = await sql<{ x: number }>`select x from t order by rowid`.execute(
        database.db,
      );
      expect(rows.map((row) => row.x)).toEqual([1, 2]);
    } finally {
      await other.terminate();
      await database.close();
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
