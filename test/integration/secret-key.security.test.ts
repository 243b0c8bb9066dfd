/*
 * One installation, one master key. Processes sharing a database (SPEC §6) must share
 * PORTICO_SECRET_KEY: a process with another key (or, without it, with a key file of its own
 * made on another machine) started normally and then answered every TOTP sign-in with a 500,
 * and refused the CSRF tokens and codes the other processes made. The database now records a
 * check value of the key on first start; a process with another key stops at start with one
 * line naming PORTICO_SECRET_KEY, also when two start together on a fresh database. A stored
 * TOTP secret that still cannot be opened is a server error shown as such, never a 500 and
 * never a wrong code counted against the person.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import type { PorticoApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import type { DatabaseHandle, Dialect } from '../../src/db/database.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { encrypt } from '../../src/security/encryption.js';
import { hashToken } from '../../src/security/tokens.js';
import { KEY_CHECK_SETTING } from '../../src/security/secret-key.js';
import { textOf } from '../helpers/client.js';
import {
  createPostgresSchema,
  DIALECTS,
  dropPostgresSchema,
  POSTGRES_URL,
} from '../helpers/databases.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp, FAST_HASHING } from '../helpers/test-app.js';
import {
  accountRow,
  freshCode,
  PENDING_COOKIE,
  pendingSignIn,
  SESSION_COOKIE,
  submitCode,
  userWithApp,
} from '../helpers/two-factor.js';

const MISMATCH =
  'PORTICO_SECRET_KEY: this key is not the one this database was set up with; every process of one installation needs the same key';

const newKey = () => randomBytes(32).toString('base64');

/** A migrated, empty database that several "processes" (apps with their own handles) share. */
interface SharedDatabase {
  url: string;
  open(): DatabaseHandle;
  drop(): Promise<void>;
}

async function sharedDatabase(dialect: Dialect): Promise<SharedDatabase> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-key-'));
  const schema = dialect === 'postgres' ? await createPostgresSchema() : null;
  const url = schema ? POSTGRES_URL : `sqlite:${path.join(dir, 'portico.db')}`;
  const open = () => openDatabase(url, schema ? { schema } : {});
  const first = open();
  await migrateToLatest(first.db);
  await first.close();
  return {
    url,
    open,
    async drop() {
      if (schema) await dropPostgresSchema(schema);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

describe.each(DIALECTS)('secret key of an installation (%s)', (dialect) => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function newDataDir(): string {
    return fs.mkdtempSync(path.join(os.tmpdir(), 'portico-key-data-'));
  }

  /** Builds an app as `serve` does, on its own data directory and database handle. */
  async function start(
    shared: SharedDatabase,
    env: Record<string, string>,
    database = shared.open(),
    dataDir = newDataDir(),
  ): Promise<PorticoApp> {
    cleanups.push(() => Promise.resolve(fs.rmSync(dataDir, { recursive: true, force: true })));
    cleanups.push(() => database.close());
    const portico = await buildApp({
      config: loadConfig({ PORTICO_DATA_DIR: dataDir, DATABASE_URL: shared.url, ...env }),
      database,
      hashing: FAST_HASHING,
      logger: false,
      mailer: { send: () => Promise.resolve(), close: () => Promise.resolve() },
    });
    cleanups.push(() => portico.close());
    return portico;
  }

  async function fresh(): Promise<SharedDatabase> {
    const shared = await sharedDatabase(dialect);
    cleanups.push(() => shared.drop());
    return shared;
  }

  async function storedCheck(shared: SharedDatabase): Promise<string | undefined> {
    const database = shared.open();
    try {
      const row = await database.db
        .selectFrom('settings')
        .select('value')
        .where('key', '=', KEY_CHECK_SETTING)
        .executeTakeFirst();
      return row?.value;
    } finally {
      await database.close();
    }
  }

  it('records a check value of the key on first start, never the key, and starts again with it', async () => {
    const shared = await fresh();
    const key = newKey();
    await start(shared, { PORTICO_SECRET_KEY: key });
    const check = await storedCheck(shared);
    expect(check).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(check).not.toContain(key.replace(/=+$/, ''));
    expect(check).not.toBe(Buffer.from(key, 'base64').toString('base64url'));

    await expect(start(shared, { PORTICO_SECRET_KEY: key })).resolves.toBeDefined();
    expect(await storedCheck(shared)).toBe(check);
  });

  it('stops a process with another PORTICO_SECRET_KEY with one line naming it', async () => {
    const shared = await fresh();
    await start(shared, { PORTICO_SECRET_KEY: newKey() });
    const refused = start(shared, { PORTICO_SECRET_KEY: newKey() });
    await expect(refused).rejects.toThrow(MISMATCH);
    await refused.catch((error: unknown) => {
      expect(String((error as Error).message)).not.toContain('\n');
    });
  });

  it('stops a process whose own key file (no PORTICO_SECRET_KEY) holds another key', async () => {
    const shared = await fresh();
    await start(shared, {});
    // Another machine whose data directory has a key file of another installation: named,
    // and kept (it is that installation's).
    const otherDir = newDataDir();
    fs.writeFileSync(path.join(otherDir, 'secret.key'), `${newKey()}\n`, { mode: 0o600 });
    await expect(start(shared, {}, shared.open(), otherDir)).rejects.toThrow(
      /^PORTICO_SECRET_KEY is unset, and the key in .*secret\.key is not the one this database was set up with; every process of one installation needs the same key$/,
    );
    expect(fs.existsSync(path.join(otherDir, 'secret.key'))).toBe(true);

    // A new machine: a data directory without a key file, where this start makes one. It is
    // not the installation's key, so it is not left there as if it were.
    const newDir = newDataDir();
    await expect(start(shared, {}, shared.open(), newDir)).rejects.toThrow(
      /^PORTICO_SECRET_KEY is unset and .* had no secret\.key, but this database was set up with a key \(none was kept here\); set PORTICO_SECRET_KEY to it, or copy secret\.key from the data directory of the installation's first process; every process of one installation needs the same key$/,
    );
    expect(fs.readdirSync(newDir)).not.toContain('secret.key');
  });

  it('lets one of two processes with different keys starting at once on a fresh database win', async () => {
    for (let round = 0; round < 3; round += 1) {
      const shared = await fresh();
      const results = await Promise.allSettled([
        start(shared, { PORTICO_SECRET_KEY: newKey() }),
        start(shared, { PORTICO_SECRET_KEY: newKey() }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
      const [refused] = results.filter((r) => r.status === 'rejected');
      expect(String((refused?.reason as Error).message)).toBe(MISMATCH);
    }
  });

  it('starts both of two processes with the same key starting at once on a fresh database', async () => {
    const shared = await fresh();
    const key = newKey();
    const results = await Promise.allSettled([
      start(shared, { PORTICO_SECRET_KEY: key }),
      start(shared, { PORTICO_SECRET_KEY: key }),
      start(shared, { PORTICO_SECRET_KEY: key }),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'fulfilled', 'fulfilled']);
  });
});

describe.each(DIALECTS)('secret key of an existing installation (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  const databaseUrl = () =>
    app.dialect === 'postgres' ? POSTGRES_URL : `sqlite:${path.join(app.dataDir, 'portico.db')}`;

  /** Another process on the test app's database, with `env` as its configuration. */
  async function startBeside(env: Record<string, string>): Promise<PorticoApp> {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-key-data-'));
    try {
      return await buildApp({
        config: loadConfig({ PORTICO_DATA_DIR: dataDir, DATABASE_URL: databaseUrl(), ...env }),
        database: { db: app.db, dialect: app.dialect, close: () => Promise.resolve() },
        hashing: FAST_HASHING,
        logger: false,
        mailer: { send: () => Promise.resolve(), close: () => Promise.resolve() },
      });
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }

  it('adopts the key of a database from before the check only when it opens the stored TOTP secrets', async () => {
    await userWithApp(app);
    // A database written before the check existed: TOTP secrets, no check value.
    await app.db.deleteFrom('settings').where('key', '=', KEY_CHECK_SETTING).execute();

    await expect(startBeside({ PORTICO_SECRET_KEY: newKey() })).rejects.toThrow(MISMATCH);
    const absent = await app.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', KEY_CHECK_SETTING)
      .executeTakeFirst();
    expect(absent).toBeUndefined();

    const ownKey = fs.readFileSync(path.join(app.dataDir, 'secret.key'), 'utf8').trim();
    const same = await startBeside({ PORTICO_SECRET_KEY: ownKey });
    await same.close();
    const recorded = await app.db
      .selectFrom('settings')
      .select('value')
      .where('key', '=', KEY_CHECK_SETTING)
      .executeTakeFirst();
    expect(recorded?.value).toBeDefined();
    await expect(startBeside({ PORTICO_SECRET_KEY: newKey() })).rejects.toThrow(MISMATCH);
  });

  it('answers a TOTP code with a clear error, never a 500, when the stored secret cannot be opened', async () => {
    const user = await userWithApp(app);
    await user.client.post('/logout');
    const method = await app.db
      .selectFrom('two_factor_methods')
      .select('id')
      .where('user_id', '=', user.userId)
      .where('type', '=', 'totp')
      .executeTakeFirstOrThrow();
    // Sealed with a key this process does not have, as another process's key would.
    await app.db
      .updateTable('two_factor_methods')
      .set({
        secret_encrypted: encrypt(
          randomBytes(32),
          Buffer.from(user.secret),
          `totp-method:${method.id}`,
        ),
      })
      .where('id', '=', method.id)
      .execute();

    const client = await pendingSignIn(app, user.email);
    await client.get('/login/2fa');
    const logged = app.logLines.length;
    const page = await submitCode(client, 'totp', freshCode(app, user.secret));
    expect(page.status).toBe(503);
    expect(textOf(page.body)).toContain(
      'Your authentication app cannot be checked right now because of a problem on our side.',
    );
    expect(client.cookies.has(SESSION_COOKIE)).toBe(false);
    const errors = app.logLines
      .slice(logged)
      .map((line) => JSON.parse(line) as { level: number; msg: string })
      .filter((line) => line.level >= 50);
    expect(errors).toHaveLength(1);
    expect(errors[0]?.msg).toContain('PORTICO_SECRET_KEY');
    // Not the person's mistake: no try counted, and a recovery code still gets them in.
    expect((await accountRow(app, user.userId)).second_factor_failures).toBe(0);
    const pending = await app.db
      .selectFrom('pending_sign_ins')
      .select('failures')
      .where('id_hash', '=', hashToken(client.cookies.get(PENDING_COOKIE) ?? ''))
      .executeTakeFirstOrThrow();
    expect(pending.failures).toBe(0);
    const recovered = await submitCode(client, 'recovery', user.recoveryCodes[0] ?? '');
    expect(recovered.status).toBe(303);
    expect(client.cookies.has(SESSION_COOKIE)).toBe(true);
  });
});
