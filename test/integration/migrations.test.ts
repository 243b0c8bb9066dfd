/**
 * `migrateToLatest` on a fresh database, on one that is up to date (a start skips the migrator
 * then), and on one whose record of applied migrations differs from this build's: one missing
 * is applied, one unknown is refused.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/database.js';
import { sql } from '../../src/db/kysely.js';
import type { Kysely } from 'kysely';
import { migrateToLatest } from '../../src/db/migrate.js';
import { SECURITY_KEY_NAME_INDEX } from '../../src/db/schema.js';
import * as kbSearchWords from '../../src/db/migrations/0011-kb-search-words.js';
import * as kbVersions from '../../src/db/migrations/0012-kb-versions.js';
import * as kbArticleRedirects from '../../src/db/migrations/0013-kb-article-redirects.js';
import * as rateLimitHits from '../../src/db/migrations/0014-rate-limit-hits.js';
import * as signInAddress from '../../src/db/migrations/0015-sign-in-address.js';
import * as browserLanguage from '../../src/db/migrations/0016-browser-language.js';
import * as kbSearchFolded from '../../src/db/migrations/0017-kb-search-folded.js';
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
  '0007-security-key-names',
  '0008-second-factor-locks',
  '0009-setup-requests',
  '0010-rate-limit-runs',
  '0011-kb-search-words',
  '0012-kb-versions',
  '0013-kb-article-redirects',
  '0014-rate-limit-hits',
  '0015-sign-in-address',
  '0016-browser-language',
  '0017-kb-search-folded',
];

const RACER = fileURLToPath(new URL('../helpers/migrate-on-signal.ts', import.meta.url));
const TSX = fileURLToPath(new URL('../../node_modules/.bin/tsx', import.meta.url));

/** A process that migrates `url` when told to (test/helpers/migrate-on-signal.ts). */
function racer(url: string, schema: string) {
  const child = spawn(TSX, [RACER], {
    env: { ...process.env, DATABASE_URL: url, RACER_SCHEMA: schema },
  });
  let out = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  const outcome = new Promise<{ applied?: string[]; error?: string }>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString();
      if (out.startsWith('ready\n')) markReady();
      const result = out.split('\n')[1];
      if (result) resolve(JSON.parse(result) as { applied?: string[]; error?: string });
    });
    child.on('error', reject);
    child.on('close', (code) => reject(new Error(`the racer ended (${code}) with: ${out}`)));
  });
  return { child, ready, outcome };
}

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

  it('carries the last hour of the mail counts into the sliding limits (0014)', async () => {
    const { db } = await freshDatabase();
    await migrateToLatest(db);
    await kbSearchFolded.down(db as unknown as Kysely<unknown>);
    await browserLanguage.down(db as unknown as Kysely<unknown>);
    await signInAddress.down(db as unknown as Kysely<unknown>);
    await rateLimitHits.down(db as unknown as Kysely<unknown>);
    await sql`delete from kysely_migration
      where name in ('0014-rate-limit-hits', '0015-sign-in-address', '0016-browser-language',
        '0017-kb-search-folded')`.execute(db);
    const now = Date.now();
    await db
      .insertInto('rate_limits')
      .values([
        // Three mails to a registration's address ten minutes ago, seven resets asked for.
        { key: 'register-mail:a', window_start: now - 600_000, count: 3 },
        { key: 'reset:b', window_start: now - 600_000, count: 7 },
        // A client's count, an older window and a guess counter: none is a mailbox's.
        { key: 'reset:ip:192.0.2.1', window_start: now - 600_000, count: 4 },
        { key: 'email-code:hour:c', window_start: now - 7_200_000, count: 5 },
        { key: 'login:d', window_start: now - 600_000, count: 2 },
      ])
      .execute();
    expect(await migrateToLatest(db)).toEqual([
      '0014-rate-limit-hits',
      '0015-sign-in-address',
      '0016-browser-language',
      '0017-kb-search-folded',
    ]);
    const hits = await db
      .selectFrom('rate_limit_hits')
      .select(['key', 'at'])
      .orderBy('key')
      .execute();
    expect(hits).toEqual([
      ...Array.from({ length: 3 }, () => ({ key: 'register-mail:a', at: now - 600_000 })),
      ...Array.from({ length: 5 }, () => ({ key: 'reset:b', at: now - 600_000 })),
    ]);
  });

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

  it('lets two processes migrate one new database at once: both succeed, each migration applied once', async () => {
    let url = POSTGRES_URL;
    let schema = '';
    if (dialect === 'postgres') {
      schema = await createPostgresSchema();
      cleanups.push(() => dropPostgresSchema(schema));
    } else {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-migrations-'));
      url = `sqlite:${path.join(dir, 'portico.db')}`;
      cleanups.push(() => Promise.resolve(fs.rmSync(dir, { recursive: true, force: true })));
    }
    // Each waits, connected, for the same signal, so that their migrations overlap.
    const racers = [racer(url, schema), racer(url, schema)];
    await Promise.all(racers.map((r) => r.ready));
    for (const r of racers) r.child.stdin.write('go\n');
    const outcomes = await Promise.all(racers.map((r) => r.outcome));
    expect(outcomes.map((o) => o.error ?? '')).toEqual(['', '']);
    expect(outcomes.flatMap((o) => o.applied ?? []).sort()).toEqual(ALL);
  }, 30_000);

  const SINCE_0007 = [
    '0007-security-key-names',
    '0008-second-factor-locks',
    '0009-setup-requests',
    '0010-rate-limit-runs',
    '0011-kb-search-words',
    '0012-kb-versions',
    '0013-kb-article-redirects',
    '0014-rate-limit-hits',
    '0015-sign-in-address',
    '0016-browser-language',
    '0017-kb-search-folded',
  ];
  /** As if the database were behind this build: 0007 and the ones after it not yet applied. */
  async function behindSince0007(db: DatabaseHandle['db']) {
    await migrateToLatest(db);
    await kbSearchFolded.down(db as unknown as Kysely<unknown>);
    await browserLanguage.down(db as unknown as Kysely<unknown>);
    await signInAddress.down(db as unknown as Kysely<unknown>);
    await rateLimitHits.down(db as unknown as Kysely<unknown>);
    await kbArticleRedirects.down(db as unknown as Kysely<unknown>);
    await kbVersions.down(db as unknown as Kysely<unknown>);
    await kbSearchWords.down(db as unknown as Kysely<unknown>);
    await db.schema.alterTable('rate_limits').dropColumn('in_a_row').execute();
    await db.schema.alterTable('two_factor_setups').dropColumn('request_id').execute();
    await db.schema.alterTable('users').dropColumn('second_factor_locks').execute();
    await db.schema.dropIndex(SECURITY_KEY_NAME_INDEX).execute();
    await sql`delete from kysely_migration where name in (${sql.join(SINCE_0007)})`.execute(db);
  }

  it('applies the migrations the record lacks', async () => {
    const { db } = await freshDatabase();
    await behindSince0007(db);
    expect(await migrateToLatest(db)).toEqual(SINCE_0007);
    // Both are back: the column of 0008, and the index of 0007 refusing a second name.
    await sql`insert into users (id, name, password_hash, created_at, updated_at)
      values ('u1', 'Ada', 'x', 1, 1)`.execute(db);
    const { rows } = await sql<{ locks: number }>`
      select second_factor_locks as locks from users`.execute(db);
    expect(rows.map((r) => Number(r.locks))).toEqual([0]);
    const key = (id: string, name: string) =>
      sql`insert into two_factor_methods (id, user_id, type, name, created_at)
        values (${id}, 'u1', 'webauthn', ${name}, 1)`.execute(db);
    await key('k1', 'Work');
    await expect(key('k2', 'WORK')).rejects.toThrow(SECURITY_KEY_NAME_INDEX);
  });

  it('gives security keys of one person that share a name (case aside) names of their own', async () => {
    const { db } = await freshDatabase();
    await behindSince0007(db);
    await sql`insert into users (id, name, password_hash, created_at, updated_at)
      values ('u1', 'Ada', 'x', 1, 1), ('u2', 'Bob', 'x', 1, 1)`.execute(db);
    const key = (id: string, user: string, name: string, at: number) =>
      sql`insert into two_factor_methods (id, user_id, type, name, created_at)
        values (${id}, ${user}, 'webauthn', ${name}, ${at})`.execute(db);
    await key('k1', 'u1', 'Work', 1);
    await key('k2', 'u1', 'work', 2);
    await key('k3', 'u1', 'Work (2)', 3);
    await key('k4', 'u1', 'Home', 4);
    await key('k5', 'u2', 'Work', 5);
    expect(await migrateToLatest(db)).toEqual(SINCE_0007);
    const { rows } = await sql<{ id: string; name: string }>`
      select id, name from two_factor_methods order by id`.execute(db);
    expect(rows).toEqual([
      { id: 'k1', name: 'Work' },
      { id: 'k2', name: 'work (3)' },
      { id: 'k3', name: 'Work (2)' },
      { id: 'k4', name: 'Home' },
      { id: 'k5', name: 'Work' },
    ]);
    // From now on the database refuses a second "work" for one person, not for another.
    await expect(key('k6', 'u1', 'WORK', 6)).rejects.toThrow(SECURITY_KEY_NAME_INDEX);
    await key('k7', 'u2', 'Home', 7);
  });

  it('numbers the articles and categories already there from version 1', async () => {
    const { db } = await freshDatabase();
    await behindSince0007(db);
    await sql`insert into kb_categories (id, parent_id, slug, position, created_at, updated_at)
      values ('c1', null, 'help', 0, 1, 1)`.execute(db);
    await sql`insert into kb_articles (id, category_id, slug, position, created_at, updated_at)
      values ('a1', 'c1', 'first', 0, 1, 1)`.execute(db);
    expect(await migrateToLatest(db)).toEqual(SINCE_0007);
    const versions = async (table: 'kb_articles' | 'kb_categories') =>
      (await db.selectFrom(table).select('version').execute()).map((r) => Number(r.version));
    expect(await versions('kb_categories')).toEqual([1]);
    expect(await versions('kb_articles')).toEqual([1]);
  });

  it('refuses a database migrated by a newer build', async () => {
    const { db } = await freshDatabase();
    await migrateToLatest(db);
    await sql`insert into kysely_migration (name, timestamp) values ('9999-from-the-future', '2030-01-01T00:00:00.000Z')`.execute(
      db,
    );
    await expect(migrateToLatest(db)).rejects.toThrow(
      'it was migrated by a newer release of Portico (migration 9999-from-the-future is not in this one); run that release or a later one',
    );
  });
});
