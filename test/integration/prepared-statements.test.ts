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

  it('passes every other error on as it is', async () => {
    await insert(database.db, { key: 'a', value: 'one' });
    await expect(insert(database.db, { key: 'a', value: 'again' })).rejects.toMatchObject({
      code: '23505',
    });
  });
});
