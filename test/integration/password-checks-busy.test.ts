/*
 * A flood of log-ins from many addresses, each within its own limits, queued a password check
 * apiece without bound: every answer waited longer, and the server went on hashing for people
 * who had long given up. Past a bound, a check is refused with a page that says the help center
 * is busy (503, Retry-After), before anything is counted or written (not even the attempt
 * against the address's limit); known and unknown addresses are refused alike. Real Argon2id
 * parameters, so the checks take their real time.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ARGON2_PARAMS } from '../../src/accounts/passwords.js';
import { textOf } from '../helpers/client.js';
import { PASSWORD, registerAndVerify, uniqueEmail } from '../helpers/flows.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import { auditCount, newClient } from '../helpers/two-factor.js';

describe('password checks past the bound of the queue', () => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ hashing: { ...ARGON2_PARAMS, concurrency: 1, maxWaiting: 2 } });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('answers busy, with when to try again, and counts nothing for the refused', async () => {
    const { email, userId } = await registerAndVerify(app, newClient(app));
    const failedBefore = await auditCount(app, 'sign_in.password_failed', userId);
    const attempts = Array.from({ length: 24 }, (_, i) => {
      const client = newClient(app);
      const address = i % 2 === 0 ? email : uniqueEmail('nobody');
      return {
        client,
        known: i % 2 === 0,
        answer: client.submit('/login', { email: address, password: 'wrong password here' }),
      };
    });
    const answers = await Promise.all(
      attempts.map(async (a) => ({ ...a, answer: await a.answer })),
    );
    const busy = answers.filter((a) => a.answer.status === 503);
    const checked = answers.filter((a) => a.answer.status !== 503);
    // One check runs and two wait; the others arrive while they do.
    expect(busy.length).toBeGreaterThanOrEqual(12);
    expect(checked.length).toBeGreaterThanOrEqual(3);
    for (const { answer } of checked) expect(answer.status).toBe(401);
    for (const { answer } of busy) {
      expect(answer.headers['retry-after']).toBe('5');
      expect(textOf(answer.body)).toContain('Busy right now');
      expect(textOf(answer.body)).toContain('Nothing was changed');
    }
    // Refused before the check: no failure recorded for them.
    const knownChecked = checked.filter((a) => a.known).length;
    await app.services.postman.drain(); // failures are recorded after the answer
    expect(await auditCount(app, 'sign_in.password_failed', userId)).toBe(
      failedBefore + knownChecked,
    );

    // Once the queue has moved, the same person gets in: the twelve tries at the address were
    // more than its ten per 15 minutes, so those refused as busy were not counted.
    expect(busy.filter((a) => a.known).length).toBeGreaterThan(2);
    const client = newClient(app);
    const login = await client.submit('/login', { email, password: PASSWORD });
    expect(login.status).toBe(303);
  });
});
