/**
 * The load generator: a process of its own (spawned by bench/run.ts with an IPC channel), so
 * the server under test never shares an event loop with the client that loads it. It reads a
 * LoadSpec from the JSON file named by its first argument, runs a warm-up that is thrown away,
 * tells the orchestrator that the measured window starts, runs it, and sends the result.
 */
import fs from 'node:fs';
import autocannon from 'autocannon';
import type { IncomingHttpHeaders } from 'node:http';
import { totpCodeAt } from '../src/two-factor/totp/totp.js';
import type { Expectation, LoadMessage, LoadResult, LoadSpec } from './load-spec.js';

const FORM = 'application/x-www-form-urlencoded';

interface Tally {
  ok: number;
  failures: Record<string, number>;
}

function send(message: LoadMessage): void {
  if (!process.send) throw new Error('bench/load.ts must be started by bench/run.ts (IPC)');
  process.send(message);
}

function header(headers: IncomingHttpHeaders | undefined, name: string): string | undefined {
  if (!headers) return undefined;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) return Array.isArray(value) ? value[0] : value;
  }
  return undefined;
}

function checker(expect: Expectation, tally: () => Tally) {
  return (status: number, _body: string, _context: object, headers?: IncomingHttpHeaders) => {
    const location = header(headers, 'location');
    const current = tally();
    if (status === expect.status && (!expect.location || location === expect.location)) {
      current.ok++;
      return;
    }
    const key = location ? `${status} → ${location}` : String(status);
    current.failures[key] = (current.failures[key] ?? 0) + 1;
  };
}

/** The client address a proxy in front of Portico would report: a new one per request. */
function clientAddress(n: number): string {
  return `127.${1 + ((n >> 16) & 0x7f)}.${(n >> 8) & 0xff}.${n & 0xff}`;
}

/** Shared by the warm-up and the measured run, so no pending sign-in is offered twice. */
const cursor = { next: 0 };

function requestsFor(spec: LoadSpec, tally: () => Tally): autocannon.Request[] {
  const onResponse = checker(spec.expect, tally);
  switch (spec.kind) {
    case 'get':
      return [{ method: 'GET', path: spec.path, onResponse }];
    case 'totp': {
      return [
        {
          method: 'POST',
          path: '/login/2fa',
          onResponse,
          setupRequest(request) {
            // One pending sign-in per request; past the end of the pool requests fail (and
            // are counted as failures), so the pool is sized to outlast the run.
            const entry = spec.entries[cursor.next++ % spec.entries.length];
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
            const n = cursor.next++;
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

async function run(spec: LoadSpec, seconds: number, tally: Tally) {
  let connection = 0;
  const cookies = spec.kind === 'get' ? spec.cookies : [];
  return autocannon({
    url: spec.url,
    connections: spec.connections,
    duration: seconds,
    timeout: 30,
    requests: requestsFor(spec, () => tally),
    // One cookie per connection, fixed for its lifetime: a browser tab that keeps its session.
    setupClient(client) {
      const cookie = cookies[connection++ % Math.max(1, cookies.length)];
      if (cookie) client.setHeaders({ cookie });
    },
  });
}

async function main(): Promise<void> {
  const file = process.argv[2];
  if (!file) throw new Error('usage: load.ts SPEC.json');
  const spec = JSON.parse(fs.readFileSync(file, 'utf8')) as LoadSpec;

  if (spec.warmupSeconds > 0) await run(spec, spec.warmupSeconds, { ok: 0, failures: {} });
  send({ type: 'measuring' });
  const tally: Tally = { ok: 0, failures: {} };
  const started = performance.now();
  const result = await run(spec, spec.durationSeconds, tally);
  const seconds = (performance.now() - started) / 1000;

  const failures = { ...tally.failures };
  if (result.errors > 0) failures['socket errors'] = result.errors;
  if (result.timeouts > 0) failures.timeouts = result.timeouts;
  const outcome: LoadResult = {
    requests: tally.ok + Object.values(tally.failures).reduce((a, b) => a + b, 0),
    ok: tally.ok,
    failures,
    seconds,
    rps: tally.ok / seconds,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    used: cursor.next,
  };
  send({ type: 'result', result: outcome });
  process.disconnect();
}

main().catch((error: unknown) => {
  process.stderr.write(
    `load: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
  );
  process.exit(1);
});
