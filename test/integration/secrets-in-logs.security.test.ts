/**
 * Logs are read by more people than the database, shipped to other systems and kept for a
 * long time. A verification or reset token, a session id, a CSRF token or a password that
 * reaches a log line is a key left lying around: whoever reads the log can verify an address,
 * reset a password or ride a session. Links in mails carry their tokens in the query string,
 * so request logging must drop it (SPEC §4; STYLE "nothing secret in a log line").
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, registerAndVerify, uniqueEmail } from '../helpers/flows.js';
import { linkIn, pathOf } from '../helpers/mail-capture.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';

const PASSWORD = 'a secret passphrase nobody logs';
const NEW_PASSWORD = 'another secret passphrase here';

describe.each(DIALECTS)('nothing secret in logs (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('logs no token, cookie or password during register, verify, reset and login', async () => {
    const secrets: string[] = [PASSWORD, NEW_PASSWORD];
    const email = uniqueEmail('logs');
    const client = new Client(app.app);
    await registerAndVerify(app, client, { email, password: PASSWORD });
    secrets.push(client.cookies.get('portico_csrf') ?? 'missing csrf cookie');

    const since = app.mail.messages.length;
    await client.submit('/password/forgot', { email });
    const resetMail = await app.mail.waitFor(email, /Reset your password/, { since });
    const resetLink = linkIn(resetMail, '/password/reset');
    await client.get(pathOf(resetLink));
    // A bad attempt too, so the refusal paths are logged as well.
    await client.post('/password/reset', {
      token: new URL(resetLink).searchParams.get('token') ?? '',
      new_password: NEW_PASSWORD,
      confirm_password: 'does not match at all',
    });
    const reset = await client.post('/password/reset', {
      token: new URL(resetLink).searchParams.get('token') ?? '',
      new_password: NEW_PASSWORD,
      confirm_password: NEW_PASSWORD,
    });
    expect(reset.status).toBe(303);
    await client.get(pathOf(resetLink));
    expect((await logIn(client, email, NEW_PASSWORD)).status).toBe(303);
    secrets.push(client.cookies.get('portico_session') ?? 'missing session cookie');
    secrets.push(await client.csrfToken());
    await client.request('POST', '/profile', { form: { _csrf: 'forged-token-value-123' } });

    for (const mail of app.mail.to(email)) {
      for (const link of mail.text.match(/https?:\/\/\S+/g) ?? []) {
        const token = new URL(link).searchParams.get('token');
        if (token) secrets.push(token);
      }
    }
    expect(secrets.length).toBeGreaterThanOrEqual(7);
    await app.services.postman.drain();

    const log = app.logLines.join('\n');
    expect(log).toContain('/password/reset');
    for (const secret of secrets) {
      expect(secret.length).toBeGreaterThan(10);
      expect(log).not.toContain(secret);
      expect(log).not.toContain(encodeURIComponent(secret));
    }
    expect(log).not.toContain('token=');
  });
});
