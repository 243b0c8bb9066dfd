// @ts-check
'use strict';
/**
 * Runs before the server in `npm start` (preloaded with `node --require`, so no second Node
 * process starts; CommonJS, so that it does not start libuv's thread pool before
 * bin/portico.cjs has sized it) and before `npm run bench` (as a script): rebuilds dist/ only
 * when a source changed since the last build. Letting tsc decide takes seconds even when
 * nothing changed (it loads the compiler and the whole program first); comparing modification
 * times takes milliseconds, and `npm start` on an up-to-date checkout should answer within a
 * second (docs/performance.md). Node loads the server only after this module has run, so a
 * rebuild here is what starts.
 */
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const process = require('node:process');

const root = path.resolve(__dirname, '..');
const dist = path.join(root, 'dist');
const stamp = path.join(dist, '.build-stamp');

/** @param {string} file */
function modified(file) {
  return fs.statSync(file, { throwIfNoEntry: false })?.mtimeMs ?? 0;
}

/**
 * A source is stale when its compiled file is missing, or when it is newer than its compiled
 * file and than this script's last build (tsc leaves the output of a file that was saved
 * without a change as it was).
 */
function staleSource(/** @type {string} */ dir) {
  for (const entry of fs.readdirSync(path.join(root, 'src', dir), { withFileTypes: true })) {
    const name = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (staleSource(name)) return true;
    } else if (entry.name.endsWith('.ts') && !/\.(test|d)\.ts$/.test(entry.name)) {
      const source = modified(path.join(root, 'src', name));
      const output = modified(path.join(dist, name.replace(/\.ts$/, '.js')));
      if (output === 0) missingOutput = true;
      if (output === 0 || (source > output && source > lastBuild)) return true;
    }
  }
  return false;
}

const lastBuild = modified(stamp);
let missingOutput = false;
const configChanged = ['tsconfig.json', 'tsconfig.build.json'].some(
  (file) =>
    modified(path.join(root, file)) > Math.max(lastBuild, modified(path.join(dist, 'main.js'))),
);
// Up to date: nothing more to do (and, preloaded into the server, nothing may end the process).
if (configChanged || staleSource('')) build();

function build() {
  // tsc's incremental state does not notice a deleted output: start it afresh then.
  if (missingOutput) fs.rmSync(path.join(dist, '.tsbuildinfo'), { force: true });
  const started = Date.now();
  const tsc = path.join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  if (result.status !== 0) process.exit(result.status ?? 1);
  // Stamped with the time the build started: a file saved during the build is newer.
  fs.mkdirSync(dist, { recursive: true });
  fs.writeFileSync(stamp, '');
  fs.utimesSync(stamp, new Date(started), new Date(started));
}
