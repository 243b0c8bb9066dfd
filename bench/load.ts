/**
 * The load generator: a process of its own (spawned by bench/run.ts with an IPC channel), so
 * the server under test never shares an event loop with the client that loads it. It runs
 * autocannon on command, for a given time, and adds what it saw to named series; the
 * orchestrator alternates short runs against the bare server and against Portico, so both see
 * the same machine, and asks for each series' totals at the end.
 */
import fs from 'node:fs';
import type { IncomingHttpHeaders } from 'node:http';
import autocannon from 'autocannon';
import { totpCodeAt } from '../src/two-factor/totp/totp.js';
import type {
  Expectation,
  LoadCommand,
  LoadMessage,
  LoadResult,
  LoadSpec,
  TotpEntry,
} from './load-spec.js';

const FORM = 'application/x-www-form-urlencoded';

interface Series {
  ok: number;
  failures: Record<string, number>;
  seconds: number;
  latencies: number[];
  used: number;
  available: number;
}

const series = new Map<string, Series>();
/** TOTP entries by file, with how many were handed out (across runs). */
const pools = new Map<string, { entries: TotpEntry[]; next: number }>();
/** Requests built for the login form so far: each gets its own client address. */
let loginCounter = 0;

function send(message: LoadMessage): void {
  if (!process.send) throw new Error('bench/load.ts must be started by bench/run.ts (IPC)');
  process.send(message);
}

function seriesOf(name: string): Series {
  let found = series.get(name);
  if (!found) {
    found = { ok: 0, failures: {}, seconds: 0, latencies: [], used: 0, available: 0 };
    series.set(name, found);
  }
  return found;
}

function header(headers: IncomingHttpHeaders | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

function checker(expect: Expectation, targets: Series[]) {
  return (status: number, _body: string, _context: object, headers?: IncomingHttpHeaders) => {
    const location = header(headers, 'location');
    const ok = status === expect.status && (!expect.location || location === expect.location);
    const key = location ? `${status} → ${location}` : String(status);
    for (const target of targets) {
      if (ok) target.ok++;
      else target.failures[key] = (target.failures[key] ?? 0) + 1;
    }
  };
}

/** The client address a proxy in front of Portico would report: a new one per request. */
function clientAddress(n: number): string {
  return `127.${1 + ((n >> 16) & 0x7f)}.${(n >> 8) & 0xff}.${n & 0xff}`;
}

function poolOf(file: string) {
  let pool = pools.get(file);
  if (!pool) {
    pool = { entries: JSON.parse(fs.readFileSync(file, 'utf8')) as TotpEntry[], next: 0 };
    pools.set(file, pool);
  }
  return pool;
}

function requestsFor(spec: LoadSpec, targets: Series[]): autocannon.Request[] {
  const onResponse = checker(spec.expect, targets);
  switch (spec.kind) {
    case 'get':
      return [{ method: 'GET', path: spec.path, onResponse }];
    case 'totp': {
      const pool = poolOf(spec.entriesFile);
      return [
        {
          method: 'POST',
          path: '/login/2fa',
          onResponse,
          setupRequest(request) {
            // Past the end of the pool the entries come round again and fail (counted as
            // failures): the pool is sized to outlast the run.
            const entry = pool.entries[pool.next++ % pool.entries.length];
            if (!entry) return request;
            const code = totpCodeAt(entry.secret, Date.now());
            return {
              ...request,
              headers: { ...request.headers, 'content-type': FORM, cookie: entry.cookie },
              body: `_csrf=${entry.csrfToken}&method=totp&code=${code}`,
            };
          },
        },
      ];
    }
    case 'login': {
      const password = encodeURIComponent(spec.password);
      return [
        {
          method: 'POST',
          path: '/login',
          onResponse,
          setupRequest(request) {
            const n = loginCounter++;
            const email = encodeURIComponent(spec.emails[n % spec.emails.length] ?? '');
            return {
              ...request,
              headers: {
                ...request.headers,
                'content-type': FORM,
                cookie: spec.cookie,
                'x-forwarded-for': clientAddress(n + 1),
              },
              body: `_csrf=${spec.csrfToken}&email=${email}&password=${password}`,
            };
          },
        },
      ];
    }
  }
}

async function run(spec: LoadSpec, seconds: number, names: string[]): Promise<void> {
  const targets = names.map(seriesOf);
  let connection = 0;
  const cookies = spec.kind === 'get' ? spec.cookies : [];
  const started = performance.now();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: spec.url,
        connections: spec.connections,
        duration: seconds,
        timeout: 30,
        requests: requestsFor(spec, targets),
        // One cookie per connection, fixed for its lifetime: a browser tab keeping its session.
        setupClient(client) {
          const cookie = cookies[connection++ % Math.max(1, cookies.length)];
          if (cookie) client.setHeaders({ cookie });
        },
      },
      (error: unknown, done: autocannon.Result) =>
        error
          ? reject(error instanceof Error ? error : new Error('autocannon failed'))
          : resolve(done),
    );
    instance.on('response', (_client, _status, _bytes, responseTime) => {
      for (const target of targets) target.latencies.push(responseTime);
    });
  });
  const elapsed = (performance.now() - started) / 1000;
  for (const target of targets) {
    target.seconds += elapsed;
    if (result.errors > 0)
      target.failures['socket errors'] = (target.failures['socket errors'] ?? 0) + result.errors;
    if (result.timeouts > 0)
      target.failures.timeouts = (target.failures.timeouts ?? 0) + result.timeouts;
    if (spec.kind === 'totp') {
      const pool = poolOf(spec.entriesFile);
      target.used = pool.next;
      target.available = pool.entries.length;
    }
  }
}

function report(name: string): LoadResult {
  const found = seriesOf(name);
  series.delete(name);
  const latencies = found.latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  const failed = Object.values(found.failures).reduce((a, b) => a + b, 0);
  return {
    requests: found.ok + failed,
    ok: found.ok,
    failures: found.failures,
    seconds: found.seconds,
    rps: found.seconds > 0 ? found.ok / found.seconds : 0,
    p50Ms: at(0.5),
    p99Ms: at(0.99),
    used: found.used,
    available: found.available,
  };
}

process.on('message', (command: LoadCommand) => {
  if (command.type === 'run') {
    run(command.spec, command.seconds, command.series).then(
      () => send({ type: 'ran' }),
      (error: unknown) => send({ type: 'error', message: String(error) }),
    );
  } else if (command.type === 'report') {
    send({ type: 'report', result: report(command.series) });
  } else {
    process.disconnect();
  }
});
send({ type: 'ready' });
