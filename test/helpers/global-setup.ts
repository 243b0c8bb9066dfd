import fs from 'node:fs';
import type { TestProject } from 'vitest/node';

export const CHROMIUM_PATH = '/usr/bin/chromium';

export default function setup(project: TestProject): void {
  const only = project.config.project;
  const runs = (name: string) => !only?.length || only.includes(name);
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
