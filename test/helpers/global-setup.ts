import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import type { TestProject } from 'vitest/node';
import { ROOT } from './command.js';

export const CHROMIUM_PATH = '/usr/bin/chromium';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Why dist/ could not be rebuilt before the run, or '' when it is up to date. */
    distBuildError: string;
  }
}

export default function setup(project: TestProject): void {
  const only = project.config.project;
  const runs = (name: string) => !only?.length || only.includes(name);
  // The command-line and benchmark suites run the compiled program, as operators do: build it
  // first when a source changed since the last build (milliseconds when nothing did).
  if (runs('integration')) {
    const build = spawnSync(process.execPath, ['scripts/build-if-stale.cjs'], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    // A failed build fails only the suites that run it (test/helpers/command.ts), not the rest.
    project.provide(
      'distBuildError',
      build.status === 0 ? '' : `dist/ could not be rebuilt:\n${build.stdout}${build.stderr}`,
    );
  }
  if (runs('integration') && !process.env.TEST_DATABASE_URL) {
    console.log(
      'PostgreSQL suites skipped: TEST_DATABASE_URL is not set (integration tests ran on SQLite only).',
    );
  }
  if (runs('e2e') && !fs.existsSync(CHROMIUM_PATH)) {
    console.log(
      `Browser (e2e) suites skipped: ${CHROMIUM_PATH} not found (apt-get install chromium).`,
    );
  }
}
