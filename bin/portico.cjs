#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * The `portico` command (`npm start` runs it too). It sizes libuv's thread pool, then runs
 * dist/main.js.
 *
 * Password hashes are the pool's main work, and they are CPU-bound: a thread per core, each with
 * one hash waiting behind the one it runs (src/accounts/passwords.ts, hashesInFlight), keeps the
 * cores hashing without more hashes in memory at once than there are threads. The pool gets at
 * most libuv's default of four threads, so no machine runs more hashes at once than it did with
 * the default (a container on a large host sees all the host's cores).
 *
 * libuv reads UV_THREADPOOL_SIZE only once, when the pool gets its first work, and loading an ES
 * module already gives it work: that is why this file is CommonJS and sets the size before it
 * loads the program. A size the operator set is kept. Anything else preloaded (`--import`,
 * `--require`, a loader) may have started the pool already, at the default size: then the
 * launcher leaves the variable alone, so that the hasher reads the size the pool really has.
 * The one preload it knows is `npm start`'s own staleness check, which uses no pool.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const process = require('node:process');
const { pathToFileURL } = require('node:url');

/** Options that load code before this file runs. */
const PRELOADS = new Set([
  '--import',
  '--require',
  '-r',
  '--loader',
  '--experimental-loader',
  '--experimental-default-type',
]);
/** libuv's default pool, and the most threads the launcher gives it. */
const MAX_THREADS = 4;
/** The checkout this file belongs to (through any symlink to it, as in node_modules/.bin). */
const ROOT = path.join(path.dirname(fs.realpathSync(__filename)), '..');
/** `npm start`'s staleness check: preloaded, and it uses no pool. */
const STALENESS_CHECK = path.join(ROOT, 'scripts', 'build-if-stale.cjs');

/**
 * Whether these Node options (`execArgv` and NODE_OPTIONS) preload anything but `ownPreload`.
 * @param {string[]} options
 * @param {string} ownPreload absolute path of the one preload that is known to use no pool
 */
function preloadsOtherThan(options, ownPreload) {
  for (let i = 0; i < options.length; i++) {
    const option = options[i] ?? '';
    const equals = option.indexOf('=');
    const name = equals > 0 ? option.slice(0, equals) : option;
    if (!PRELOADS.has(name)) continue;
    const value = equals > 0 ? option.slice(equals + 1) : (options[++i] ?? '');
    const own = (name === '--require' || name === '-r') && path.resolve(value) === ownPreload;
    if (!own) return true;
  }
  return false;
}

/**
 * The thread-pool size to set, or undefined to leave libuv's choice alone.
 * @param {NodeJS.ProcessEnv} env
 * @param {string[]} execArgv
 * @param {number} cores
 * @returns {string | undefined}
 */
function threadPoolSetting(env, execArgv, cores) {
  if (env.UV_THREADPOOL_SIZE !== undefined) return undefined;
  // NODE_OPTIONS may quote its values; a quoted path with spaces splits into parts that are not
  // the known preload, which leaves the pool alone: the safe side.
  const fromEnv = (env.NODE_OPTIONS ?? '')
    .split(/\s+/)
    .filter(Boolean)
    .map((word) => word.replace(/["']/g, ''));
  if (preloadsOtherThan([...execArgv, ...fromEnv], STALENESS_CHECK)) return undefined;
  // Two at least: a slow DNS lookup or file read must not stop all other pool work.
  return String(Math.min(MAX_THREADS, Math.max(2, cores)));
}

module.exports = { threadPoolSetting };

if (require.main === module) {
  const size = threadPoolSetting(process.env, process.execArgv, os.availableParallelism());
  if (size !== undefined) process.env.UV_THREADPOOL_SIZE = size;
  const main = path.join(ROOT, 'dist', 'main.js');
  import(pathToFileURL(main).href).catch((/** @type {unknown} */ error) => {
    process.stderr.write(
      fs.existsSync(main)
        ? `${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`
        : 'portico: dist/main.js is missing; run "npm run build" first\n',
    );
    process.exit(1);
  });
}
