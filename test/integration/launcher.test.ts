/**
 * bin/portico.cjs, the `portico` command and what `npm start` runs: it sizes libuv's thread pool
 * before the program loads (src/accounts/passwords.ts, hashesInFlight), and keeps a size the
 * operator chose or one that something preloaded may already have fixed. The pool's real size
 * is read from the process's threads (Linux), so a launcher that sets the variable too late, or
 * claims a size the pool does not have, fails here.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const LAUNCHER = path.join(ROOT, 'bin', 'portico.cjs');
const require = createRequire(import.meta.url);
const { threadPoolSetting } = require(LAUNCHER) as {
  threadPoolSetting: (
    env: NodeJS.ProcessEnv,
    execArgv: string[],
    cores: number,
  ) => string | undefined;
};

/** Node's environment for a child, without pool settings of the test run's own. */
function cleanEnv(env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const clean: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (!('UV_THREADPOOL_SIZE' in env)) delete clean.UV_THREADPOOL_SIZE;
  if (!('NODE_OPTIONS' in env)) delete clean.NODE_OPTIONS;
  return clean;
}

describe('threadPoolSetting', () => {
  it('gives the pool a thread per core, from two to libuv’s default of four', () => {
    expect(threadPoolSetting({}, [], 1)).toBe('2');
    expect(threadPoolSetting({}, [], 2)).toBe('2');
    expect(threadPoolSetting({}, [], 3)).toBe('3');
    expect(threadPoolSetting({}, [], 64)).toBe('4');
  });

  it('keeps a size the operator set', () => {
    expect(threadPoolSetting({ UV_THREADPOOL_SIZE: '6' }, [], 2)).toBeUndefined();
  });

  it('leaves the pool alone after any preload but npm start’s staleness check', () => {
    const leaves = (execArgv: string[], env: NodeJS.ProcessEnv = {}) =>
      threadPoolSetting(env, execArgv, 2);
    expect(leaves(['--import', './agent.js'])).toBeUndefined();
    expect(leaves(['--import=./agent.js'])).toBeUndefined();
    expect(leaves(['--require', './agent.cjs'])).toBeUndefined();
    expect(leaves(['-r', './agent.cjs'])).toBeUndefined();
    expect(leaves(['--experimental-loader', 'x.mjs'])).toBeUndefined();
    expect(leaves(['--experimental-default-type=module'])).toBeUndefined();
    expect(leaves([], { NODE_OPTIONS: '--loader=x.mjs' })).toBeUndefined();
    expect(leaves([], { NODE_OPTIONS: ' "--import" "./agent.js"' })).toBeUndefined();
    expect(leaves([], { NODE_OPTIONS: '--require "/a path/agent.cjs"' })).toBeUndefined();
    const check = path.join(ROOT, 'scripts', 'build-if-stale.cjs');
    expect(leaves(['--require', check])).toBe('2');
    expect(leaves(['--max-old-space-size=512'], { NODE_OPTIONS: '--max-semi-space-size=4' })).toBe(
      '2',
    );
  });
});

describe.runIf(process.platform === 'linux')('the pool a launched program gets', () => {
  let dir: string;

  beforeAll(() => {
    // The launcher beside a stand-in program that gives the pool work, then says what the pool
    // size variable was and how many threads the process has.
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-launcher-'));
    for (const sub of ['bin', 'dist', 'scripts']) fs.mkdirSync(path.join(dir, sub));
    fs.copyFileSync(LAUNCHER, path.join(dir, 'bin', 'portico.cjs'));
    fs.writeFileSync(path.join(dir, 'scripts', 'build-if-stale.cjs'), '');
    fs.writeFileSync(
      path.join(dir, 'dist', 'main.js'),
      `const fs = require('node:fs');
fs.promises.readFile(__filename).then(() => {
  const threads = fs.readdirSync('/proc/self/task').length;
  process.stdout.write(JSON.stringify({ size: process.env.UV_THREADPOOL_SIZE ?? null, threads }));
});
`,
    );
    fs.writeFileSync(
      path.join(dir, 'async-preload.cjs'),
      "require('node:fs').stat(__filename, () => {});\n",
    );
  });

  function launch(nodeArgs: string[] = [], env: NodeJS.ProcessEnv = {}) {
    const result = spawnSync(process.execPath, [...nodeArgs, path.join('bin', 'portico.cjs')], {
      cwd: dir,
      encoding: 'utf8',
      env: cleanEnv(env),
    });
    expect(result.status, result.stderr).toBe(0);
    return JSON.parse(result.stdout) as { size: string | null; threads: number };
  }

  it('sizes the pool before the program starts it, and only then', () => {
    // Threads beside the pool: the same in every run; a one-thread pool shows how many.
    const others = launch([], { UV_THREADPOOL_SIZE: '1' }).threads - 1;
    const poolOf = (run: { threads: number }) => run.threads - others;
    const expected = Math.min(4, Math.max(2, os.availableParallelism()));

    const launched = launch();
    expect(launched.size).toBe(String(expected));
    expect(poolOf(launched)).toBe(expected);

    const withCheck = launch(['--require', './scripts/build-if-stale.cjs']);
    expect(poolOf(withCheck)).toBe(expected);

    expect(poolOf(launch([], { UV_THREADPOOL_SIZE: '7' }))).toBe(7);

    // Preloads that start the pool before the launcher runs: the variable stays unset, as
    // libuv's default of four is what the pool has, and what the hasher then reads.
    for (const preload of [
      ['--import', 'data:text/javascript,'],
      ['--require', './async-preload.cjs'],
    ]) {
      const run = launch(preload);
      expect(run.size).toBeNull();
      expect(poolOf(run)).toBe(4);
    }
    const quoted = launch([], { NODE_OPTIONS: '"--import" "data:text/javascript,"' });
    expect(quoted.size).toBeNull();
    expect(poolOf(quoted)).toBe(4);
  });

  it('says how to build when dist/main.js is missing', () => {
    const empty = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-launcher-'));
    fs.mkdirSync(path.join(empty, 'bin'));
    fs.copyFileSync(LAUNCHER, path.join(empty, 'bin', 'portico.cjs'));
    const result = spawnSync(process.execPath, [path.join(empty, 'bin', 'portico.cjs')], {
      encoding: 'utf8',
      env: cleanEnv(),
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toBe('portico: dist/main.js is missing; run "npm run build" first\n');
  });
});

describe('bin/portico.cjs', () => {
  beforeAll(() => {
    // The launcher runs the compiled program: build it when a source is newer.
    const build = spawnSync(process.execPath, ['scripts/build-if-stale.cjs'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(build.status, build.stderr).toBe(0);
  }, 120_000);

  it('runs the program with its arguments', () => {
    const result = spawnSync(process.execPath, ['bin/portico.cjs', '--help'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: cleanEnv(),
    });
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('Usage: portico <command> [options]');
  });
});
