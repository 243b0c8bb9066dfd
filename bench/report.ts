/** The benchmark's table and its JSON twin (bench/results/latest.json). */
import fs from 'node:fs';
import path from 'node:path';
import type { LoadResult } from './load-spec.js';
import type { LoopLag } from './processes.js';

export interface Row {
  scenario: string;
  /** Successful requests (or hashes) per second. */
  rps: number;
  p50_ms: number;
  p99_ms: number;
  /** rps divided by the base below; null for the base rows themselves where there is none. */
  ratio: number | null;
  ratio_base: 'bare fastify' | 'raw hash' | null;
  /** The base's rate in the slices paired with this scenario's. */
  base_rps: number | null;
  /** Peak resident memory of the server process during the measured window. */
  peak_rss_mb: number | null;
  /** Event-loop lag of the server during the measured window (from bench/probe.cjs). */
  event_loop_p99_ms: number | null;
  /**
   * CPU time (user + system) the server used per answered request: what a request costs,
   * whatever else the machine was doing.
   */
  cpu_us_per_request: number | null;
  /**
   * The part of it on the main thread, the event loop's: what runs one request at a time.
   * The rest is libuv's thread pool (password hashing), V8's helper threads and so on.
   */
  loop_cpu_us_per_request: number | null;
  requests: number | null;
  /** Answers that were not the expected one, by status; empty when all were. */
  failures: Record<string, number>;
}

export interface StartupResult {
  store: string;
  command: string;
  first_200_ms: number;
  /** Each start's time, where several were timed (first_200_ms is then their median). */
  runs_ms?: number[];
}

export interface Target {
  name: string;
  value: number | null;
  unit: string;
  target: string;
  met: boolean;
}

export interface Report {
  generated_at: string;
  machine: { cores: number; cpu: string | null; node: string; load_average: number[] };
  duration_s: number;
  warmup_s: number;
  rounds: number;
  connections: number;
  results: Row[];
  startup: StartupResult[];
  targets: Target[];
}

const round = (value: number, digits: number) => Math.round(value * 10 ** digits) / 10 ** digits;

export function row(input: {
  scenario: string;
  result: Pick<LoadResult, 'rps' | 'p50Ms' | 'p99Ms'> & Partial<LoadResult>;
  ratio: number | null;
  ratioBase: Row['ratio_base'];
  baseRps: number | null;
  peakRssMb: number | null;
  cpuMs?: number | null;
  loopCpuMs?: number | null;
  lag: LoopLag | null;
}): Row {
  const { result } = input;
  const answered = result.requests ?? 0;
  return {
    scenario: input.scenario,
    rps: round(result.rps, 1),
    p50_ms: round(result.p50Ms, 2),
    p99_ms: round(result.p99Ms, 2),
    ratio: input.ratio === null ? null : round(input.ratio, 3),
    ratio_base: input.ratioBase,
    base_rps: input.baseRps === null ? null : round(input.baseRps, 1),
    peak_rss_mb: input.peakRssMb === null ? null : round(input.peakRssMb, 1),
    event_loop_p99_ms: input.lag ? round(input.lag.p99, 2) : null,
    cpu_us_per_request:
      input.cpuMs != null && answered > 0 ? round((1000 * input.cpuMs) / answered, 0) : null,
    loop_cpu_us_per_request:
      input.loopCpuMs != null && answered > 0
        ? round((1000 * input.loopCpuMs) / answered, 0)
        : null,
    requests: result.requests ?? null,
    failures: result.failures ?? {},
  };
}

function table(headers: string[], body: string[][], rightAligned: boolean[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) =>
        rightAligned[i] ? cell.padStart(widths[i] ?? 0) : cell.padEnd(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(headers), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map(line)].join('\n');
}

const show = (value: number | null, digits = 1) => (value === null ? '–' : value.toFixed(digits));

export function printReport(report: Report, print: (line: string) => void): void {
  print('');
  print(
    table(
      [
        'scenario',
        'req/s',
        'p50 ms',
        'p99 ms',
        'ratio',
        'of',
        'its req/s',
        'peak RSS MB',
        'loop p99 ms',
        'CPU µs/req',
        'loop CPU µs/req',
      ],
      report.results.map((r) => [
        r.scenario,
        show(r.rps),
        show(r.p50_ms, 2),
        show(r.p99_ms, 2),
        show(r.ratio, 3),
        r.ratio_base ?? '',
        show(r.base_rps),
        show(r.peak_rss_mb),
        show(r.event_loop_p99_ms, 2),
        show(r.cpu_us_per_request, 0),
        show(r.loop_cpu_us_per_request, 0),
      ]),
      [false, true, true, true, true, false, true, true, true, true, true],
    ),
  );
  print('');
  for (const s of report.startup) {
    print(
      s.store === '-'
        ? `${s.command}: ${s.first_200_ms} ms`
        : `${s.store}: first 200 from ${s.command}: ${s.first_200_ms} ms`,
    );
  }
  print('');
  for (const t of report.targets) {
    const value = t.value === null ? '–' : `${t.value}${t.unit === 'ratio' ? '' : ` ${t.unit}`}`;
    print(`${t.met ? 'met   ' : 'MISSED'}  ${t.name}: ${value} (target ${t.target})`);
  }
}

export function writeReport(file: string, report: Report): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(report, null, 2) + '\n');
}
