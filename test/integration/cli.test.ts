import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';
import { Client } from '../helpers/client.js';
import { fastHasher } from '../helpers/test-app.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');
const ADMIN_PASSWORD = 'an administrator passphrase';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs the CLI as an operator would, with only the environment given (plus PATH). */
function portico(args: string[], env: Record<string, string>, stdin = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(TSX, [path.join(ROOT, 'src', 'main.ts'), ...args], {
      cwd: ROOT,
      env: {
        PATH: process.env.PATH ?? '/usr/bin:/bin',
        HOME: process.env.HOME ?? os.tmpdir(),
        TMPDIR: os.tmpdir(),
        ...env,
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

describe('command line', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-cli-'));
    dirs.push(dir);
    return dir;
  };
  const migrateDir = tempDir();
  const adminDir = tempDir();
  const runs: Record<string, Run> = {};

  // The runs are independent: start them together (each is a cold start of tsx).
  beforeAll(async () => {
    const [help, adminHelp, migrate, createAdmin, badPort] = await Promise.all([
      portico(['--help'], { PORTICO_DATA_DIR: tempDir() }),
      portico(['create-admin', '--help'], { PORTICO_DATA_DIR: tempDir() }),
      portico(['migrate'], { PORTICO_DATA_DIR: migrateDir }),
      portico(
        ['create-admin', '--email', 'Admin@Example.com', '--name', 'Ada Admin'],
        { PORTICO_DATA_DIR: adminDir },
        `${ADMIN_PASSWORD}\n`,
      ),
      portico(['migrate'], { PORTICO_DATA_DIR: tempDir(), PORT: 'abc' }),
    ]);
    Object.assign(runs, { help, adminHelp, migrate, createAdmin, badPort });
  }, 60_000);

  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('prints its commands with --help', () => {
    expect(runs.help?.code).toBe(0);
    expect(runs.help?.stdout).toContain('Usage: portico <command>');
    for (const command of ['serve', 'migrate', 'create-admin']) {
      expect(runs.help?.stdout).toMatch(new RegExp(`^\\s+${command}\\s`, 'm'));
    }
  });

  it('prints the options of create-admin', () => {
    expect(runs.adminHelp?.code).toBe(0);
    expect(runs.adminHelp?.stdout).toContain('--email EMAIL --name NAME');
    expect(runs.adminHelp?.stdout).toContain('standard input');
  });

  it('migrates a fresh SQLite database', async () => {
    expect(runs.migrate?.stderr).toBe('');
    expect(runs.migrate?.code).toBe(0);
    expect(runs.migrate?.stdout).toMatch(/^Applied: /);
    const database = openDatabase(`sqlite:${path.join(migrateDir, 'portico.db')}`);
    try {
      const tables = (await database.db.introspection.getTables()).map((t) => t.name);
      expect(tables).toEqual(expect.arrayContaining(['users', 'sessions', 'audit_events']));
    } finally {
      await database.close();
    }
  });

  it('creates an administrator from --email, --name and a password on stdin, who can log in', async () => {
    expect(runs.createAdmin?.stderr).toBe('');
    expect(runs.createAdmin?.code).toBe(0);
    expect(runs.createAdmin?.stdout).toContain('Created administrator Admin@Example.com.');
    expect(runs.createAdmin?.stdout).not.toContain(ADMIN_PASSWORD);

    const databaseUrl = `sqlite:${path.join(adminDir, 'portico.db')}`;
    const database = openDatabase(databaseUrl);
    const served = await buildApp({
      config: loadConfig({ PORTICO_DATA_DIR: adminDir, DATABASE_URL: databaseUrl }),
      database,
      hasher: fastHasher,
      logger: false,
      mailer: { send: () => Promise.resolve(), close: () => Promise.resolve() },
    });
    try {
      const user = await database.db
        .selectFrom('users')
        .select(['name', 'is_admin'])
        .executeTakeFirstOrThrow();
      expect(user).toEqual({ name: 'Ada Admin', is_admin: 1 });
      const wrong = await new Client(served.app).submit('/login', {
        email: 'admin@example.com',
        password: 'not the admin password',
      });
      expect(wrong.status).toBe(401);
      // Right password: on to the session, or to the second factor an administrator needs.
      const right = await new Client(served.app).submit('/login', {
        email: 'admin@example.com',
        password: ADMIN_PASSWORD,
      });
      expect(right.status).toBe(303);
      expect(right.location).toMatch(/^\/(login\/2fa.*)?$/);
    } finally {
      await served.close();
      await database.close();
    }
  });

  it('stops on a bad variable with one line that names it', () => {
    expect(runs.badPort?.code).toBe(1);
    expect(runs.badPort?.stdout).toBe('');
    const lines = runs.badPort?.stderr.trimEnd().split('\n') ?? [];
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/\bPORT\b/);
    expect(lines[0]).toContain('whole number');
  });
});
