import type { Kysely, Migration, MigrationProvider, MigrationResultSet } from 'kysely';
import { Migrator, PostgresAdapter, sql } from './kysely.js';
import type { Database } from './schema.js';
import * as foundation from './migrations/0001-foundation.js';
import * as twoFactor from './migrations/0002-two-factor.js';
import * as knowledgeBase from './migrations/0003-knowledge-base.js';
import * as apiKeys from './migrations/0004-api-keys.js';
import * as trustedDevices from './migrations/0005-trusted-devices.js';
import * as securityKeys from './migrations/0006-security-keys.js';
import * as securityKeyNames from './migrations/0007-security-key-names.js';
import * as secondFactorLocks from './migrations/0008-second-factor-locks.js';
import * as setupRequests from './migrations/0009-setup-requests.js';
import * as rateLimitRuns from './migrations/0010-rate-limit-runs.js';
import * as kbSearchWords from './migrations/0011-kb-search-words.js';
import * as kbVersions from './migrations/0012-kb-versions.js';
import * as kbArticleRedirects from './migrations/0013-kb-article-redirects.js';
import * as rateLimitHits from './migrations/0014-rate-limit-hits.js';
import * as signInAddress from './migrations/0015-sign-in-address.js';
import * as browserLanguage from './migrations/0016-browser-language.js';
import * as kbSearchFolded from './migrations/0017-kb-search-folded.js';

// Migrations are imported, not read from a folder at run time: the same list works from
// TypeScript sources (tests) and from the compiled build.
const migrations: Record<string, Migration> = {
  '0001-foundation': foundation,
  '0002-two-factor': twoFactor,
  '0003-knowledge-base': knowledgeBase,
  '0004-api-keys': apiKeys,
  '0005-trusted-devices': trustedDevices,
  '0006-security-keys': securityKeys,
  '0007-security-key-names': securityKeyNames,
  '0008-second-factor-locks': secondFactorLocks,
  '0009-setup-requests': setupRequests,
  '0010-rate-limit-runs': rateLimitRuns,
  '0011-kb-search-words': kbSearchWords,
  '0012-kb-versions': kbVersions,
  '0013-kb-article-redirects': kbArticleRedirects,
  '0014-rate-limit-hits': rateLimitHits,
  '0015-sign-in-address': signInAddress,
  '0016-browser-language': browserLanguage,
  '0017-kb-search-folded': kbSearchFolded,
};

const provider: MigrationProvider = { getMigrations: () => Promise.resolve(migrations) };

/**
 * On PostgreSQL the migration tables are named with the connection's schema: without one,
 * Kysely takes a kysely_migration_lock table in *any* schema of the database for its own (and
 * then fails to find it), e.g. when test apps each use a schema of one database.
 */
async function migrationSchema(db: Kysely<Database>): Promise<string | null | undefined> {
  return db.getExecutor().adapter instanceof PostgresAdapter
    ? (await sql<{ schema: string | null }>`select current_schema() as schema`.execute(db)).rows[0]
        ?.schema
    : undefined;
}

/** Whether the database has exactly this build's migrations: nothing to apply, none unknown. */
export async function isUpToDate(db: Kysely<Database>): Promise<boolean> {
  return upToDate(db, await migrationSchema(db));
}

/** Migrations the database has and this release does not know: a newer release ran them. */
export async function migrationsFromNewerRelease(db: Kysely<Database>): Promise<string[]> {
  const applied = await appliedMigrations(db, await migrationSchema(db));
  return (applied ?? []).filter((name) => !Object.hasOwn(migrations, name));
}

export async function migrateToLatest(db: Kysely<Database>): Promise<string[]> {
  const schema = await migrationSchema(db);
  if (await upToDate(db, schema)) return [];
  const migrate = (target: Kysely<Database>) =>
    new Migrator({
      db: target,
      provider,
      ...(schema ? { migrationTableSchema: schema } : {}),
    }).migrateToLatest();
  const { error, results } =
    schema === undefined ? await migrateSqliteExclusively(db, migrate) : await migrate(db);
  if (error) {
    // Kysely's words for a migration it does not know are "corrupted migrations"; the usual
    // cause is an older release started on a database a newer one migrated.
    const unknown = /previously executed migration (\S+) is missing/.exec(
      error instanceof Error ? error.message : '',
    );
    if (unknown)
      throw new Error(
        `it was migrated by a newer release of Portico (migration ${unknown[1]} is not in this one); run that release or a later one`,
        { cause: error },
      );
    throw error instanceof Error ? error : new Error('Migration failed', { cause: error });
  }
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}

/**
 * On SQLite Kysely neither locks nor wraps the migrations in a transaction: two starts at once
 * on a new file both ran them, and one failed on a table the other had just made; a migration
 * that failed half-way left what it had done. They run here in one `BEGIN IMMEDIATE`
 * transaction on the connection, so a second start waits for the first (the busy timeout),
 * then finds nothing to do, and a failure leaves the database as it was.
 */
async function migrateSqliteExclusively(
  db: Kysely<Database>,
  migrate: (target: Kysely<Database>) => Promise<MigrationResultSet>,
): Promise<MigrationResultSet> {
  return db.connection().execute(async (connection) => {
    await sql`begin immediate`.execute(connection);
    let outcome: MigrationResultSet | undefined;
    try {
      outcome = await migrate(connection);
    } finally {
      await sql.raw(outcome && !outcome.error ? 'commit' : 'rollback').execute(connection);
    }
    return outcome;
  });
}

/**
 * Whether exactly the known migrations are recorded as applied. A start on a migrated
 * database then skips the migrator, whose table checks and lock took about 90 ms of round
 * trips on PostgreSQL (docs/performance.md). Anything else (no table yet, one missing, one
 * this build does not know) goes to the migrator, which applies or refuses as before.
 */
async function upToDate(db: Kysely<Database>, schema: string | null | undefined): Promise<boolean> {
  // No record (most often no table yet, a fresh database): whatever it was, the migrator meets
  // it too and reports it properly.
  const applied = await appliedMigrations(db, schema);
  const known = Object.keys(migrations);
  return (
    applied !== null &&
    applied.length === known.length &&
    applied.every((name) => known.includes(name))
  );
}

/** The names the database records as applied, or null when it has no record to read. */
async function appliedMigrations(
  db: Kysely<Database>,
  schema: string | null | undefined,
): Promise<string[] | null> {
  try {
    const table = sql.table(schema ? `${schema}.kysely_migration` : 'kysely_migration');
    const { rows } = await sql<{ name: string }>`select name from ${table}`.execute(db);
    return rows.map((row) => row.name);
  } catch {
    return null;
  }
}
