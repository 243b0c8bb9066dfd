import SQLite from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Kysely, SqliteDialect, sql } from './kysely.js';
import { literalLimit } from './literal-limit.js';
import type { Database } from './schema.js';

describe('literalLimit', () => {
  let db: Kysely<Database>;

  beforeEach(async () => {
    db = new Kysely<Database>({ dialect: new SqliteDialect({ database: new SQLite(':memory:') }) });
    await sql`create table settings (key text primary key, value text not null, updated_at integer not null)`.execute(
      db,
    );
    await sql`insert into settings values ('a', 'one', 1), ('b', 'two', 2), ('c', 'three', 3)`.execute(
      db,
    );
  });
  afterEach(() => db.destroy());

  it('writes the number into the SQL instead of binding it', () => {
    const query = db
      .selectFrom('settings')
      .select('key')
      .where('value', '=', 'one')
      .limit(literalLimit(1))
      .offset(literalLimit(20))
      .compile();
    expect(query.sql).toMatch(/ limit 1 offset 20$/);
    expect(query.parameters).toEqual(['one']);
  });

  it('limits and skips rows as a bound limit does', async () => {
    const rows = await db
      .selectFrom('settings')
      .select('key')
      .orderBy('key')
      .limit(literalLimit(1))
      .offset(literalLimit(1))
      .execute();
    expect(rows).toEqual([{ key: 'b' }]);
  });

  it('takes only whole numbers, so nothing else reaches the SQL text', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 60]) {
      expect(() => literalLimit(bad)).toThrow(RangeError);
    }
  });
});
