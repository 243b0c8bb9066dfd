import type { Kysely } from 'kysely';
import { sql } from '../../src/db/kysely.js';
import type { Database } from '../../src/db/schema.js';
import type { Page } from './client.js';

/**
 * Every row of every table of the app's own database (its PostgreSQL schema, or its SQLite
 * file), as sorted JSON lines per table. Two equal snapshots mean that nothing was written.
 */
export async function snapshotDatabase(db: Kysely<Database>): Promise<Record<string, string[]>> {
  const current = await sql<{ schema: string | null }>`select current_schema() as schema`
    .execute(db)
    .then((r) => r.rows[0]?.schema ?? null)
    .catch(() => null);
  const tables = await db.introspection.getTables();
  const snapshot: Record<string, string[]> = {};
  for (const table of tables) {
    if (table.name.startsWith('kysely_')) continue;
    if (current !== null && table.schema !== current) continue;
    const rows = await sql<Record<string, unknown>>`select * from ${sql.table(table.name)}`.execute(
      db,
    );
    snapshot[table.name] = rows.rows.map((row) => JSON.stringify(row)).sort();
  }
  return snapshot;
}

/** Rows in one table (for "nothing was stored" checks on a single table). */
export async function countRows(db: Kysely<Database>, table: keyof Database): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select(db.fn.countAll<number | string>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

/** The raw Set-Cookie lines of a response. */
export function setCookieLines(page: Page): string[] {
  const raw = page.headers['set-cookie'];
  if (raw === undefined) return [];
  return Array.isArray(raw) ? raw : [String(raw)];
}

/** The Set-Cookie line that sets (not clears) the named cookie, if any. */
export function setCookieLine(page: Page, name: string): string | undefined {
  return setCookieLines(page).find(
    (line) => line.startsWith(`${name}=`) && !line.startsWith(`${name}=;`),
  );
}
