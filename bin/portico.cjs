#!/usr/bin/env node
// @ts-check
'use strict';
/**
 * The `portico` command (`npm start` runs it too). It sizes libuv's thread pool to the machine's
 * cores, then runs dist/main.js.
 *
 * Password hashes are the pool's main work, and they are CPU-bound: a thread per core, each with
 * one hash waiting behind the one it runs (src/accounts/passwords.ts, hashesInFlight), keeps the
 * cores hashing without more hashes in memory at once than there are cores. libuv reads
 * UV_THREADPOOL_SIZE only once, when the pool gets its first work, and loading an ES module
 * already gives it work: that is why this file is CommonJS and sets the size before it loads
 * the program. A size the operator set is kept. So is libuv's default when an ES module was
 * preloaded (`--import`, a loader), since that has started the pool already; the hasher then
 * reads the default, as libuv did.
 */
const os = require('node:os');
const path = require('node:path');
const process = require('node:process');
const { pathToFileURL } = require('node:url');

/** Options that load ES modules before this file runs. */
const ESM_PRELOADS = ['--import', '--loader', '--experimental-loader'];

/**
 * The thread-pool size to set, or undefined to leave libuv's choice alone.
 * @param {NodeJS.ProcessEnv} env
 * @param {string[]} execArgv
 * @param {number} cores
 * @returns {string | undefined}
 */
function threadPoolSetting(env, execArgv, cores) {
  if (env.UV_THREADPOOL_SIZE !== undefined) return undefined;
  const options = [...execArgv, ...(env.NODE_OPTIONS ?? '').split(/\s+/)];
  if (options.some((option) => ESM_PRELOADS.includes(option.split('=')[0] ?? ''))) {
    return undefined;
  }
  // Two at least: a slow DNS lookup or file read must not stop all other pool work.
  return String(Math.max(2, cores));
}

module.exports = { threadPoolSetting };

if (require.main === module) {
  const size = threadPoolSetting(process.env, process.execArgv, os.availableParallelism());
  if (size !== undefined) process.env.UV_THREADPOOL_SIZE = size;
  const main = path.join(__dirname, '..', 'dist', 'main.js');
  import(pathToFileURL(main).href).catch((/** @type {unknown} */ error) => {
    const missing = /** @type {{ code?: string }} */ (error).code === 'ERR_MODULE_NOT_FOUND';
    process.stderr.write(
      missing && !require('node:fs').existsSync(main)
        ? 'portico: dist/main.js is missing; run "npm run build" first\n'
        : `portico: ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exit(1);
  });
}
