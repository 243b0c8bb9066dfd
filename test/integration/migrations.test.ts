/**
 * `migrateToLatest` on a fresh database, on one that is up to date (a start skips the migrator
 * then), and on one whose record of applied migrations differs from this build's: one missing
 * is applied, one unknown is refused.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/database.js';
import { sql } from '../../src/db/kysely.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import {
  createPostgresSchema,
  DIALECTS,
  dropPostgresSchema,
  POSTGRES_URL,
} from '../helpers/databases.js';

const ALL = [
  '0001-foundation',
  '0002-two-factor',
  '0003-knowledge-base',
  '0004-api-keys',
  '0005-trusted-devices',
  '0006-security-keys',
];

describe.each(DIALECTS)('migrations (%s)', (dialect) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function freshDatabase(): Promise<DatabaseHandle> {
    if (dialect === 'postgres') {
      const schema = await createPostgresSchema();
      const handle = openDatabase(POSTGRES_URL, { schema });
      cleanups.push(async () => {
        await handle.close();
        await dropPostgresSchema(schema);
      });
      return handle;
    }
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-migrations-'));
    const handle = openDatabase(`sqlite:${path.join(dir, 'portico.db')}`);
    cleanups.push(async () => {
      await handle.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    return handle;
  }

  /** Whether the database's own schema has the table (PostgreSQL's catalogue lists every schema). */
  async function hasTable(db: DatabaseHandle['db'], name: string): Promise<boolean> {
    const { rows } =
      dialect === 'postgres'
        ? await sql<{ n: number }>`select count(*)::int as n from information_schema.tables
            where table_schema = current_schema() and table_name = ${name}`.execute(db)
        : await sql<{ n: number }>`select count(*) as n from sqlite_master
            where type = 'table' and name = ${name}`.execute(db);
    return Number(rows[0]?.n) === 1;
  }

  it('applies every migration once, and skips the migrator on a database that is up to date', async () => {
    const { db } = await freshDatabase();
    expect(await migrateToLatest(db)).toEqual(ALL);
    // The migrator makes its lock table whenever it runs: gone, it shows the migrator did not.
    await db.schema.dropTable('kysely_migration_lock').execute();
    expect(await migrateToLatest(db)).toEqual([]);
    expect(await hasTable(db, 'kysely_migration_lock')).toBe(false);
    for (const table of ['users', 'trusted_devices', 'webauthn_credentials']) {
      expect(await hasTable(db, table), table).toBe(true);
    }
  });

  it('applies a migration the record lacks', async () => {
    const { db } = await freshDatabase();
    await migrateToLatest(db);
    // As if the database were one migration behind this build.
    await db.schema.dropTable('webauthn_challenges').execute();
    await db.schema.dropTable('webauthn_credentials').execute();
    await sql`delete from kysely_migration where name = '0006-security-keys'`.execute(db);
    expect(await hasTable(db, 'webauthn_credentials')).toBe(false);
    expect(await migrateToLatest(db)).toEqual(['0006-security-keys']);
    expect(await hasTable(db, 'webauthn_credentials')).toBe(true);
  });

  it('refuses a database migrated by a newer build', async () => {
    const { db } = await freshDatabase();
    await migrateToLatest(db);
    await sql`insert into kysely_migration (name, timestamp) values ('9999-from-the-future', '2030-01-01T00:00:00.000Z')`.execute(
      db,
    );
    await expect(migrateToLatest(db)).rejects.toThrow(/9999-from-the-future/);
  });
});
