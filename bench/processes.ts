/**
 * Child processes of the benchmark: servers (with the optional event-loop probe), their memory
 * as the kernel counts it, and waiting for a first answer.
 */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import { createRequire } from 'node:module';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';

export interface LoopLag {
  p50: number;
  p99: number;
  max: number;
  mean: number;
}

export interface Server {
  child: ChildProcess;
  pid: number;
  baseUrl: string;
  logFile: string;
  /** Asks the preloaded probe (bench/probe.cjs); null when the server has none. */
  probe(
    type: 'probe:reset' | 'probe:slice-start' | 'probe:slice-end' | 'probe:profile-start',
  ): Promise<void>;
  probe(type: 'probe:profile-stop', file: string): Promise<void>;
  probe(type: 'probe:read'): Promise<LoopLag | null>;
  stop(): Promise<void>;
}

const children = new Set<ChildProcess>();

/** The staleness check `npm start` preloads; `npm run bench` runs it before it starts. */
const STALENESS_CHECK = './scripts/build-if-stale.cjs';
/** The program `npm start` runs, relative to the checkout. */
export const ENTRY = 'bin/portico.cjs';

/**
 * The Node options `npm start` runs the server with (package.json's start script,
 * `exec node <options> bin/portico.cjs serve`; `exec` so that npm's signals reach the server),
 * less the staleness check: the benchmark starts the
 * server it measures with them, so it measures the server as `npm start` runs it (V8 heap
 * flags included; docs/decisions.md).
 */
export function npmStartNodeOptions(root: string): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
    scripts?: Record<string, string>;
  };
  const start = pkg.scripts?.start ?? '';
  const words = start.trim().split(/\s+/);
  if (words[0] === 'exec') words.shift();
  const main = words.indexOf(ENTRY);
  if (words[0] !== 'node' || main < 0 || words.slice(main).join(' ') !== `${ENTRY} serve`) {
    throw new Error(
      `package.json: expected a start script "exec node [options] ${ENTRY} serve", found "${start}"`,
    );
  }
  const options = words.slice(1, main);
  const check = options.findIndex(
    (w, i) => w === '--require' && options[i + 1] === STALENESS_CHECK,
  );
  if (check >= 0) options.splice(check, 2);
  if (options.some((w) => w.includes('build-if-stale'))) {
    throw new Error(`package.json: the start script loads ${STALENESS_CHECK} in an unknown way`);
  }
  return options;
}

const { threadPoolSetting } = createRequire(import.meta.url)('../bin/portico.cjs') as {
  threadPoolSetting: (
    env: NodeJS.ProcessEnv,
    execArgv: string[],
    cores: number,
  ) => string | undefined;
};

/**
 * `env` with the thread-pool size that bin/portico.cjs gives a server started with these Node
 * options, for a process that must hash as the server does.
 */
export function withLauncherThreadPool(
  env: NodeJS.ProcessEnv,
  nodeOptions: string[],
): NodeJS.ProcessEnv {
  const size = threadPoolSetting(env, nodeOptions, os.availableParallelism());
  return size === undefined ? env : { ...env, UV_THREADPOOL_SIZE: size };
}

/** Ends every child this process started and is still running (on error or interrupt). */
export function stopAllChildren(): void {
  for (const child of children) {
    if (child.exitCode === null && child.pid !== undefined) {
      try {
        // Each child leads its own process group (npm start → sh → node): end the group.
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        child.kill('SIGTERM');
      }
    }
  }
}

export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function getStatus(url: string): Promise<number> {
  return new Promise((resolve) => {
    const request = http.get(url, { agent: false, timeout: 1000 }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
    });
    request.on('error', () => resolve(0));
    request.on('timeout', () => {
      request.destroy();
      resolve(0);
    });
  });
}

/** Polls until the URL answers 200; returns the milliseconds since `since`. */
export async function waitFor200(
  url: string,
  child: ChildProcess,
  since: number,
  timeoutMs = 60_000,
): Promise<number> {
  for (;;) {
    if ((await getStatus(url)) === 200) return performance.now() - since;
    if (child.exitCode !== null) throw new Error(`the server exited (code ${child.exitCode})`);
    if (performance.now() - since > timeoutMs) throw new Error(`no 200 from ${url} in time`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

export function tail(file: string, lines = 20): string {
  try {
    return fs.readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

/**
 * Starts a server process in its own process group, output to `logFile`, with an IPC channel
 * for the probe. Resolves once GET /health answers 200, with the time that took.
 */
export async function startServer(input: {
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  port: number;
  logFile: string;
}): Promise<{ server: Server; firstOkMs: number }> {
  const log = fs.openSync(input.logFile, 'a');
  const started = performance.now();
  const child = spawn(input.command, input.args, {
    env: input.env,
    stdio: ['ignore', log, log, 'ipc'],
    detached: true,
  });
  fs.closeSync(log);
  children.add(child);
  child.once('exit', () => children.delete(child));
  const baseUrl = `http://127.0.0.1:${input.port}`;
  let firstOkMs: number;
  try {
    firstOkMs = await waitFor200(`${baseUrl}/health`, child, started);
  } catch (error) {
    stopAllChildren();
    throw new Error(
      `${input.command} ${input.args.join(' ')}: ${(error as Error).message}\n${tail(input.logFile)}`,
    );
  }
  const pid = child.pid as number;

  function ask(type: string, file?: string): Promise<unknown> {
    if (!child.connected) return Promise.resolve(null);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        child.off('message', onMessage);
        resolve(null);
      }, 10_000);
      const onMessage = (message: unknown) => {
        const m = message as { type?: string; lag?: LoopLag };
        if (m.type !== type) return;
        clearTimeout(timer);
        child.off('message', onMessage);
        resolve(m.lag ?? null);
      };
      child.on('message', onMessage);
      child.send({ type, file });
    });
  }

  const server: Server = {
    child,
    pid,
    baseUrl,
    logFile: input.logFile,
    probe: ask as Server['probe'],
    async stop() {
      if (child.exitCode === null) {
        try {
          process.kill(-pid, 'SIGTERM');
        } catch {
          child.kill('SIGTERM');
        }
      }
      const timer = setTimeout(() => {
        try {
          process.kill(-pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 10_000);
      await exited(child);
      clearTimeout(timer);
    },
  };
  return { server, firstOkMs };
}

/** Resident memory of a process in KiB: now, and the peak (VmHWM) since start or last reset. */
export function memoryOf(pid: number): { rssKb: number; peakKb: number } | null {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const field = (name: string) =>
      Number(new RegExp(`^${name}:\\s+(\\d+)`, 'm').exec(status)?.[1]);
    return { rssKb: field('VmRSS'), peakKb: field('VmHWM') };
  } catch {
    return null;
  }
}

/**
 * CPU time (user + system) a process has used so far, in milliseconds; null off Linux. With
 * `thread`, that thread's only: the process id is also its main thread's, the event loop's.
 */
export function cpuTimeOf(pid: number, thread?: number): number | null {
  try {
    // Fields after the command name (which may hold spaces): utime and stime are 12th and 13th.
    const file = thread === undefined ? `/proc/${pid}/stat` : `/proc/${pid}/task/${thread}/stat`;
    const stat = fs.readFileSync(file, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / CLOCK_TICKS_PER_SECOND;
  } catch {
    return null;
  }
}

/** USER_HZ: 100 on every Linux build that matters here. */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * Follows a process over a measured window: its peak resident memory (resetting the kernel's
 * high-water mark where allowed, by writing 5 to clear_refs, and sampling every 50 ms as well)
 * and the CPU time it used.
 */
export function watchProcess(pid: number) {
  let canReset = false;
  try {
    fs.writeFileSync(`/proc/${pid}/clear_refs`, '5');
    canReset = true;
  } catch {
    // Not permitted here: the samples alone give the peak.
  }
  // The process first and its main thread last at the start, the other way round at the end:
  // the main thread's share can then never come out larger than the whole.
  const cpuAtStart = cpuTimeOf(pid);
  const loopCpuAtStart = cpuTimeOf(pid, pid);
  let peakKb = memoryOf(pid)?.rssKb ?? 0;
  const timer = setInterval(() => {
    peakKb = Math.max(peakKb, memoryOf(pid)?.rssKb ?? 0);
  }, 50);
  return {
    /**
     * Stops watching: the peak in MiB and the CPU milliseconds over the window, of the whole
     * process and of its main thread.
     */
    stop(): { peakRssMb: number; cpuMs: number | null; loopCpuMs: number | null } {
      clearInterval(timer);
      const now = memoryOf(pid);
      if (now) peakKb = Math.max(peakKb, now.rssKb, canReset ? now.peakKb : 0);
      const loopCpuAtEnd = cpuTimeOf(pid, pid);
      const cpuAtEnd = cpuTimeOf(pid);
      return {
        peakRssMb: peakKb / 1024,
        cpuMs: cpuAtStart !== null && cpuAtEnd !== null ? cpuAtEnd - cpuAtStart : null,
        loopCpuMs:
          loopCpuAtStart !== null && loopCpuAtEnd !== null ? loopCpuAtEnd - loopCpuAtStart : null,
      };
    },
  };
}
