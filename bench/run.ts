/**
 * `npm run bench`: Portico beside a bare Fastify server, in one run on this machine.
 *
 * Every server is a process of its own, loaded by autocannon from another process over
 * loopback; numbers are read as ratios to the bare server (or, for password sign-in, to the
 * raw Argon2id throughput) measured minutes apart, so a noisy or slow machine moves both sides.
 * See docs/performance.md for the scenarios, the targets and how to read the table.
 *
 * Options (flag or environment): --duration / BENCH_DURATION seconds per scenario (10),
 * --warmup / BENCH_WARMUP seconds thrown away first, --connections / BENCH_CONNECTIONS (50),
 * --out / BENCH_OUT (bench/results/latest.json); BENCH_DATABASE_URL adds a PostgreSQL run.
 */
import { randomBytes } from 'node:crypto';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import argon2 from 'argon2';
import type { HashOptions } from 'argon2';
import pg from 'pg';
import { ARGON2_PARAMS } from '../src/accounts/passwords.js';
import { HOUR_MS } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import type { Dialect } from '../src/db/database.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import type { Keys } from '../src/security/secret-key.js';
import { deriveKeys } from '../src/security/secret-key.js';
import { totpCodeAt } from '../src/two-factor/totp/totp.js';
import { cookieNames } from '../src/web/cookies.js';
import { csrfTokenFor } from '../src/web/request-context.js';
import type { LoadMessage, LoadResult, LoadSpec } from './load-spec.js';
import type { LoopLag, Server } from './processes.js';
import { freePort, startServer, stopAllChildren, watchProcess } from './processes.js';
import type { Row, StartupResult, Target } from './report.js';
import { printReport, row, writeReport } from './report.js';
import type { SeededUser } from './seed.js';
import {
  BENCH_PASSWORD,
  seedPendingSignIns,
  seedRecoveryCodes,
  seedSessions,
  seedUsers,
} from './seed.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = path.join(ROOT, 'dist', 'main.js');
const PROBE = path.join(ROOT, 'bench', 'probe.js');
const LOADER = path.join(ROOT, 'bench', 'load.ts');
const BARE = path.join(ROOT, 'bench', 'bare-fastify.js');

/** Users signed in for the page scenario: one session per connection. */
const SESSION_USERS = 50;
/** Users whose password the sign-in storm cycles through. */
const LOGIN_USERS = 1000;
/** The TOTP pool is sized for this many successful verifications per second, and more. */
const TOTP_POOL_RPS = Number(process.env.BENCH_TOTP_POOL_RPS || 2500);
/** The hasher's concurrency: createPasswordHasher bounds concurrent hashes to the core count. */
const HASH_CONCURRENCY = Math.max(1, os.availableParallelism());
const COOKIES = cookieNames(false);
/** The parameters Portico hashes with (SPEC §4). */
const HASH_OPTIONS: HashOptions = { type: argon2.argon2id, ...ARGON2_PARAMS };

interface Options {
  duration: number;
  warmup: number;
  connections: number;
  out: string;
  postgresUrl: string | null;
  /** Only these scenarios (BENCH_ONLY=page,totp…); null for all. */
  only: Set<Scenario> | null;
  /** Where the Portico process writes a CPU profile (BENCH_CPU_PROF=dir), if anywhere. */
  cpuProfDir: string | null;
}

const SCENARIOS = ['startup', 'health', 'page', 'totp', 'password', 'kb'] as const;
type Scenario = (typeof SCENARIOS)[number];

function readOptions(): Options {
  const { values } = parseArgs({
    options: {
      duration: { type: 'string' },
      warmup: { type: 'string' },
      connections: { type: 'string' },
      out: { type: 'string' },
      only: { type: 'string' },
    },
  });
  const env = process.env;
  const number = (raw: string | undefined, fallback: number, name: string) => {
    if (raw === undefined || raw === '') return fallback;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new Error(`${name}: expected a number ≥ 0`);
    return value;
  };
  const duration = number(values.duration ?? env.BENCH_DURATION, 10, 'duration');
  if (duration <= 0) throw new Error('duration: expected a number > 0');
  return {
    duration,
    warmup: number(values.warmup ?? env.BENCH_WARMUP, duration >= 5 ? 2 : 0.5, 'warmup'),
    connections: Math.round(number(values.connections ?? env.BENCH_CONNECTIONS, 50, 'connections')),
    out: path.resolve(values.out ?? env.BENCH_OUT ?? path.join(ROOT, 'bench/results/latest.json')),
    postgresUrl: env.BENCH_DATABASE_URL || null,
    only: readOnly(values.only ?? env.BENCH_ONLY),
    cpuProfDir: env.BENCH_CPU_PROF ? path.resolve(env.BENCH_CPU_PROF) : null,
  };
}

function readOnly(raw: string | undefined): Set<Scenario> | null {
  if (!raw) return null;
  const names = raw.split(',').map((part) => part.trim());
  for (const name of names) {
    if (!(SCENARIOS as readonly string[]).includes(name))
      throw new Error(`only: expected some of ${SCENARIOS.join(', ')}`);
  }
  return new Set(names as Scenario[]);
}

const log = (line: string) => process.stdout.write(`${line}\n`);

// ---------------------------------------------------------------------------------------------
// Small HTTP client for checks outside the load (one request each).

interface Answer {
  status: number;
  location: string | undefined;
  body: string;
}

function request(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      url,
      { method: init.method ?? 'GET', headers: init.headers, agent: false },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            location: response.headers.location,
            body,
          }),
        );
      },
    );
    req.on('error', reject);
    req.end(init.body);
  });
}

function check(what: string, ok: boolean, answer: Answer, server: Server | null): void {
  if (ok) return;
  throw new Error(
    `${what}: unexpected answer ${answer.status}${answer.location ? ` → ${answer.location}` : ''}` +
      (server ? ` (server log: ${server.logFile})` : ''),
  );
}

// ---------------------------------------------------------------------------------------------
// Load: one autocannon process per scenario.

let specCounter = 0;

async function runLoad(
  spec: LoadSpec,
  server: Server,
  workDir: string,
): Promise<{ result: LoadResult; peakRssMb: number; cpuMs: number | null; lag: LoopLag | null }> {
  const file = path.join(workDir, `load-${++specCounter}.json`);
  fs.writeFileSync(file, JSON.stringify(spec));
  const child = spawn(process.execPath, ['--import', 'tsx', LOADER, file], {
    cwd: ROOT,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    let watcher: ReturnType<typeof watchProcess> | null = null;
    let settled = false;
    child.on('message', (message: LoadMessage) => {
      if (message.type === 'measuring') {
        void server.probe('probe:reset');
        watcher = watchProcess(server.pid);
      } else if (message.type === 'result') {
        settled = true;
        const { peakRssMb, cpuMs } = watcher?.stop() ?? { peakRssMb: 0, cpuMs: null };
        void server
          .probe('probe:read')
          .then((lag) => resolve({ result: message.result, peakRssMb, cpuMs, lag }));
      }
    });
    child.on('exit', (code) => {
      fs.rmSync(file, { force: true });
      if (!settled) {
        watcher?.stop();
        reject(new Error(`the load generator exited with code ${code} before reporting`));
      }
    });
  });
}

function failureNote(result: LoadResult): string {
  const entries = Object.entries(result.failures);
  if (entries.length === 0) return '';
  return entries.map(([key, n]) => `${n}× ${key}`).join(', ');
}

// ---------------------------------------------------------------------------------------------
// Raw hash throughput: what the cores can do at most for password sign-in.

async function measureHashThroughput(seconds: number) {
  const stored = await argon2.hash(BENCH_PASSWORD, HASH_OPTIONS);
  await Promise.all(
    Array.from({ length: HASH_CONCURRENCY }, () => argon2.verify(stored, BENCH_PASSWORD)),
  );
  const latencies: number[] = [];
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: HASH_CONCURRENCY }, async () => {
      while (performance.now() < deadline) {
        const t = performance.now();
        await argon2.verify(stored, BENCH_PASSWORD);
        latencies.push(performance.now() - t);
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { rps: latencies.length / elapsed, p50Ms: at(0.5), p99Ms: at(0.99) };
}

// ---------------------------------------------------------------------------------------------
// Stores.

interface Store {
  dialect: Dialect;
  label: string;
  dataDir: string;
  databaseUrl: string;
  schema: string | null;
  masterKey: Buffer;
  keys: Keys;
  cleanup(): Promise<void>;
}

async function prepareStore(dialect: Dialect, postgresUrl: string | null): Promise<Store> {
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

function openStore(store: Store) {
  return openDatabase(store.databaseUrl, store.schema ? { schema: store.schema } : {});
}

/** The environment of a Portico process: this run's store and key, nothing inherited. */
function porticoEnv(store: Store, port: number): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    const config =
      /^(PORT|HOST|PUBLIC_URL|DATABASE_URL|SMTP_URL|MAIL_FROM|LOG_LEVEL)$/.test(key) ||
      key.startsWith('PORTICO_');
    if (!config) env[key] = value;
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

function csrfPair(store: Store): { cookie: string; token: string } {
  const secret = randomBytes(32).toString('base64url');
  return { cookie: `${COOKIES.csrf}=${secret}`, token: csrfTokenFor(secret, store.keys.csrf) };
}

/** Follows the knowledge base from its index to the first published article, if there is one. */
async function findArticle(baseUrl: string, cookie: string): Promise<string | null> {
  const queue = ['/kb'];
  const seen = new Set(queue);
  for (let visits = 0; queue.length > 0 && visits < 20; visits++) {
    const page = await request(`${baseUrl}${queue.shift() as string}`, { headers: { cookie } });
    if (page.status !== 200) continue;
    const article = /href="(\/kb\/articles\/[^"?#]+)"/.exec(page.body)?.[1];
    if (article) return article;
    for (const match of page.body.matchAll(/href="(\/kb\/categories\/[^"?#]+)"/g)) {
      const link = match[1] as string;
      if (!seen.has(link)) {
        seen.add(link);
        queue.push(link);
      }
    }
  }
  return null;
}

// ---------------------------------------------------------------------------------------------

interface StoreRun {
  rows: Row[];
  startup: StartupResult[];
  targets: Target[];
}

async function benchStore(
  store: Store,
  options: Options,
  bareRps: number,
  workDir: string,
): Promise<StoreRun> {
  const rows: Row[] = [];
  const startup: StartupResult[] = [];
  const targets: Target[] = [];
  const name = (what: string) => `${store.label}: ${what}`;
  const { duration, warmup, connections } = options;
  const base = { connections, durationSeconds: duration, warmupSeconds: warmup };
  const wants = (scenario: Scenario) => !options.only || options.only.has(scenario);

  log(`\n${store.label}: migrating and seeding…`);
  const now = Date.now();
  const totpPool = Math.ceil((warmup + duration) * TOTP_POOL_RPS) + 500;
  const passwordHash = await argon2.hash(BENCH_PASSWORD, HASH_OPTIONS);
  let database = openStore(store);
  let users: SeededUser[];
  let sessions: string[];
  try {
    await migrateToLatest(database.db);
    const seedStarted = performance.now();
    users = await seedUsers(database.db, store.keys, {
      first: 0,
      count: totpPool + SESSION_USERS,
      passwordHash,
      now,
    });
    const sessionUsers = users.slice(-SESSION_USERS);
    await seedRecoveryCodes(database.db, store.keys, sessionUsers, now);
    sessions = await seedSessions(
      database.db,
      sessionUsers,
      now,
      loadConfig({}).sessionMaxHours * HOUR_MS,
    );
    log(
      `  ${users.length} users with an authenticator app in ${Math.round(performance.now() - seedStarted)} ms`,
    );
  } finally {
    await database.close();
  }

  // Start-up: `npm start` as an operator types it (its prestart included), then the server
  // itself (node dist/main.js serve), which also serves the load below.
  if (wants('startup')) {
    const port = await freePort();
    const { server, firstOkMs } = await startServer({
      command: 'npm',
      args: ['start', '--silent'],
      env: porticoEnv(store, port),
      port,
      logFile: path.join(store.dataDir, 'npm-start.log'),
    });
    await server.stop();
    startup.push({ store: store.label, command: 'npm start', first_200_ms: round(firstOkMs, 0) });
    targets.push({
      name: name('first 200 from npm start on a migrated database'),
      value: round(firstOkMs, 0),
      unit: 'ms',
      target: '< 1000',
      met: firstOkMs < 1000,
    });
  }
  const port = await freePort();
  const { server, firstOkMs } = await startServer({
    command: process.execPath,
    args: [
      ...(options.cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${options.cpuProfDir}`] : []),
      '--import',
      PROBE,
      MAIN,
      'serve',
    ],
    env: porticoEnv(store, port),
    port,
    logFile: path.join(store.dataDir, 'server.log'),
  });
  startup.push({
    store: store.label,
    command: 'node dist/main.js serve',
    first_200_ms: round(firstOkMs, 0),
  });
  log(
    `  Portico answered after ${Math.round(firstOkMs)} ms (pid ${server.pid}, log ${server.logFile})`,
  );
  const url = server.baseUrl;
  let peakRss = 0;
  const record = (
    scenario: string,
    measured: Awaited<ReturnType<typeof runLoad>>,
    ratioTo: number,
    ratioBase: Row['ratio_base'],
  ) => {
    const { result, peakRssMb, cpuMs, lag } = measured;
    peakRss = Math.max(peakRss, peakRssMb);
    const note = failureNote(result);
    if (note) log(`  ${scenario}: unexpected answers: ${note}`);
    const out = row({
      scenario,
      result,
      ratio: ratioTo > 0 ? result.rps / ratioTo : null,
      ratioBase,
      peakRssMb,
      cpuMs,
      lag,
    });
    rows.push(out);
    log(`  ${scenario}: ${out.rps} req/s, p99 ${out.p99_ms} ms`);
    return out;
  };

  try {
    // a. GET /health
    if (wants('health')) {
      record(
        name('GET /health'),
        await runLoad(
          { ...base, kind: 'get', url, path: '/health', cookies: [], expect: { status: 200 } },
          server,
          workDir,
        ),
        bareRps,
        'bare fastify',
      );
    }

    // b. A signed-in page: session lookup, policy, methods, recovery codes left, render.
    if (wants('page')) {
      const csrf = csrfPair(store);
      const sessionCookies = sessions.map((token) => `${COOKIES.session}=${token}; ${csrf.cookie}`);
      const probePage = await request(`${url}/profile/2fa`, {
        headers: { cookie: sessionCookies[0] as string },
      });
      check(
        'GET /profile/2fa with a seeded session',
        probePage.status === 200 && probePage.body.includes('Set Up Two-Factor Authentication'),
        probePage,
        server,
      );
      const page = record(
        name('signed-in page GET /profile/2fa'),
        await runLoad(
          {
            ...base,
            kind: 'get',
            url,
            path: '/profile/2fa',
            cookies: sessionCookies,
            expect: { status: 200 },
          },
          server,
          workDir,
        ),
        bareRps,
        'bare fastify',
      );
      targets.push(ratioTarget(name('signed-in page'), page, 0.25));
    }

    // c. TOTP at sign-in: a pending sign-in, the current code of that user's app → a session.
    if (wants('totp')) {
      database = openStore(store);
      const totpUsers = users.slice(0, totpPool);
      let pendingTokens: string[];
      try {
        pendingTokens = await seedPendingSignIns(database.db, totpUsers, Date.now());
      } finally {
        await database.close();
      }
      const entries = totpUsers.map((user, i) => {
        const pair = csrfPair(store);
        return {
          cookie: `${COOKIES.pending}=${pendingTokens[i] as string}; ${pair.cookie}`,
          csrfToken: pair.token,
          secret: user.secret,
        };
      });
      // The last entry checks the set-up by hand; the load starts from the first.
      const last = entries.pop() as (typeof entries)[number];
      const probeTotp = await request(`${url}/login/2fa`, {
        method: 'POST',
        headers: { cookie: last.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: `_csrf=${last.csrfToken}&method=totp&code=${totpCodeAt(last.secret, Date.now())}`,
      });
      check(
        'POST /login/2fa with a seeded pending sign-in',
        probeTotp.status === 303 && probeTotp.location === '/',
        probeTotp,
        server,
      );
      const totpMeasured = await runLoad(
        { ...base, kind: 'totp', url, entries, expect: { status: 303, location: '/' } },
        server,
        workDir,
      );
      if (totpMeasured.result.used > entries.length) {
        log(
          `  TOTP: the pool of ${entries.length} pending sign-ins ran out; raise BENCH_TOTP_POOL_RPS`,
        );
      }
      const totp = record(
        name('TOTP verification at sign-in'),
        totpMeasured,
        bareRps,
        'bare fastify',
      );
      targets.push(ratioTarget(name('TOTP verification at sign-in'), totp, 0.1));
    }

    // d. Password sign-in: Argon2id-bound. The raw hash throughput is measured right before,
    // with the server idle, so both see the same machine. No warm-up here: a warm-up's
    // abandoned requests would still be hashing when the measured window opens.
    if (wants('password')) {
      log(`  measuring raw Argon2id throughput (${HASH_CONCURRENCY} in parallel)…`);
      const hashes = await measureHashThroughput(duration);
      const hashRow = row({
        scenario: name(
          `raw Argon2id m=${ARGON2_PARAMS.memoryCost} t=${ARGON2_PARAMS.timeCost} p=${ARGON2_PARAMS.parallelism}, ${HASH_CONCURRENCY} parallel`,
        ),
        result: { rps: hashes.rps, p50Ms: hashes.p50Ms, p99Ms: hashes.p99Ms },
        ratio: null,
        ratioBase: null,
        peakRssMb: null,
        lag: null,
      });
      rows.push(hashRow);
      log(`  raw Argon2id: ${hashRow.rps} hashes/s`);
      const loginUsers = users.slice(0, Math.min(LOGIN_USERS, users.length));
      const loginCsrf = csrfPair(store);
      const probeLogin = await request(`${url}/login`, {
        method: 'POST',
        headers: {
          cookie: loginCsrf.cookie,
          'content-type': 'application/x-www-form-urlencoded',
          'x-forwarded-for': '127.0.0.2',
        },
        body: `_csrf=${loginCsrf.token}&email=${encodeURIComponent(loginUsers[0]?.email ?? '')}&password=${encodeURIComponent(BENCH_PASSWORD)}`,
      });
      check(
        'POST /login with a seeded user',
        probeLogin.status === 303 && probeLogin.location === '/login/2fa',
        probeLogin,
        server,
      );
      const login = record(
        name('password sign-in POST /login'),
        await runLoad(
          {
            ...base,
            warmupSeconds: 0,
            kind: 'login',
            url,
            emails: loginUsers.map((u) => u.email),
            password: BENCH_PASSWORD,
            cookie: loginCsrf.cookie,
            csrfToken: loginCsrf.token,
            expect: { status: 303, location: '/login/2fa' },
          },
          server,
          workDir,
        ),
        hashes.rps,
        'raw hash',
      );
      targets.push(ratioTarget(name('password sign-in vs raw hash throughput'), login, 0.9));
      targets.push({
        name: name('event-loop lag p99 during the password storm'),
        value: login.event_loop_p99_ms,
        unit: 'ms',
        target: '< 20',
        met: login.event_loop_p99_ms !== null && login.event_loop_p99_ms < 20,
      });
      // The requests still queued for the hasher when the load stopped are worked off before
      // the next scenario starts.
      await new Promise((resolve) =>
        setTimeout(resolve, (1000 * connections) / Math.max(1, hashes.rps) + 500),
      );
    }

    // e. A knowledge-base article, when the knowledge base has one.
    if (wants('kb')) {
      const visitor = csrfPair(store);
      const article = await findArticle(url, visitor.cookie);
      if (article) {
        record(
          name(`knowledge-base article GET ${article}`),
          await runLoad(
            {
              ...base,
              kind: 'get',
              url,
              path: article,
              cookies: [visitor.cookie],
              expect: { status: 200 },
            },
            server,
            workDir,
          ),
          bareRps,
          'bare fastify',
        );
      } else {
        log('  knowledge-base article: skipped (no published article reachable from /kb)');
      }
    }
  } finally {
    await server.stop();
  }
  targets.push({
    name: name('peak RSS of the Portico process'),
    value: round(peakRss, 1),
    unit: 'MB',
    target: '≤ 150',
    met: peakRss <= 150,
  });
  return { rows, startup, targets };
}

function ratioTarget(label: string, measured: Row, minimum: number): Target {
  return {
    name: label,
    value: measured.ratio,
    unit: 'ratio',
    target: `≥ ${minimum}`,
    met: measured.ratio !== null && measured.ratio >= minimum,
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

async function main(): Promise<void> {
  const options = readOptions();
  if (!fs.existsSync(MAIN)) {
    throw new Error(`${path.relative(ROOT, MAIN)} is missing: run "npm run build" first`);
  }
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-bench-load-'));
  log(
    `Portico benchmark: ${options.duration} s per scenario after ${options.warmup} s of warm-up, ` +
      `${options.connections} connections, ${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? 'unknown CPU'})`,
  );
  const rows: Row[] = [];
  const startup: StartupResult[] = [];
  const targets: Target[] = [];
  try {
    // The ceiling: bare Fastify, GET /health.
    const port = await freePort();
    const { server: bare } = await startServer({
      command: process.execPath,
      args: ['--import', PROBE, BARE],
      env: { ...process.env, PORT: String(port) },
      port,
      logFile: path.join(workDir, 'bare-fastify.log'),
    });
    let bareRow: Row;
    try {
      const measured = await runLoad(
        {
          kind: 'get',
          url: bare.baseUrl,
          path: '/health',
          cookies: [],
          connections: options.connections,
          durationSeconds: options.duration,
          warmupSeconds: options.warmup,
          expect: { status: 200 },
        },
        bare,
        workDir,
      );
      bareRow = row({
        scenario: 'bare Fastify: GET /health',
        result: measured.result,
        ratio: 1,
        ratioBase: 'bare fastify',
        peakRssMb: measured.peakRssMb,
        cpuMs: measured.cpuMs,
        lag: measured.lag,
      });
      rows.push(bareRow);
      log(`bare Fastify: ${bareRow.rps} req/s`);
    } finally {
      await bare.stop();
    }

    const dialects: Dialect[] = options.postgresUrl ? ['sqlite', 'postgres'] : ['sqlite'];
    if (!options.postgresUrl) log('PostgreSQL: skipped (BENCH_DATABASE_URL is not set)');
    for (const dialect of dialects) {
      const store = await prepareStore(dialect, options.postgresUrl);
      try {
        const run = await benchStore(store, options, bareRow.rps, workDir);
        rows.push(...run.rows);
        startup.push(...run.startup);
        targets.push(...run.targets);
      } finally {
        await store.cleanup();
      }
    }
  } finally {
    stopAllChildren();
    fs.rmSync(workDir, { recursive: true, force: true });
  }

  const report = {
    generated_at: new Date().toISOString(),
    machine: {
      cores: os.availableParallelism(),
      cpu: os.cpus()[0]?.model ?? null,
      node: process.version,
      load_average: os.loadavg().map((n) => round(n, 2)),
    },
    duration_s: options.duration,
    warmup_s: options.warmup,
    connections: options.connections,
    results: rows,
    startup,
    targets,
  };
  printReport(report, log);
  writeReport(options.out, report);
  log(`\nWritten to ${path.relative(process.cwd(), options.out) || options.out}`);
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    stopAllChildren();
    process.exit(130);
  });
}

main().catch((error: unknown) => {
  stopAllChildren();
  process.stderr.write(`bench: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
