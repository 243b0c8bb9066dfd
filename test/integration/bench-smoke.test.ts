/**
 * The benchmark (`npm run bench`, bench/run.ts) must keep working while the app changes under
 * it: seeding straight into the tables, the CSRF and TOTP arithmetic it does for its requests,
 * and the checks it makes before loading each scenario all break quietly otherwise. This runs
 * it for a second per scenario (without the start-up timings, which may rebuild dist/) and
 * checks the JSON it writes. The numbers themselves mean nothing at this length.
 *
 * It runs the compiled server, as `npm run bench` does, so it first rebuilds dist/ when a
 * source is newer than its compiled file (scripts/build-if-stale.cjs): a stale build would
 * measure old code and fail on a migration it does not know.
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));

interface BenchRow {
  scenario: string;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  ratio: number | null;
  peak_rss_mb: number | null;
  cpu_us_per_request: number | null;
  loop_cpu_us_per_request: number | null;
  failures: Record<string, number>;
}

function runBench(out: string): Promise<{ code: number | null; output: string }> {
  const env: NodeJS.ProcessEnv = { ...process.env, BENCH_OUT: out };
  delete env.BENCH_DATABASE_URL;
  delete env.BENCH_CPU_PROF;
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      'bench/run.ts',
      '--duration',
      '1',
      '--warmup',
      '0.3',
      '--only',
      'health,page,totp,password,kb',
    ],
    { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise((resolve) => child.once('exit', (code) => resolve({ code, output })));
}

describe('benchmark smoke run', () => {
  it('runs every scenario briefly and writes the table as JSON', { timeout: 240_000 }, async () => {
    const build = spawnSync(process.execPath, ['scripts/build-if-stale.cjs'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(build.status, `${build.stdout}${build.stderr}`).toBe(0);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-bench-smoke-'));
    const out = path.join(dir, 'latest.json');
    try {
      const { code, output } = await runBench(out);
      expect(code, output).toBe(0);
      const report = JSON.parse(fs.readFileSync(out, 'utf8')) as {
        results: BenchRow[];
        targets: Array<{ name: string; met: boolean }>;
      };
      const names = report.results.map((r) => r.scenario);
      for (const expected of [
        /^bare Fastify: GET \/health/,
        /^SQLite: GET \/health$/,
        /^SQLite: signed-in page GET \/profile\/2fa$/,
        /^SQLite: TOTP verification at sign-in$/,
        /^SQLite: raw Argon2id/,
        /^SQLite: password sign-in POST \/login$/,
      ]) {
        expect(
          names.some((n) => expected.test(n)),
          `${expected} in ${names.join(' | ')}`,
        ).toBe(true);
      }
      for (const r of report.results) {
        expect(Object.keys(r)).toEqual(
          expect.arrayContaining(['scenario', 'rps', 'p50_ms', 'p99_ms', 'ratio', 'peak_rss_mb']),
        );
        expect(r.rps, r.scenario).toBeGreaterThan(0);
        expect(r.p99_ms, r.scenario).toBeGreaterThanOrEqual(r.p50_ms);
      }
      // The event loop's share of a request's CPU time is part of the whole, for every server.
      for (const r of report.results.filter((row) => row.cpu_us_per_request !== null)) {
        expect(r.loop_cpu_us_per_request, r.scenario).toBeGreaterThan(0);
        expect(r.loop_cpu_us_per_request, r.scenario).toBeLessThanOrEqual(
          r.cpu_us_per_request ?? 0,
        );
      }
      // Every request of the TOTP and page scenarios was answered as a real person's would be.
      for (const r of report.results.filter((row) => /TOTP|signed-in page/.test(row.scenario))) {
        expect(r.failures, r.scenario).toEqual({});
      }
      expect(report.targets.length).toBeGreaterThan(0);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
