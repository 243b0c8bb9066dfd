import type { Kysely } from 'kysely';
import { sql } from '../kysely.js';
import { SECURITY_KEY_NAME_INDEX } from '../schema.js';

/**
 * One person's security keys have different names, compared without regard to case: the list
 * and "Remove …?" tell them apart by name alone. The forms check it first and say so; this
 * index holds it when two renames or additions race past that check. Names that already
 * collide (from such a race) get " (2)", " (3)" … in the order the keys were added.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  const keys = await sql<{ id: string; user_id: string; name: string }>`
    select id, user_id, name from two_factor_methods
    where type = 'webauthn' order by user_id, created_at, id
  `.execute(db);
  const taken = new Set<string>();
  const keyOf = (userId: string, name: string) => `${userId}\n${name.toLowerCase()}`;
  for (const key of keys.rows) taken.add(keyOf(key.user_id, key.name));
  const seen = new Set<string>();
  for (const key of keys.rows) {
    if (!seen.has(keyOf(key.user_id, key.name))) {
      seen.add(keyOf(key.user_id, key.name));
      continue;
    }
    let n = 2;
    while (taken.has(keyOf(key.user_id, `${key.name} (${n})`))) n++;
    const renamed = `${key.name} (${n})`;
    taken.add(keyOf(key.user_id, renamed));
    seen.add(keyOf(key.user_id, renamed));
    await sql`update two_factor_methods set name = ${renamed} where id = ${key.id}`.execute(db);
  }
  await sql`
    create unique index ${sql.ref(SECURITY_KEY_NAME_INDEX)}
    on two_factor_methods (user_id, lower(name)) where type = 'webauthn'
  `.execute(db);
}

export async function down(db: Kysely<unknown>): Promise<void> {
  await db.schema.dropIndex(SECURITY_KEY_NAME_INDEX).execute();
}
