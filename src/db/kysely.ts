import { createRequire } from 'node:module';
import type * as KyselyModule from 'kysely';

/**
 * Kysely's values (classes, the `sql` tag), from its CommonJS build, which loads about 100 ms
 * faster than its 260 ES modules on the benchmark machine (docs/performance.md). Every value from Kysely is imported from here, never from
 * 'kysely' itself, so the process holds one copy of its classes; types still come from
 * 'kysely' (`import type`), which costs nothing at run time.
 */
const kysely = createRequire(import.meta.url)('kysely') as typeof KyselyModule;

export const {
  CompiledQuery,
  Migrator,
  PostgresAdapter,
  PostgresDialect,
  SqliteDialect,
  SqliteDriver,
  sql,
} = kysely;
export const Kysely = kysely.Kysely;
export type Kysely<DB> = KyselyModule.Kysely<DB>;
