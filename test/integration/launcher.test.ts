/**
 * bin/portico.cjs, the `portico` command and what `npm start` runs: it sizes libuv's thread pool
 * to the cores before the program loads (src/accounts/passwords.ts, hashesInFlight), and keeps
 * a size the operator chose or one an ES-module preload has already fixed.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const require = createRequire(import.meta.url);
const { threadPoolSetting } = require('../../bin/portico.cjs') as {
  threadPoolSetting: (
    env: NodeJS.ProcessEnv,
    execArgv: string[],
    cores: number,
  ) => string | undefined;
};

describe('threadPoolSetting', () => {
  it('gives the pool a thread per core, two at least', () => {
    expect(threadPoolSetting({}, [], 2)).toBe('2');
    expect(threadPoolSetting({}, [], 16)).toBe('16');
    expect(threadPoolSetting({}, [], 1)).toBe('2');
  });

  it('keeps a size the operator set', () => {
    expect(threadPoolSetting({ UV_THREADPOOL_SIZE: '6' }, [], 2)).toBeUndefined();
  });

  it('leaves the pool alone when an ES module was preloaded, which has started it', () => {
    expect(threadPoolSetting({}, ['--import', './agent.js'], 2)).toBeUndefined();
    expect(threadPoolSetting({}, ['--import=./agent.js'], 2)).toBeUndefined();
    expect(threadPoolSetting({}, ['--experimental-loader', 'x.mjs'], 2)).toBeUndefined();
    expect(threadPoolSetting({ NODE_OPTIONS: '--loader=x.mjs' }, [], 2)).toBeUndefined();
    expect(threadPoolSetting({ NODE_OPTIONS: ' --import ./agent.js' }, [], 2)).toBeUndefined();
  });

  it('does not count CommonJS preloads, which load before the pool has work', () => {
    expect(threadPoolSetting({}, ['--require', './scripts/build-if-stale.cjs'], 4)).toBe('4');
    expect(threadPoolSetting({ NODE_OPTIONS: '--max-old-space-size=512' }, [], 2)).toBe('2');
  });
});

describe('bin/portico.cjs', () => {
  let reporter: string;

  beforeAll(() => {
    // The launcher runs the compiled program: build it when a source is newer.
    const build = spawnSync(process.execPath, ['scripts/build-if-stale.cjs'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(build.status, build.stderr).toBe(0);
    // A CommonJS preload that says, at exit, which pool size the program ran with.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-launcher-'));
    reporter = path.join(dir, 'report-pool.cjs');
    fs.writeFileSync(
      reporter,
      "process.on('exit', () => process.stderr.write(`pool: ${process.env.UV_THREADPOOL_SIZE ?? 'unset'}\\n`));\n",
    );
  }, 120_000);

  function run(args: string[], env: NodeJS.ProcessEnv = {}) {
    const clean = { ...process.env, ...env };
    if (!('UV_THREADPOOL_SIZE' in env)) delete clean.UV_THREADPOOL_SIZE;
    if (!('NODE_OPTIONS' in env)) delete clean.NODE_OPTIONS;
    return spawnSync(process.execPath, [...args, 'bin/portico.cjs', '--help'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: clean,
    });
  }

  it('runs the program with its arguments', () => {
    const result = run([]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stdout).toContain('Usage: portico <command> [options]');
  });

  it('starts the program with the pool sized to the cores', () => {
    const result = run(['--require', reporter]);
    expect(result.status, result.stderr).toBe(0);
    expect(result.stderr).toContain(`pool: ${Math.max(2, os.availableParallelism())}\n`);
  });

  it("keeps the operator's size, and libuv's default after an ES-module preload", () => {
    expect(run(['--require', reporter], { UV_THREADPOOL_SIZE: '7' }).stderr).toContain('pool: 7\n');
    const preloaded = run(['--require', reporter, '--import', 'data:text/javascript,']);
    expect(preloaded.status, preloaded.stderr).toBe(0);
    expect(preloaded.stderr).toContain('pool: unset\n');
  });
});
