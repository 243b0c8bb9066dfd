import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pepperId } from '../../src/accounts/passwords.js';
import { buildApp } from '../../src/app.js';
import { createAudit } from '../../src/audit/audit.js';
import { systemClock } from '../../src/clock.js';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../src/db/database.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { deriveKeys, loadMasterKey } from '../../src/security/secret-key.js';
import { sql } from '../../src/db/kysely.js';
import { Client } from '../helpers/client.js';
import { createPostgresSchema, dropPostgresSchema, POSTGRES_URL } from '../helpers/databases.js';
import { FAST_HASHING } from '../helpers/test-app.js';
import { PORTICO, requireBuiltProgram, ROOT } from '../helpers/command.js';

const ADMIN_PASSWORD = 'an administrator passphrase';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

const NODE = process.execPath;

/** Starts a program with only the environment given (plus PATH), as an operator would. */
function start(
  program: string,
  args: string[],
  env: Record<string, string>,
): ChildProcessWithoutNullStreams {
  return spawn(program, args, {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      HOME: process.env.HOME ?? os.tmpdir(),
      TMPDIR: os.tmpdir(),
      ...env,
    },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

function finished(child: ChildProcessWithoutNullStreams, stdin = ''): Promise<Run> {
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

/** Runs the CLI as an operator would, with only the environment given (plus PATH). */
function portico(args: string[], env: Record<string, string>, stdin = ''): Promise<Run> {
  return finished(start(NODE, [PORTICO, ...args], env), stdin);
}

/** Resolves once the server `child` runs says it is running; rejects if it ends first. */
function untilRunning(child: ChildProcessWithoutNullStreams): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let stdout = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (stdout.includes('Portico is running')) resolve();
    });
    child.on('close', () => reject(new Error(`the server stopped: ${stdout}`)));
  });
}

/** Starts `serve`, stops it once it says it is running, and returns all it wrote. */
async function serveOnce(env: Record<string, string>): Promise<Run> {
  const child = start(NODE, [PORTICO, 'serve'], env);
  const run = finished(child);
  await untilRunning(child);
  child.kill('SIGTERM');
  return run;
}

// Runs the compiled program: the whole file fails when it could not be built.
beforeAll(requireBuiltProgram);

describe('command line', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-cli-'));
    dirs.push(dir);
    return dir;
  };
  const migrateDir = tempDir();
  const adminDir = tempDir();
  const namelessDir = tempDir();
  const runs: Record<string, Run> = {};

  // The runs are independent: start them together.
  beforeAll(async () => {
    const [help, adminHelp, migrate, createAdmin, badPort, twoLines, procDir, nameless] =
      await Promise.all([
        portico(['--help'], { PORTICO_DATA_DIR: tempDir() }),
        portico(['create-admin', '--help'], { PORTICO_DATA_DIR: tempDir() }),
        portico(['migrate'], { PORTICO_DATA_DIR: migrateDir }),
        portico(
          // The name's "ë" as a terminal may send it: "e" and a combining diaeresis.
          ['create-admin', '--email', 'Admin@Example.com', '--name', 'Zoe\u0308 Admin'],
          { PORTICO_DATA_DIR: adminDir },
          // A blank line after the password, as `printf '%s\n\n'` or an editor leaves it.
          `${ADMIN_PASSWORD}\n\n`,
        ),
        portico(['migrate'], { PORTICO_DATA_DIR: tempDir(), PORT: 'abc' }),
        portico(
          ['create-admin', '--email', 'two@example.com', '--name', 'Two Lines'],
          { PORTICO_DATA_DIR: tempDir() },
          `${ADMIN_PASSWORD}\nand a second line\n`,
        ),
        // A folder the kernel never lets anyone make (Node's recursive mkdir loops there).
        portico(['migrate'], { PORTICO_DATA_DIR: '/proc/portico-data' }),
        portico(['create-admin', '--email', 'nameless@example.com'], {
          PORTICO_DATA_DIR: namelessDir,
        }),
      ]);
    Object.assign(runs, {
      help,
      adminHelp,
      migrate,
      createAdmin,
      badPort,
      twoLines,
      procDir,
      nameless,
    });
  }, 60_000);

  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('asks for the name of a new administrator before it makes a database', () => {
    expect(runs.nameless?.code).toBe(1);
    expect(runs.nameless?.stderr).toBe(
      'portico: create-admin needs --name (1 to 100 characters on one line) for a new account\n',
    );
    expect(fs.readdirSync(namelessDir)).toEqual([]);
  });

  it.runIf(fs.existsSync('/proc/self'))(
    'names PORTICO_DATA_DIR when the data directory cannot be made',
    () => {
      expect(runs.procDir?.code).toBe(1);
      expect(runs.procDir?.stderr).toBe(
        "portico: PORTICO_DATA_DIR: cannot use the database sqlite:/proc/portico-data/portico.db (ENOENT: no such file or directory, mkdir '/proc/portico-data')\n",
      );
    },
  );

  it('prints its commands with --help', () => {
    expect(runs.help?.code).toBe(0);
    expect(runs.help?.stdout).toContain('Usage: portico <command>');
    for (const command of ['serve', 'migrate', 'create-admin']) {
      expect(runs.help?.stdout).toMatch(new RegExp(`^\\s+${command}\\s`, 'm'));
    }
  });

  it('prints the options of create-admin', () => {
    expect(runs.adminHelp?.code).toBe(0);
    expect(runs.adminHelp?.stdout).toContain('--email EMAIL [--name NAME]');
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
      hashing: FAST_HASHING,
      logger: false,
      mailer: { send: () => Promise.resolve(), close: () => Promise.resolve() },
    });
    try {
      const { password_hash: stored, ...user } = await database.db
        .selectFrom('users')
        .select(['name', 'is_admin', 'password_hash'])
        .executeTakeFirstOrThrow();
      // Stored in NFC, as a name from a form is, so a search for "Zoë" finds it.
      expect(user).toEqual({ name: 'Zo\u00eb Admin', is_admin: 1 });
      // Hashed with the installation's pepper, the one the server derives from the same key.
      const keys = deriveKeys(loadMasterKey(null, adminDir));
      expect(stored).toContain(`,keyid=${pepperId(keys.pepper)}$`);
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

  it('refuses a password on standard input that is more than one line', () => {
    expect(runs.twoLines?.code).toBe(1);
    expect(runs.twoLines?.stdout).toBe('');
    expect(runs.twoLines?.stderr.trim()).toBe(
      'portico: the password on standard input must be one line',
    );
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

/** A loopback port that was free a moment ago. */
async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Operator mistakes found by trying them: each must end in one line that names what to change,
 * and none may lose what the operator cannot get back (the generated administrator password).
 */
describe('command line, when the operator gets something wrong', () => {
  const dirs: string[] = [];
  const tempDir = () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-cli-'));
    dirs.push(dir);
    return dir;
  };
  afterAll(() => {
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  });
  const SLOW = 120_000;

  const oneLine = (run: Run | undefined) => {
    const lines = run?.stderr.trimEnd().split('\n') ?? [];
    expect(lines, run?.stderr).toHaveLength(1);
    return lines[0] ?? '';
  };

  it(
    'names DATABASE_URL, without its password, when the database cannot be reached',
    async () => {
      const [refused, malformed] = await Promise.all([
        portico(['migrate'], {
          PORTICO_DATA_DIR: tempDir(),
          DATABASE_URL: 'postgres://nouser:hunter2secret@127.0.0.1:1/db',
        }),
        portico(['users', 'list'], { PORTICO_DATA_DIR: tempDir(), DATABASE_URL: 'postgres://%zz' }),
      ]);
      expect(refused.code).toBe(1);
      const line = oneLine(refused);
      expect(line).toMatch(/^portico: DATABASE_URL: /);
      expect(line).toContain('postgres://nouser:***@127.0.0.1:1/db');
      expect(line).toContain('ECONNREFUSED');
      expect(line).not.toContain('hunter2secret');
      expect(malformed.code).toBe(1);
      expect(oneLine(malformed)).toMatch(/^portico: DATABASE_URL: .*postgres:\/\/%zz/);
    },
    SLOW,
  );

  it(
    'names PORTICO_DATA_DIR when it is a file',
    async () => {
      const file = path.join(tempDir(), 'data');
      fs.writeFileSync(file, '');
      const run = await portico(['migrate'], { PORTICO_DATA_DIR: file });
      expect(run.code).toBe(1);
      expect(oneLine(run)).toMatch(/^portico: PORTICO_DATA_DIR: expected a directory/);
    },
    SLOW,
  );

  it(
    'refuses arguments serve and migrate do not take, with their usage',
    async () => {
      const [serve, migrate] = await Promise.all([
        portico(['serve', '--port', '3418'], { PORTICO_DATA_DIR: tempDir() }),
        portico(['migrate', 'now'], { PORTICO_DATA_DIR: tempDir() }),
      ]);
      expect(serve.code).toBe(1);
      expect(serve.stdout).toBe('');
      expect(oneLine(serve)).toMatch(/"--port".*Usage: portico serve/);
      expect(migrate.code).toBe(1);
      expect(oneLine(migrate)).toMatch(/"now".*Usage: portico migrate/);
    },
    SLOW,
  );

  it(
    'prints the generated administrator only once listening works, and says which address failed',
    async () => {
      const dataDir = tempDir();
      const busy = net.createServer();
      await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
      const busyPort = (busy.address() as AddressInfo).port;
      let failed: Run;
      try {
        failed = await portico(['serve'], { PORTICO_DATA_DIR: dataDir, PORT: String(busyPort) });
      } finally {
        await new Promise<void>((resolve) => busy.close(() => resolve()));
      }
      expect(failed.code).toBe(1);
      expect(failed.stdout).not.toContain('password:');
      // It migrated the new database first, and said so.
      expect(failed.stdout).toMatch(/^Applied migrations: 0001-foundation, 0002-two-factor, .*\n/m);
      expect(oneLine(failed)).toBe(
        `portico: cannot listen on 127.0.0.1:${busyPort} (address already in use); set PORT or HOST`,
      );

      // The next start on a free port still has the credentials to show.
      const port = await freePort();
      const served = await serveOnce({ PORTICO_DATA_DIR: dataDir, PORT: String(port) });
      const { stdout } = served;
      expect(stdout).toContain(
        `Portico is running at http://localhost:${port}/ (listening on 127.0.0.1:${port}; sqlite,`,
      );
      expect(stdout).toMatch(/^ {2}password: \S+$/m);
      // Nothing to migrate on the second start: nothing said of it.
      expect(stdout).not.toContain('Applied migrations');
      expect(stdout.indexOf('password:')).toBeLessThan(stdout.indexOf('Portico is running'));
      // SIGTERM stops it cleanly, and it says so.
      expect(served.code).toBe(0);
      expect(stdout).toMatch(
        // (Log lines still on their way may come between the two.)
        /Portico is stopping \(SIGTERM\): finishing the requests it has\n[\s\S]*Portico stopped\n$/,
      );
      // On http://localhost the dev outbox is what one expects, and security keys work: no
      // warning.
      expect(served.stderr).toBe('');
    },
    SLOW,
  );

  it(
    'stops with `npm start` when a supervisor sends npm SIGTERM: the server is not left behind',
    async () => {
      const port = await freePort();
      const npm = start('npm', ['start'], {
        PORTICO_DATA_DIR: tempDir(),
        PORT: String(port),
        // npm needs no update check or log folder of the operator's.
        npm_config_update_notifier: 'false',
        npm_config_cache: tempDir(),
      });
      const run = finished(npm);
      await untilRunning(npm);
      npm.kill('SIGTERM');
      const { stdout, stderr, code } = await run;
      expect(stdout, `exit ${code}; stderr: ${stderr}`).toContain('Portico stopped');
      // Nothing answers on the port any more.
      const answered = await new Promise<boolean>((resolve) => {
        const socket = net.connect(port, '127.0.0.1', () => {
          socket.destroy();
          resolve(true);
        });
        socket.on('error', () => resolve(false));
      });
      expect(answered).toBe(false);
    },
    SLOW,
  );

  it(
    'warns when an https installation has no SMTP_URL: its mail would go to the outbox',
    async () => {
      const dataDir = tempDir();
      const served = await serveOnce({
        PORTICO_DATA_DIR: dataDir,
        PORT: String(await freePort()),
        PUBLIC_URL: 'https://help.example.com',
      });
      expect(served.stderr).toBe(
        `portico: warning: SMTP_URL is not set, so no mail leaves this machine: each is written to ${dataDir}/outbox and its codes and links printed here. Set SMTP_URL.\n`,
      );
    },
    SLOW,
  );

  it(
    'stops at once on a second signal, while a client that sends slowly holds a request',
    async () => {
      const port = await freePort();
      const child = start(NODE, [PORTICO, 'serve'], {
        PORTICO_DATA_DIR: tempDir(),
        PORT: String(port),
      });
      const run = finished(child);
      await untilRunning(child);
      // A request whose body never comes: the first stop waits for it.
      const socket = net.connect(port, '127.0.0.1');
      await new Promise((resolve) => socket.once('connect', resolve));
      socket.write(
        'POST /login HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 3000\r\n\r\nemail=',
      );
      await new Promise((resolve) => setTimeout(resolve, 300));
      child.kill('SIGTERM');
      await new Promise((resolve) => setTimeout(resolve, 500));
      child.kill('SIGTERM');
      const stopped = await run;
      socket.destroy();
      expect(stopped.stdout).toContain('Portico is stopping (SIGTERM)');
      expect(stopped.stdout).toContain('Portico stopped at once (SIGTERM again)');
      expect(stopped.code).toBe(1);
    },
    SLOW,
  );

  it(
    'warns when PUBLIC_URL is an IP address, where browsers refuse security keys',
    async () => {
      const port = await freePort();
      const served = await serveOnce({
        PORTICO_DATA_DIR: tempDir(),
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
      });
      expect(served.stderr).toBe(
        `portico: warning: PUBLIC_URL http://127.0.0.1:${port}/ is an IP address, and browsers use security keys only on a host name: they are not offered. Give the help center a name (http://localhost:${port} on this machine).\n`,
      );
    },
    SLOW,
  );

  it(
    'stops quietly when its output is piped into head',
    async () => {
      const dataDir = tempDir();
      const database = openDatabase(`sqlite:${path.join(dataDir, 'portico.db')}`);
      try {
        await migrateToLatest(database.db);
        const audit = createAudit(database.db, systemClock);
        for (let i = 0; i < 1500; i++) {
          await audit.record({
            event: 'sign_in.password_failed',
            details: { address: 'x'.repeat(80) },
          });
        }
      } finally {
        await database.close();
      }
      const script = `set -e -o pipefail; "$0" "$1" audit --limit 1500 | head -1; "$0" "$1" audit --csv | head -1`;
      const run = await finished(
        start('bash', ['-c', script, NODE, PORTICO], { PORTICO_DATA_DIR: dataDir }),
      );
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(run.stdout.split('\n')).toHaveLength(3);
    },
    SLOW,
  );

  it(
    'refuses an administrator password that is easily guessed, and creates no one',
    async () => {
      const dataDir = tempDir();
      expect((await portico(['migrate'], { PORTICO_DATA_DIR: dataDir })).code).toBe(0);
      const run = await portico(
        ['create-admin', '--email', 'grace@example.com', '--name', 'Grace Hopper'],
        { PORTICO_DATA_DIR: dataDir },
        'GraceHopper1906\n',
      );
      expect(run.code).toBe(1);
      expect(oneLine(run)).toMatch(
        /^portico: the password is refused\. This password is too easy to guess: it is made of your name/,
      );
      expect(run.stdout).toBe('');
      const users = await portico(['users', 'list'], { PORTICO_DATA_DIR: dataDir });
      expect(users.code).toBe(0);
      expect(users.stdout).not.toContain('grace@example.com');
    },
    SLOW,
  );
});

describe.runIf(POSTGRES_URL)('serve on PostgreSQL (postgres)', () => {
  it('refuses at start a data folder where the mail outbox cannot be written', async () => {
    const schema = await createPostgresSchema();
    const url = new URL(POSTGRES_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    try {
      // Nobody may make a folder under /proc, root included.
      const run = await portico(['serve'], {
        DATABASE_URL: url.href,
        PORTICO_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
        PORTICO_DATA_DIR: '/proc/portico-outbox',
        PORT: String(await freePort()),
      });
      expect(run.code).toBe(1);
      expect(run.stderr.trimEnd().split('\n')).toEqual([
        expect.stringMatching(
          /^portico: PORTICO_DATA_DIR: cannot write the mail outbox \/proc\/portico-outbox\/outbox \(/,
        ),
      ]);
    } finally {
      await dropPostgresSchema(schema);
    }
  }, 60_000);

  it('logs a pooled connection that failed while it waited as a JSON line, and goes on', async () => {
    const schema = await createPostgresSchema();
    const name = `portico-idle-${schema}`;
    const url = new URL(POSTGRES_URL);
    url.searchParams.set('options', `-c search_path=${schema}`);
    url.searchParams.set('application_name', name);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-cli-pg-'));
    const child = start(NODE, [PORTICO, 'serve'], {
      DATABASE_URL: url.href,
      PORTICO_DATA_DIR: dataDir,
      PORT: String(await freePort()),
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const run = finished(child);
    const admin = openDatabase(POSTGRES_URL, { poolSize: 1 });
    try {
      await untilRunning(child);
      // An administrator (or a server restart) ends the connections waiting in the pool.
      const { rows } = await sql<{ ended: boolean }>`
          select pg_terminate_backend(pid) as ended from pg_stat_activity
          where application_name = ${name}`.execute(admin.db);
      expect(rows.length).toBeGreaterThan(0);
      let logged: Record<string, unknown> | undefined;
      await expect
        .poll(
          () => {
            const lines = stdout.split('\n').filter((line) => line.startsWith('{'));
            logged = lines
              .map((line) => JSON.parse(line) as Record<string, unknown>)
              .find((entry) => String(entry.msg).includes('waiting in the pool failed'));
            return logged;
          },
          { timeout: 10_000 },
        )
        .toBeDefined();
      expect(logged).toMatchObject({ level: 40 });
      expect(stderr).not.toContain('waiting in the pool');
    } finally {
      child.kill('SIGTERM');
      await run;
      await admin.close();
      await dropPostgresSchema(schema);
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  }, 60_000);
});
