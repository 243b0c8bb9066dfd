/**
 * Without SMTP_URL every mail goes to the dev outbox (SPEC §5): a file under the data
 * directory, and its subject, links and codes printed where a person trying Portico reads the
 * start's own lines: plain lines on standard output, not inside a JSON log line.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Client } from '../helpers/client.js';
import { PASSWORD, uniqueEmail } from '../helpers/flows.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';

describe('the dev outbox', () => {
  let app: TestApp | undefined;
  afterEach(async () => {
    vi.restoreAllMocks();
    await app?.close();
    app = undefined;
  });

  it('writes the mail to a file and prints its subject and link as plain lines on standard output', async () => {
    app = await createTestApp({ devOutbox: true });
    const printed: string[] = [];
    vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    const email = uniqueEmail('outbox');
    const page = await new Client(app.app).submit('/register', {
      name: 'Olga Outbox',
      email,
      password: PASSWORD,
    });
    expect(page.status).toBe(200);
    await vi.waitFor(() => expect(printed.join('')).toContain('[outbox]'), { timeout: 5000 });
    vi.restoreAllMocks();

    expect(printed.join('')).toMatch(
      new RegExp(
        `^\\[outbox\\] To ${email.replace(/[.]/g, '\\.')}: Verify your email address for Portico Help Center\\n {2}http://localhost:3000/verify-email\\?token=[\\w-]+\\n`,
        'm',
      ),
    );
    // Not a log line: neither the notice nor its link is in the log.
    expect(app.logLines.join('')).not.toContain('[outbox]');
    expect(app.logLines.join('')).not.toContain('verify-email?token=');
    const files = fs.readdirSync(path.join(app.dataDir, 'outbox'));
    expect(files).toHaveLength(1);
    expect(files[0]).toMatch(/\.eml$/);
  });
});
