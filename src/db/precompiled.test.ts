import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, sql } from './kysely.js';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { firstRow, precompiled } from './precompiled.js';
import type { Database } from './schema.js';

describe('precompiled', () => {
  let db: Kysely<Database>;

  beforeEach(async () => {
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
    await sql`create table settings (key text primary key, value text not null, updated_at integer not null)`.execute(
      db,
    );
  });
  afterEach(() => db.destroy());

  const insert = precompiled((d, p: { key: string; value: string }) =>
    d.insertInto('settings').values({ key: p.key, value: p.value, updated_at: 7 }),
  );
  const byKey = precompiled((d, p: { key: string }) =>
    d.selectFrom('settings').select(['value', 'updated_at']).where('key', '=', p.key),
  );

  it('runs the same SQL with each call’s parameters, keeping constants', async () => {
    await insert(db, { key: 'a', value: 'one' });
    await insert(db, { key: 'b', value: 'two' });
    expect(firstRow(await byKey(db, { key: 'b' }))).toEqual({ value: 'two', updated_at: 7 });
    expect(firstRow(await byKey(db, { key: 'a' }))).toEqual({ value: 'one', updated_at: 7 });
    expect(firstRow(await byKey(db, { key: 'c' }))).toBeUndefined();
  });

  it('runs inside a transaction, which rolls back as usual', async () => {
    await expect(
      db.transaction().execute(async (trx) => {
        await insert(trx, { key: 'x', value: 'rolled back' });
        expect(firstRow(await byKey(trx, { key: 'x' }))?.value).toBe('rolled back');
        throw new Error('abort');
      }),
    ).rejects.toThrow('abort');
    expect(firstRow(await byKey(db, { key: 'x' }))).toBeUndefined();
  });

  it('refuses a parameter that is computed with instead of bound', async () => {
    const wrong = precompiled((d, p: { key: string }) =>
      d.selectFrom('settings').select('value').where('key', '=', p.key.toUpperCase()),
    );
    await expect(wrong(db, { key: 'a' })).rejects.toThrow(/not bound as values/);
  });

  it('refuses a parameter that ends up in the SQL text', async () => {
    const wrong = precompiled((d, p: { column: string }) =>
      d.selectFrom('settings').select(sql.ref<string>(p.column).as('v')),
    );
    await expect(wrong(db, { column: 'value' })).rejects.toThrow(/not bound as values/);
  });
});
