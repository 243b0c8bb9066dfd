import type { Kysely, Migration, MigrationProvider } from 'kysely';
import { Migrator } from 'kysely';
import type { Database } from './schema.js';
import * as foundation from './migrations/0001-foundation.js';
import * as twoFactor from './migrations/0002-two-factor.js';
import * as knowledgeBase from './migrations/0003-knowledge-base.js';
import * as apiKeys from './migrations/0004-api-keys.js';

// Migrations are imported, not read from a folder at run time: the same list works from
// TypeScript sources (tests) and from the compiled build.
const migrations: Record<string, Migration> = {
  '0001-foundation': foundation,
  '0002-two-factor': twoFactor,
  '0003-knowledge-base': knowledgeBase,
  '0004-api-keys': apiKeys,
};

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };

export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const migrator = new Migrator({ db, provider });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error instanceof Error ? error : new Error('Migration failed', { cause: error });
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
