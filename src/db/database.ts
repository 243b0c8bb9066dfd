import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import SQLite from 'better-sqlite3';
import { CompiledQuery, Kysely, PostgresDialect, SqliteDialect, SqliteDriver } from './kysely.js';
import { usePreparedStatements } from './prepared-statements.js';
import type { DatabaseConnection, Driver, SqliteDatabase, SqliteDialectConfig } from 'kysely';
import type pg from 'pg';
import type { Database } from './schema.js';
import { makeDirectories } from '../lib/directories.js';

export type Dialect = 'sqlite' | 'postgres';

export interface DatabaseHandle {
  db: Kysely<Database>;
  dialect: Dialect;
  close(): Promise<void>;
}

export interface DatabaseOptions {
  /** PostgreSQL only: the schema to use (tests give each app a fresh one). */
  schema?: string;
  poolSize?: number;
  /** PostgreSQL only: how long a connection may take to be ready (tests shorten it). */
  connectTimeoutMs?: number;
  /**
   * PostgreSQL only: told when a connection waiting in the pool fails (the server restarted,
   * an administrator ended it). The pool drops it and opens a new one when needed; without a
   * listener, the pool's error would end the process. Defaults to one line on standard error.
   */
  onIdleError?: (error: Error) => void;
  /** SQLite only: open the file only if it is there, instead of making an empty database. */
  existingFileOnly?: boolean;
}

export const reportIdleError = (error: Error) =>
  process.stderr.write(
    `portico: a database connection waiting in the pool failed (${error.message}); a new one is opened when needed\n`,
  );

/**
 * A database server that accepts the connection and never answers (a firewall that drops,
 * a stopped VM) would otherwise hold a start, or a request waiting for a pooled connection,
 * for ever.
 */
export const PG_CONNECT_TIMEOUT_MS = 10_000;

const INT8_OID = 20;

/** Distinct statements kept prepared; the app has a few hundred query shapes at most. */
export const STATEMENT_CACHE_SIZE = 1000;

/**
 * Kysely's SQLite driver prepares every query anew, and better-sqlite3's prepare (compiling the
 * SQL) costs more than running a typical indexed query (docs/performance.md). Prepared
 * statements are kept by their SQL text, least recently used out first. Reuse is safe because
 * the driver runs one query at a time on its single connection and never leaves a statement
 * iterating (nothing streams).
 */
export function withStatementCache(
  database: SQLite.Database,
  size = STATEMENT_CACHE_SIZE,
): SqliteDatabase {
  const statements = new Map<string, SQLite.Statement>();
  return {
    close: () => database.close(),
    prepare(sql: string) {
      const cached = statements.get(sql);
      if (cached) {
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      const statement = database.prepare(sql);
      statements.set(sql, statement);
      if (statements.size > size) statements.delete(statements.keys().next().value as string);
      return statement;
    },
  };
}

/**
 * The database holds password hashes, encrypted TOTP secrets and session hashes, so a new file
 * is its owner's only (0600), as the key file is; SQLite gives its -wal and -shm files the mode
 * of the database file. An empty file is a valid empty database. An existing file keeps its mode.
 */
function createPrivateFile(file: string): void {
  makeDirectories(path.dirname(path.resolve(file)));
  try {
    fs.closeSync(fs.openSync(file, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
}

/** The SQLite page cache, in SQLite's unit for a size: negative is KiB. */
export const SQLITE_CACHE_SIZE = -2000;

export function dialectOf(url: string): Dialect {
  return url.startsWith('sqlite:') ? 'sqlite' : 'postgres';
}

/** The file of a SQLite URL, or null for PostgreSQL. */
export function sqliteFileOf(url: string): string | null {
  return dialectOf(url) === 'sqlite' ? url.slice('sqlite:'.length) : null;
}

/** The name of the SQLite function that lower-cases every letter, not only A to Z. */
export const UNICODE_LOWER = 'portico_lower';

/**
 * SQLite with its transactions begun IMMEDIATE, as the writer: Kysely begins them DEFERRED,
 * so a transaction that reads before it writes holds a snapshot only, and when another process
 * (the CLI beside the server) commits in between, its first write fails at once with "database
 * is locked" (SQLITE_BUSY_SNAPSHOT), the busy timeout notwithstanding. Begun as the writer, it
 * waits for the other to finish instead. Within one process transactions run one at a time on
 * the single connection anyway, so this costs one lock taken earlier.
 */
class WriterSqliteDialect extends SqliteDialect {
  readonly #config: SqliteDialectConfig;

  constructor(config: SqliteDialectConfig) {
    super(config);
    this.#config = config;
  }

  override createDriver(): Driver {
    const driver = new SqliteDriver(this.#config);
    driver.beginTransaction = async (connection: DatabaseConnection) => {
      await connection.executeQuery(CompiledQuery.raw('begin immediate'));
    };
    return driver;
  }
}

export function openDatabase(url: string, options: DatabaseOptions = {}): DatabaseHandle {
  const file = sqliteFileOf(url);
  if (file !== null) {
    // ':memory:' and '' are databases without a file.
    if (file !== ':memory:' && file !== '' && !options.existingFileOnly) createPrivateFile(file);
    const sqlite = new SQLite(file, { fileMustExist: options.existingFileOnly ?? false });
    // WAL lets readers run beside the writer; the busy timeout makes a second process wait
    // for the lock instead of failing; foreign keys are off by default in SQLite.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('busy_timeout = 5000');
    sqlite.pragma('foreign_keys = ON');
    // SQLite's own default page cache, 2 MB, where better-sqlite3 builds with 16 MB: pages
    // outside it come from the system's file cache, and the 14 MB more held the process over
    // its memory budget with no gain in speed (docs/performance.md, item 15).
    sqlite.pragma(`cache_size = ${SQLITE_CACHE_SIZE}`);
    // SQLite's own lower() folds A to Z only: "Ångström" stays as it is. Searches that ignore
    // case use this one (src/admin/like-pattern.ts), as PostgreSQL's lower() folds every letter
    // in a database whose locale is not C.
    sqlite.function(UNICODE_LOWER, { deterministic: true }, (value: unknown) =>
      typeof value === 'string' ? value.toLowerCase() : value,
    );
    const db = new Kysely<Database>({
      dialect: new WriterSqliteDialect({ database: withStatementCache(sqlite) }),
    });
    return { db, dialect: 'sqlite', close: () => db.destroy() };
  }
  // pg is loaded only here: on SQLite its module loading would be start-up time for nothing
  // (docs/performance.md).
  const { Pool, TypeOverrides } = createRequire(import.meta.url)('pg') as typeof pg;
  // Times are bigint milliseconds, always far below 2^53: read them as numbers.
  const types = new TypeOverrides();
  types.setTypeParser(INT8_OID, (value: string) => Number(value));
  const pool = new Pool({
    connectionString: url,
    max: options.poolSize ?? 10,
    connectionTimeoutMillis: options.connectTimeoutMs ?? PG_CONNECT_TIMEOUT_MS,
    ...(options.schema ? { options: `-c search_path=${options.schema}` } : {}),
    types,
  });
  pool.on('error', options.onIdleError ?? reportIdleError);
  // The hot queries run as named prepared statements (src/db/prepared-statements.ts).
  pool.on('connect', (client) => usePreparedStatements(client));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return { db, dialect: 'postgres', close: () => db.destroy() };
}
