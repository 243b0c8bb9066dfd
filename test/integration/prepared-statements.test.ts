/**
 * On PostgreSQL the hot queries (src/db/precompiled.ts) run as named prepared statements, so
 * the server parses and plans each once per connection. These tests pin that they do, that
 * other queries do not, and that a table gaining a column under a prepared statement (another
 * process migrating during a rolling upgrade) does not break the query.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { DatabaseHandle } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/database.js';
import { sql } from '../../src/db/kysely.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { firstRow, precompiled } from '../../src/db/precompiled.js';
import { createPostgresSchema, dropPostgresSchema, POSTGRES_URL } from '../helpers/databases.js';

const byKey = precompiled((db, p: { key: string }) =>
  db.selectFrom('settings').selectAll().where('key', '=', p.key),
);
const insert = precompiled((db, p: { key: string; value: string }) =>
  db.insertInto('settings').values({ key: p.key, value: p.value, updated_at: 1 }),
);

describe.runIf(POSTGRES_URL)('prepared statements (postgres)', () => {
  let schema: string;
  let database: DatabaseHandle;
  beforeEach(async () => {
    schema = await createPostgresSchema();
    // One connection, so the statements it has prepared can be read back on it.
    database = openDatabase(POSTGRES_URL, { schema, poolSize: 1 });
    await migrateToLatest(database.db);
  });
  afterEach(async () => {
    await database?.close();
    await dropPostgresSchema(schema);
  });

  const preparedOnConnection = async () =>
    (
      await sql<{ name: string; statement: string }>`
        select name, statement from pg_prepared_statements order by name
      `.execute(database.db)
    ).rows;

  it('prepares a precompiled query once on a connection and runs it with new values', async () => {
    await insert(database.db, { key: 'a', value: 'one' });
    await insert(database.db, { key: 'b', value: 'two' });
    expect(firstRow(await byKey(database.db, { key: 'a' }))?.value).toBe('one');
    expect(firstRow(await byKey(database.db, { key: 'b' }))?.value).toBe('two');
    const prepared = await preparedOnConnection();
    // Two statements for four runs, each under a name of its own.
    expect(prepared.map((row) => row.statement).sort()).toEqual([
      'insert into "settings" ("key", "value", "updated_at") values ($1, $2, $3)',
      'select * from "settings" where "key" = $1',
    ]);
    for (const row of prepared) expect(row.name).toMatch(/^portico_[0-9a-f]{24}$/);
    // A query built on the spot runs unnamed: it leaves nothing on the connection.
    await database.db.selectFrom('settings').select('key').where('value', '=', 'one').execute();
    expect(await preparedOnConnection()).toEqual(prepared);
  });

  it('keeps answering when the table gains a column under a prepared statement', async () => {
    await insert(database.db, { key: 'a', value: 'one' });
    expect(firstRow(await byKey(database.db, { key: 'a' }))).toEqual({
      key: 'a',
      value: 'one',
      updated_at: 1,
    });
    await sql`alter table settings add column note text`.execute(database.db);
    expect(firstRow(await byKey(database.db, { key: 'a' }))).toEqual({
      key: 'a',
      value: 'one',
      updated_at: 1,
      note: null,
    });
    // And so does every query after it.
    await insert(database.db, { key: 'b', value: 'two' });
    expect(firstRow(await byKey(database.db, { key: 'b' }))?.value).toBe('two');
  });

  it('lets a transaction fail with the changed plan, and runs unnamed afterwards', async () => {
    await insert(database.db, { key: 'a', value: 'one' });
    expect(firstRow(await byKey(database.db, { key: 'a' }))?.value).toBe('one');
    await sql`alter table settings add column note text`.execute(database.db);
    await expect(
      database.db.transaction().execute(async (trx) => {
        await byKey(trx, { key: 'a' });
      }),
    ).rejects.toMatchObject({ code: '0A000' });
    expect(firstRow(await byKey(database.db, { key: 'a' }))).toMatchObject({ note: null });
    await database.db.transaction().execute(async (trx) => {
      await insert(trx, { key: 'b', value: 'two' });
    });
    expect(firstRow(await byKey(database.db, { key: 'b' }))?.value).toBe('two');
  });

  it('keeps answering when the server forgot the statements (DISCARD ALL)', async () => {
    await insert(database.db, { key: 'a', value: 'one' });
    expect(firstRow(await byKey(database.db, { key: 'a' }))?.value).toBe('one');
    await sql`discard all`.execute(database.db);
    expect(firstRow(await byKey(database.db, { key: 'a' }))?.value).toBe('one');
    await insert(database.db, { key: 'b', value: 'two' });
    expect(firstRow(await byKey(database.db, { key: 'b' }))?.value).toBe('two');
  });

  it('passes every other error on as it is, and goes on naming statements', async () => {
    await insert(database.db, { key: 'a', value: 'one' });
    await expect(insert(database.db, { key: 'a', value: 'again' })).rejects.toMatchObject({
      code: '23505',
    });
    // A duplicate key is no trouble of the statement's: the next hot query is still prepared.
    expect(firstRow(await byKey(database.db, { key: 'a' }))?.value).toBe('one');
    expect((await preparedOnConnection()).map((row) => row.statement)).toContain(
      'select * from "settings" where "key" = $1',
    );
  });
});

describe.runIf(POSTGRES_URL)('a pooled connection that fails while it waits (postgres)', () => {
  it('is reported and replaced, and the process goes on', async () => {
    const schema = await createPostgresSchema();
    const failures: Error[] = [];
    const database = openDatabase(POSTGRES_URL, {
      schema,
      poolSize: 1,
      onIdleError: (error) => failures.push(error),
    });
    try {
      const pidOf = async () =>
        (await sql<{ pid: number }>`select pg_backend_pid() as pid`.execute(database.db)).rows[0]
          ?.pid;
      const first = await pidOf();
      // An administrator (or a server restart) ends the connection while it waits in the pool.
      const admin = openDatabase(POSTGRES_URL, { poolSize: 1 });
      try {
        await sql`select pg_terminate_backend(${first})`.execute(admin.db);
      } finally {
        await admin.close();
      }
      await expect.poll(() => failures.length).toBe(1);
      const second = await pidOf();
      expect(second).toBeDefined();
      expect(second).not.toBe(first);
    } finally {
      await database.close();
      await dropPostgresSchema(schema);
    }
  });
});
