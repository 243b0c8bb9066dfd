import fs from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { Kysely } from 'kysely';
import type { HasherOptions, PasswordHasher } from '../../src/accounts/passwords.js';
import { createPasswordHasher } from '../../src/accounts/passwords.js';
import type { PorticoApp } from '../../src/app.js';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { Dialect } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import type { Database } from '../../src/db/schema.js';
import { createSmtpMailer } from '../../src/mail/mailer.js';
import { createPostgresSchema, dropPostgresSchema, POSTGRES_URL } from './databases.js';
import { MailCapture } from './mail-capture.js';
import { TestClock } from './test-clock.js';

/** Cheap Argon2id parameters for tests that are not about password hashing. */
export const FAST_HASHING = { memoryCost: 1024, timeCost: 1, parallelism: 1 } as const;
/** A hasher with those parameters and no pepper, for tests that wrap or replace the app's. */
export const fastHasher: PasswordHasher = createPasswordHasher(FAST_HASHING);

export interface TestAppOptions {
  dialect?: Dialect;
  clock?: TestClock;
  /** Argon2's cost parameters for the app's own (peppered) hasher; cheap ones by default. */
  hashing?: Omit<HasherOptions, 'secret'>;
  /** A hasher to use as it is, instead of the app's own. */
  hasher?: PasswordHasher;
  env?: Record<string, string>;
  /** Public URL the app believes it has (e2e servers pass their real address). */
  publicUrl?: string;
  /**
   * Listen on a free loopback port (for a real browser); PUBLIC_URL is set to that address
   * so links in mails point at the running server.
   */
  listen?: boolean;
  /**
   * With `listen`: the host name in PUBLIC_URL and `baseUrl` (default 127.0.0.1). Security
   * keys need `localhost`: WebAuthn refuses an IP address as relying party.
   */
  host?: 'localhost' | '127.0.0.1';
  /** Mail goes to the dev outbox under the data directory, as without SMTP_URL, not to `mail`. */
  devOutbox?: boolean;
}

export interface TestApp extends PorticoApp {
  db: Kysely<Database>;
  dialect: Dialect;
  clock: TestClock;
  mail: MailCapture;
  dataDir: string;
  /** Log lines the app wrote (to check that secrets never reach a log). */
  logLines: string[];
  /** `http://127.0.0.1:PORT` when created with `listen: true`, else the configured public URL. */
  baseUrl: string;
}

/**
 * A loopback port held until `release`, just before the app binds it: the app's address must be
 * known before it is built (PUBLIC_URL), and a port given back at once was seen taken by another
 * listener (a mail server's, a parallel suite's) while the app was still being built.
 */
async function reserveLoopbackPort(): Promise<{ port: number; release: () => Promise<void> }> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  const release = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return { port, release };
}

/**
 * The real app on a fresh database (a SQLite file, or a new PostgreSQL schema), with a real
 * SMTP server receiving its mail and a clock the test controls.
 */
export async function createTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const dialect = options.dialect ?? 'sqlite';
  if (dialect === 'postgres' && !POSTGRES_URL) throw new Error('TEST_DATABASE_URL is not set');
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-test-'));
  const schema = dialect === 'postgres' ? await createPostgresSchema() : null;
  const databaseUrl = schema ? POSTGRES_URL : `sqlite:${path.join(dataDir, 'portico.db')}`;
  const reserved = options.listen ? await reserveLoopbackPort() : null;
  const port = reserved?.port ?? null;
  const host = options.host ?? '127.0.0.1';
  const publicUrl =
    options.publicUrl ?? (port ? `http://${host}:${port}` : 'http://localhost:3000');
  const config = loadConfig({
    PORTICO_DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    PUBLIC_URL: publicUrl,
    LOG_LEVEL: 'info',
    ...options.env,
  });
  const database = openDatabase(databaseUrl, schema ? { schema, poolSize: 20 } : {});
  await migrateToLatest(database.db);
  const mail = await MailCapture.start();
  const clock = options.clock ?? new TestClock();
  const logLines: string[] = [];
  const stream = { write: (line: string) => void logLines.push(line) };
  const portico = await buildApp({
    config,
    database,
    clock,
    hashing: options.hashing ?? FAST_HASHING,
    hasher: options.hasher,
    ...(options.devOutbox ? {} : { mailer: createSmtpMailer(mail.url, config.mailFrom) }),
    logger: { level: 'info', stream },
  });
  await portico.app.ready();
  if (reserved) {
    await reserved.release();
    await portico.app.listen({ host: '127.0.0.1', port: reserved.port });
  }
  return {
    ...portico,
    db: database.db,
    dialect,
    clock,
    mail,
    dataDir,
    logLines,
    baseUrl: port ? `http://${host}:${port}` : publicUrl.replace(/\/$/, ''),
    async close() {
      await portico.close();
      await database.close();
      await mail.close();
      if (schema) await dropPostgresSchema(schema);
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
