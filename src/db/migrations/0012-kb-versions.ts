import type { Kysely } from 'kysely';

/**
 * A version number per article and per category, moved on by every change to it. The admin
 * editor's forms carry the version they were opened from, and a change is written only while
 * the row is still at that version (one guarded UPDATE), so of two administrators who opened
 * the same article, the second to save is told instead of overwriting the first. Not
 * `updated_at`: two saves within one millisecond (or on a clock set back) share it, and a
 * publish leaves it alone. Existing rows start at 1.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  for (const table of ['kb_articles', 'kb_categories']) {
    await db.schema
      .alterTable(table)
      .addColumn('version', 'integer', (c) => c.notNull().defaultTo(1))
      .execute();
  }
}

export async function down(db: Kysely<unknown>): Promise<void> {
  for (const table of ['kb_articles', 'kb_categories']) {
    await db.schema.alterTable(table).dropColumn('version').execute();
  }
}
