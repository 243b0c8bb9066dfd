/**
 * `npm run bench`: Portico beside a bare Fastify server, in one run on this machine.
 *
 * Every server is a process of its own, loaded by autocannon from another process over
 * loopback. Each Portico scenario is measured in short slices that alternate with slices of
 * the bare server (or, for password sign-in, of raw Argon2id hashing), so both sides of a
 * ratio see the same machine even when other work comes and goes. See docs/performance.md for
 * the scenarios, the targets and how to read the table.
 *
 * Options (flag or environment): --duration / BENCH_DURATION seconds per scenario and side
 * (10), --warmup / BENCH_WARMUP seconds thrown away first, --connections / BENCH_CONNECTIONS
 * (50), --out / BENCH_OUT (bench/results/latest.json), --only / BENCH_ONLY (some of startup,
 * health, page, totp, password, kb); BENCH_DATABASE_URL adds a PostgreSQL run; BENCH_CPU_PROF
 * names a folder for a CPU profile of each scenario.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { ARGON2_PARAMS, createPasswordHasher } from '../src/accounts/passwords.js';
import { HOUR_MS } from '../src/clock.js';
import { loadConfig } from '../src/config.js';
import type { Dialect } from '../src/db/database.js';
import type { Kysely } from '../src/db/kysely.js';
import { sql } from '../src/db/kysely.js';
import { migrateToLatest } from '../src/db/migrate.js';
import type { Database } from '../src/db/schema.js';
import { totpCodeAt } from '../src/two-factor/totp/totp.js';
import { check, findArticle, request } from './http-check.js';
import type { LoadResult, LoadSpec, TotpEntry } from './load-spec.js';
import { Loader } from './loader.js';
import type { LoopLag, Server } from './processes.js';
import {
  ENTRY,
  freePort,
  npmStartNodeOptions,
  startServer,
  stopAllChildren,
  watchProcess,
  withLauncherThreadPool,
} from './processes.js';
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
import type { Store } from './stores.js';
import { COOKIES, csrfPair, openStore, porticoEnv, prepareStore } from './stores.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const MAIN = path.join(ROOT, 'dist', 'main.js');
/** What `npm start` runs: it sizes the thread pool, then loads MAIN. */
const PROGRAM = path.join(ROOT, ENTRY);
/** The Node options `npm start` gives the server (package.json), for every Portico started here. */
const START_OPTIONS = npmStartNodeOptions(ROOT);
/** How those servers are started, for the start-up lines of the report. */
const SERVE = ['node', ...START_OPTIONS, ENTRY, 'serve'].join(' ');
const PROBE = path.join(ROOT, 'bench', 'probe.cjs');
const LOADER = path.join(ROOT, 'bench', 'load.ts');
const BARE = path.join(ROOT, 'bench', 'bare-fastify.js');
const HASHER = path.join(ROOT, 'bench', 'hasher.ts');

/** Users signed in for the page scenario: one session per connection. */
const SESSION_USERS = 50;
/** Users whose password the sign-in storm cycles through. */
const LOGIN_USERS = 1000;
/**
 * The TOTP pool is sized for this many successful verifications per second, and more: about
 * twice the fastest rate seen on a quick day (2,600 a second on SQLite). Seeding a user costs
 * about 30 µs, so a larger pool costs little.
 */
const TOTP_POOL_RPS = Number(process.env.BENCH_TOTP_POOL_RPS || 5000);
/** The hasher's concurrency: createPasswordHasher bounds concurrent hashes to the core count. */
const HASH_CONCURRENCY = Math.max(1, os.availableParallelism());

const SCENARIOS = ['startup', 'health', 'page', 'totp', 'password', 'kb'] as const;
type Scenario = (typeof SCENARIOS)[number];

interface Options {
  duration: number;
  warmup: number;
  connections: number;
  /** Slices per scenario and side. */
  rounds: number;
  out: string;
  postgresUrl: string | null;
  /** Only these scenarios; null for all. */
  only: Set<Scenario> | null;
  /** Where a CPU profile of each scenario goes, if anywhere. */
  cpuProfDir: string | null;
}

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
  const connections = number(values.connections ?? env.BENCH_CONNECTIONS, 50, 'connections');
  return {
    duration,
    warmup: number(values.warmup ?? env.BENCH_WARMUP, duration >= 5 ? 2 : 0.5, 'warmup'),
    connections: Math.max(1, Math.round(connections)),
    rounds: Math.min(5, Math.max(1, Math.floor(duration / 3))),
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
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function slug(label: string): string {
  return label
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 80);
}

function failureNote(result: LoadResult): string {
  return Object.entries(result.failures)
    .map(([key, n]) => `${n}× ${key}`)
    .join(', ');
}

// ---------------------------------------------------------------------------------------------
// Measuring: slices of one server, watched (memory, CPU time, event-loop lag).

/** What a server did over the slices of one scenario. */
class Watch {
  peakRssMb = 0;
  cpuMs = 0;
  loopCpuMs = 0;

  constructor(private readonly server: Server) {}

  async slice<T>(work: () => Promise<T>): Promise<T> {
    await this.server.probe('probe:slice-start');
    const watcher = watchProcess(this.server.pid);
    try {
      return await work();
    } finally {
      const seen = watcher.stop();
      this.peakRssMb = Math.max(this.peakRssMb, seen.peakRssMb);
      this.cpuMs += seen.cpuMs ?? 0;
      this.loopCpuMs += seen.loopCpuMs ?? 0;
      await this.server.probe('probe:slice-end');
    }
  }
}

interface Bench {
  options: Options;
  loader: Loader;
  bare: Server;
  bareSpec: LoadSpec;
  bareWatch: Watch;
}

interface Measured {
  result: LoadResult;
  /** What the other side did in the slices between. */
  base: { rps: number };
  peakRssMb: number;
  cpuMs: number;
  loopCpuMs: number;
  lag: LoopLag | null;
}

async function profiled<T>(bench: Bench, server: Server, label: string, work: () => Promise<T>) {
  const dir = bench.options.cpuProfDir;
  if (dir) await server.probe('probe:profile-start');
  try {
    return await work();
  } finally {
    if (dir) await server.probe('probe:profile-stop', path.join(dir, `${slug(label)}.cpuprofile`));
  }
}

/**
 * A Portico scenario in slices alternating with slices of the bare server: the ratio compares
 * two numbers taken in the same minutes.
 */
async function pairedWithBare(
  bench: Bench,
  server: Server,
  label: string,
  spec: LoadSpec,
): Promise<Measured> {
  const { options, loader } = bench;
  const slice = options.duration / options.rounds;
  if (options.warmup > 0) {
    await loader.run(spec, options.warmup, [`${label} (warm-up)`]);
    await loader.report(`${label} (warm-up)`);
  }
  await server.probe('probe:reset');
  const watch = new Watch(server);
  await profiled(bench, server, label, async () => {
    for (let i = 0; i < options.rounds; i++) {
      await bench.bareWatch.slice(() =>
        loader.run(bench.bareSpec, slice, [`bare for ${label}`, 'bare']),
      );
      await watch.slice(() => loader.run(spec, slice, [label]));
    }
  });
  return {
    result: await loader.report(label),
    base: await loader.report(`bare for ${label}`),
    peakRssMb: watch.peakRssMb,
    cpuMs: watch.cpuMs,
    loopCpuMs: watch.loopCpuMs,
    lag: await server.probe('probe:read'),
  };
}

/**
 * The raw-hashing side of the password scenario, in a process started like the servers (see
 * bench/hasher.ts for why), with the thread pool bin/portico.cjs gives the server: the pool's
 * size changes how fast the same hashes go (docs/performance.md, item 12).
 */
async function startHasher() {
  const child = spawn(process.execPath, ['--import', 'tsx', HASHER], {
    cwd: ROOT,
    env: withLauncherThreadPool(process.env, START_OPTIONS),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    detached: true,
  });
  const next = () =>
    new Promise<{ type: string; latencies?: number[]; seconds?: number; message?: string }>(
      (resolve, reject) => {
        child.once('message', resolve);
        child.once('exit', (code) => reject(new Error(`the hashing process exited (${code})`)));
      },
    );
  await next();
  return {
    async hashFor(
      seconds: number,
      stored: string,
      pepper: Buffer,
      latencies: number[],
    ): Promise<number> {
      const answer = next();
      child.send({
        type: 'hash',
        stored,
        pepper: pepper.toString('base64'),
        password: BENCH_PASSWORD,
        seconds,
        concurrency: HASH_CONCURRENCY,
      });
      const result = await answer;
      if (result.type !== 'hashed') throw new Error(`hashing process: ${result.message}`);
      latencies.push(...(result.latencies ?? []));
      return result.latencies?.length ?? 0;
    },
    close() {
      if (child.connected) child.send({ type: 'exit' });
    },
  };
}

function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

// ---------------------------------------------------------------------------------------------
// One store: seed, start, the scenarios.

interface StoreRun {
  rows: Row[];
  startup: StartupResult[];
  targets: Target[];
}

/** How many times `npm start` is timed for the start-up target (the median counts). */
const NPM_STARTS = 5;

/** Milliseconds from spawning a server to its first 200 on GET /health; the server is stopped. */
async function timeStart(command: string, args: string[], store: Store, logName: string) {
  const port = await freePort();
  const { server, firstOkMs } = await startServer({
    command,
    args,
    env: porticoEnv(store, port),
    port,
    logFile: path.join(store.dataDir, logName),
  });
  await server.stop();
  return firstOkMs;
}

/** ANALYZE of every table in the store's schema (the connection's search path). */
async function analyzeSchema(db: Kysely<Database>): Promise<void> {
  const { rows } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = current_schema() and table_type = 'BASE TABLE'`.execute(db);
  for (const { name } of rows) await sql`analyze ${sql.table(name)}`.execute(db);
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

async function benchStore(bench: Bench, store: Store, workDir: string): Promise<StoreRun> {
  const { options, loader } = bench;
  const rows: Row[] = [];
  const startup: StartupResult[] = [];
  const targets: Target[] = [];
  const name = (what: string) => `${store.label}: ${what}`;
  const { duration, warmup, connections } = options;
  const wants = (scenario: Scenario) => !options.only || options.only.has(scenario);

  log(`\n${store.label}: migrating and seeding…`);
  const now = Date.now();
  const totpPool = wants('totp') ? Math.ceil((warmup + duration) * TOTP_POOL_RPS) + 500 : 0;
  // With the pepper the server derives from the same master key: a hash without it would be
  // hashed again at every sign-in of the storm.
  const passwordHash = await createPasswordHasher({
    ...ARGON2_PARAMS,
    secret: store.keys.pepper,
  }).hash(BENCH_PASSWORD);
  let database = openStore(store);
  let users: SeededUser[];
  let sessions: string[];
  try {
    await migrateToLatest(database.db);
    const seedStarted = performance.now();
    users = await seedUsers(database.db, store.keys, {
      first: 0,
      count: Math.max(totpPool, LOGIN_USERS) + SESSION_USERS,
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
    // PostgreSQL's autovacuum analyzes a table within a minute or so of a bulk change. Measured
    // at once, the seeded tables would be planned without statistics, as no running
    // installation's are: the account lookup of a sign-in then scanned every user.
    if (store.dialect === 'postgres') await analyzeSchema(database.db);
    const ms = Math.round(performance.now() - seedStarted);
    log(`  ${users.length} users with an authenticator app in ${ms} ms`);
  } finally {
    await database.close();
  }

  // Start-up. The first start after migrating also ships the built-in knowledge-base
  // articles; the target is a later start: `npm start` as an operator types it (its prestart
  // check included) on a database that is migrated and was started before.
  if (wants('startup')) {
    const first = await timeStart(
      process.execPath,
      [...START_OPTIONS, PROGRAM, 'serve'],
      store,
      'first-start.log',
    );
    startup.push({
      store: store.label,
      command: `${SERVE}, first start (ships the knowledge base)`,
      first_200_ms: round(first, 0),
    });
    // One start moves by a few hundred milliseconds with the machine: the target takes the
    // median of several.
    const npmStarts: number[] = [];
    for (let i = 1; i <= NPM_STARTS; i++) {
      npmStarts.push(await timeStart('npm', ['start', '--silent'], store, `npm-start-${i}.log`));
    }
    const sorted = [...npmStarts].sort((a, b) => a - b);
    const npmStart = percentile(sorted, 0.5);
    startup.push({
      store: store.label,
      command: `npm start (median of ${NPM_STARTS} starts, ${round(sorted[0] ?? 0, 0)}–${round(sorted.at(-1) ?? 0, 0)} ms)`,
      first_200_ms: round(npmStart, 0),
      runs_ms: npmStarts.map((ms) => round(ms, 0)),
    });
    targets.push({
      name: name('first 200 from npm start on a migrated database'),
      value: round(npmStart, 0),
      unit: 'ms',
      target: '< 1000',
      met: npmStart < 1000,
    });
  }
  const port = await freePort();
  const { server, firstOkMs } = await startServer({
    command: process.execPath,
    args: [...START_OPTIONS, '--require', PROBE, PROGRAM, 'serve'],
    // The probe is a preload the launcher does not know, so it would leave the pool alone: the
    // server gets the size the launcher gives it in `npm start`.
    env: withLauncherThreadPool(porticoEnv(store, port), START_OPTIONS),
    port,
    logFile: path.join(store.dataDir, 'server.log'),
  });
  startup.push({
    store: store.label,
    command: SERVE,
    first_200_ms: round(firstOkMs, 0),
  });
  log(`  Portico answered after ${Math.round(firstOkMs)} ms (pid ${server.pid})`);
  const url = server.baseUrl;
  let peakRss = 0;

  const record = (label: string, measured: Measured, ratioBase: Row['ratio_base']) => {
    const { result } = measured;
    peakRss = Math.max(peakRss, measured.peakRssMb);
    const note = failureNote(result);
    if (note) log(`  ${label}: unexpected answers: ${note}`);
    const out = row({
      scenario: label,
      result,
      ratio: measured.base.rps > 0 ? result.rps / measured.base.rps : null,
      ratioBase,
      baseRps: measured.base.rps,
      peakRssMb: measured.peakRssMb,
      cpuMs: measured.cpuMs,
      loopCpuMs: measured.loopCpuMs,
      lag: measured.lag,
    });
    rows.push(out);
    log(`  ${label}: ${out.rps} req/s, ratio ${out.ratio} (${ratioBase} ${out.base_rps} req/s)`);
    return out;
  };
  const scenario = async (label: string, spec: LoadSpec) =>
    record(label, await pairedWithBare(bench, server, label, spec), 'bare fastify');

  try {
    // a. GET /health
    if (wants('health')) {
      await scenario(name('GET /health'), {
        kind: 'get',
        url,
        connections,
        path: '/health',
        cookies: [],
        expect: { status: 200 },
      });
    }

    // b. A signed-in page: session lookup, policy, methods, recovery codes left, render.
    if (wants('page')) {
      const csrf = csrfPair(store);
      const cookies = sessions.map((token) => `${COOKIES.session}=${token}; ${csrf.cookie}`);
      const answer = await request(`${url}/profile/2fa`, {
        headers: { cookie: cookies[0] as string },
      });
      check(
        'GET /profile/2fa with a seeded session',
        answer.status === 200 && answer.body.includes('Set Up Two-Factor Authentication'),
        answer,
        server.logFile,
      );
      const page = await scenario(name('signed-in page GET /profile/2fa'), {
        kind: 'get',
        url,
        connections,
        path: '/profile/2fa',
        cookies,
        expect: { status: 200 },
      });
      targets.push(ratioTarget(name('signed-in page'), page, 0.25));
    }

    // c. TOTP at sign-in: a pending sign-in, the current code of that user's app → a session.
    if (wants('totp')) {
      database = openStore(store);
      const totpUsers = users.slice(0, totpPool);
      let tokens: string[];
      try {
        tokens = await seedPendingSignIns(database.db, totpUsers, Date.now());
      } finally {
        await database.close();
      }
      const entries: TotpEntry[] = totpUsers.map((user, i) => {
        const pair = csrfPair(store);
        return {
          cookie: `${COOKIES.pending}=${tokens[i] as string}; ${pair.cookie}`,
          csrfToken: pair.token,
          secret: user.secret,
        };
      });
      // The last entry checks the set-up by hand; the load takes the others.
      const last = entries.pop() as TotpEntry;
      const answer = await request(`${url}/login/2fa`, {
        method: 'POST',
        headers: { cookie: last.cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: `_csrf=${last.csrfToken}&method=totp&code=${totpCodeAt(last.secret, Date.now())}`,
      });
      check(
        'POST /login/2fa with a seeded pending sign-in',
        answer.status === 303 && answer.location === '/',
        answer,
        server.logFile,
      );
      const entriesFile = path.join(workDir, `totp-${store.dialect}.json`);
      fs.writeFileSync(entriesFile, JSON.stringify(entries));
      const label = name('TOTP verification at sign-in');
      const measured = await pairedWithBare(bench, server, label, {
        kind: 'totp',
        url,
        connections,
        entriesFile,
        expect: { status: 303, location: '/' },
      });
      const row = record(label, measured, 'bare fastify');
      if (measured.result.used > measured.result.available) {
        // The load went on with spent sign-ins, answered by a redirect to /login: its rate and
        // CPU per request are not those of verifications, so the target is not judged.
        log(`  TOTP: the ${entries.length} pending sign-ins ran out; raise BENCH_TOTP_POOL_RPS`);
        targets.push({
          name: `${name('TOTP verification at sign-in')} (not measured: the pending sign-ins ran out)`,
          value: null,
          unit: 'ratio',
          target: '≥ 0.1',
          met: false,
        });
      } else {
        targets.push(ratioTarget(name('TOTP verification at sign-in'), row, 0.1));
      }
    }

    // d. Password sign-in, bound by Argon2id. Slices of raw hashing (with the server idle)
    // alternate with slices of the sign-in storm. There is no warm-up, and the requests still
    // queued for the hasher when a storm slice ends are worked off before the next slice.
    if (wants('password')) {
      const emails = users.slice(0, LOGIN_USERS).map((u) => u.email);
      const csrf = csrfPair(store);
      const answer = await request(`${url}/login`, {
        method: 'POST',
        headers: {
          cookie: csrf.cookie,
          'content-type': 'application/x-www-form-urlencoded',
          'x-forwarded-for': '127.0.0.2',
        },
        body: `_csrf=${csrf.token}&email=${encodeURIComponent(emails[0] ?? '')}&password=${encodeURIComponent(BENCH_PASSWORD)}`,
      });
      check(
        'POST /login with a seeded user',
        answer.status === 303 && answer.location === '/login/2fa',
        answer,
        server.logFile,
      );
      const spec: LoadSpec = {
        kind: 'login',
        url,
        connections,
        emails,
        password: BENCH_PASSWORD,
        cookie: csrf.cookie,
        csrfToken: csrf.token,
        expect: { status: 303, location: '/login/2fa' },
      };
      const label = name('password sign-in POST /login');
      const slice = duration / options.rounds;
      const latencies: number[] = [];
      let hashes = 0;
      let hashSeconds = 0;
      await server.probe('probe:reset');
      const watch = new Watch(server);
      const hasher = await startHasher();
      try {
        await profiled(bench, server, label, async () => {
          for (let i = 0; i < options.rounds; i++) {
            const started = performance.now();
            hashes += await hasher.hashFor(slice, passwordHash, store.keys.pepper, latencies);
            hashSeconds += (performance.now() - started) / 1000;
            await watch.slice(() => loader.run(spec, slice, [label]));
            const hashRate = hashes / Math.max(hashSeconds, 0.001);
            await sleep((1000 * connections) / Math.max(1, hashRate) + 500);
          }
        });
      } finally {
        hasher.close();
      }
      latencies.sort((a, b) => a - b);
      const hashRps = hashes / hashSeconds;
      const { memoryCost: m, timeCost: t, parallelism: p } = ARGON2_PARAMS;
      rows.push(
        row({
          scenario: name(`raw Argon2id m=${m} t=${t} p=${p}, ${HASH_CONCURRENCY} in parallel`),
          result: {
            rps: hashRps,
            p50Ms: percentile(latencies, 0.5),
            p99Ms: percentile(latencies, 0.99),
          },
          ratio: null,
          ratioBase: null,
          baseRps: null,
          peakRssMb: null,
          lag: null,
        }),
      );
      const login = record(
        label,
        {
          result: await loader.report(label),
          base: { rps: hashRps },
          peakRssMb: watch.peakRssMb,
          cpuMs: watch.cpuMs,
          loopCpuMs: watch.loopCpuMs,
          lag: await server.probe('probe:read'),
        },
        'raw hash',
      );
      targets.push(ratioTarget(name('password sign-in vs raw hash throughput'), login, 0.9));
      const lag = login.event_loop_p99_ms;
      targets.push({
        name: name('event-loop lag p99 during the password storm'),
        value: lag,
        unit: 'ms',
        target: '< 20',
        met: lag !== null && lag < 20,
      });
    }

    // e. A knowledge-base article, when the knowledge base has one.
    if (wants('kb')) {
      const visitor = csrfPair(store);
      const article = await findArticle(url, visitor.cookie);
      if (article) {
        await scenario(name(`knowledge-base article GET ${article}`), {
          kind: 'get',
          url,
          connections,
          path: article,
          cookies: [visitor.cookie],
          expect: { status: 200 },
        });
      } else {
        log('  knowledge-base article: skipped (no published article reachable from /kb)');
      }
    }
  } finally {
    await server.stop();
  }
  // Judged only when a scenario loaded the server (not for `--only startup`).
  if (peakRss > 0) {
    targets.push({
      name: name('peak RSS of the Portico process'),
      value: round(peakRss, 1),
      unit: 'MB',
      target: '≤ 150',
      met: peakRss <= 150,
    });
  }
  return { rows, startup, targets };
}

// ---------------------------------------------------------------------------------------------

/** How long Node itself takes to start on this machine now: a yardstick for start-up times. */
async function nodeStartMs(): Promise<number> {
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const started = performance.now();
    await new Promise((resolve) =>
      spawn(process.execPath, ['-e', '0'], { stdio: 'ignore' }).once('exit', resolve),
    );
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

async function main(): Promise<void> {
  const options = readOptions();
  if (!fs.existsSync(MAIN)) {
    throw new Error(`${path.relative(ROOT, MAIN)} is missing: run "npm run build" first`);
  }
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-bench-load-'));
  if (options.cpuProfDir) fs.mkdirSync(options.cpuProfDir, { recursive: true });
  log(
    `Portico benchmark: ${options.duration} s per scenario and side in ${options.rounds} ` +
      `slices, after ${options.warmup} s of warm-up; ${options.connections} connections; ` +
      `${os.availableParallelism()} cores (${os.cpus()[0]?.model ?? 'unknown CPU'})`,
  );
  const rows: Row[] = [];
  const startup: StartupResult[] = [];
  const targets: Target[] = [];
  let loader: Loader | null = null;
  try {
    if (!options.only || options.only.has('startup')) {
      startup.push({
        store: '-',
        command: 'node -e 0 (reference)',
        first_200_ms: round(await nodeStartMs(), 0),
      });
    }
    loader = await Loader.start(LOADER, ROOT);
    const port = await freePort();
    const { server: bare } = await startServer({
      command: process.execPath,
      args: ['--require', PROBE, BARE],
      env: { ...process.env, PORT: String(port) },
      port,
      logFile: path.join(workDir, 'bare-fastify.log'),
    });
    const bareSpec: LoadSpec = {
      kind: 'get',
      url: bare.baseUrl,
      path: '/health',
      cookies: [],
      connections: options.connections,
      expect: { status: 200 },
    };
    const bench: Bench = { options, loader, bare, bareSpec, bareWatch: new Watch(bare) };
    try {
      if (options.warmup > 0) {
        await loader.run(bareSpec, options.warmup, ['bare (warm-up)']);
        await loader.report('bare (warm-up)');
      }
      await bare.probe('probe:reset');
      const dialects: Dialect[] = options.postgresUrl ? ['sqlite', 'postgres'] : ['sqlite'];
      if (!options.postgresUrl) log('PostgreSQL: skipped (BENCH_DATABASE_URL is not set)');
      const storeRows: Row[] = [];
      for (const dialect of dialects) {
        const store = await prepareStore(dialect, options.postgresUrl);
        try {
          const run = await benchStore(bench, store, workDir);
          storeRows.push(...run.rows);
          startup.push(...run.startup);
          targets.push(...run.targets);
        } finally {
          await store.cleanup();
        }
      }
      const bareResult = await loader.report('bare');
      if (bareResult.requests > 0) {
        rows.push(
          row({
            scenario: 'bare Fastify: GET /health (all its slices)',
            result: bareResult,
            ratio: 1,
            ratioBase: 'bare fastify',
            baseRps: bareResult.rps,
            peakRssMb: bench.bareWatch.peakRssMb,
            cpuMs: bench.bareWatch.cpuMs,
            loopCpuMs: bench.bareWatch.loopCpuMs,
            lag: await bare.probe('probe:read'),
          }),
        );
      }
      rows.push(...storeRows);
    } finally {
      await bare.stop();
    }
  } finally {
    loader?.close();
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
    rounds: options.rounds,
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
