/** A fresh store per benchmark run: a SQLite file, or a new schema in PostgreSQL. */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { Dialect } from '../src/db/database.js';
import { openDatabase } from '../src/db/database.js';
import type { Keys } from '../src/security/secret-key.js';
import { deriveKeys } from '../src/security/secret-key.js';
import { cookieNames } from '../src/web/cookies.js';
import { csrfTokenFor } from '../src/web/request-context.js';

export const COOKIES = cookieNames(false);

export interface Store {
  dialect: Dialect;
  label: string;
  dataDir: string;
  databaseUrl: string;
  schema: string | null;
  /** This run's master key: the benchmark seals TOTP secrets and signs CSRF tokens with it. */
  masterKey: Buffer;
  keys: Keys;
  cleanup(): Promise<void>;
}

export async function prepareStore(dialect: Dialect, postgresUrl: string | null): Promise<Store> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-bench-'));
  const masterKey = randomBytes(32);
  const base = { dialect, dataDir, masterKey, keys: deriveKeys(masterKey) };
  if (dialect === 'sqlite') {
    return {
      ...base,
      label: 'SQLite',
      databaseUrl: `sqlite:${path.join(dataDir, 'portico.db')}`,
      schema: null,
      cleanup() {
        fs.rmSync(dataDir, { recursive: true, force: true });
        return Promise.resolve();
      },
    };
  }
  if (!postgresUrl) throw new Error('PostgreSQL needs BENCH_DATABASE_URL');
  const schema = `bench_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: postgresUrl });
  await admin.connect();
  await admin.query(`create schema ${schema}`);
  await admin.end();
  const url = new URL(postgresUrl);
  url.searchParams.set('options', `-c search_path=${schema}`);
  return {
    ...base,
    label: 'PostgreSQL',
    databaseUrl: url.toString(),
    schema,
    async cleanup() {
      const client = new pg.Client({ connectionString: postgresUrl });
      await client.connect();
      await client.query(`drop schema if exists ${schema} cascade`);
      await client.end();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

export function openStore(store: Store) {
  return openDatabase(store.databaseUrl, store.schema ? { schema: store.schema } : {});
}

/** The environment of a Portico process: this run's store and key, no inherited settings. */
export function porticoEnv(store: Store, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const setting =
      /^(PORT|HOST|PUBLIC_URL|DATABASE_URL|SMTP_URL|MAIL_FROM|LOG_LEVEL)$/.test(key) ||
      key.startsWith('PORTICO_');
    if (!setting) env[key] = value;
  }
  return {
    ...env,
    PORT: String(port),
    HOST: '127.0.0.1',
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    PORTICO_DATA_DIR: store.dataDir,
    DATABASE_URL: store.databaseUrl,
    PORTICO_SECRET_KEY: store.masterKey.toString('base64'),
    // As behind a reverse proxy on the same host: the client address comes from
    // X-Forwarded-For, so the sign-in storm is many clients, not one address hitting its limit.
    PORTICO_TRUST_PROXY: '127.0.0.1',
  };
}

/** A browser's CSRF cookie and the form token that goes with it. */
export function csrfPair(store: Store): { cookie: string; token: string } {
  const secret = randomBytes(32).toString('base64url');
  return { cookie: `${COOKIES.csrf}=${secret}`, token: csrfTokenFor(secret, store.keys.csrf) };
}
