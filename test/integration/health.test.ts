/**
 * Two health checks for whatever runs Portico: `GET /health` says the process answers
 * (liveness: restart it when this fails), `GET /health/ready` that it can also reach its
 * database (readiness: send no one to it while this fails). Neither needs a session or sets a
 * cookie.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { DIALECTS } from '../helpers/databases.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';

describe.each(DIALECTS)('health checks (%s)', (dialect) => {
  let app: TestApp | undefined;
  afterEach(async () => {
    await app?.close().catch(() => undefined);
    app = undefined;
  });

  it('is ready while the database answers, and says so when it stops answering', async () => {
    app = await createTestApp({ dialect });
    const ready = await app.app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ status: 'ok' });
    expect(ready.headers['set-cookie']).toBeUndefined();

    // The database goes away under the running process.
    await app.db.destroy();
    const gone = await app.app.inject({ method: 'GET', url: '/health/ready' });
    expect(gone.statusCode).toBe(503);
    expect(gone.json()).toEqual({ status: 'unavailable', database: 'unreachable' });
    // The process itself still answers: liveness is not readiness.
    const alive = await app.app.inject({ method: 'GET', url: '/health' });
    expect(alive.statusCode).toBe(200);
    expect(alive.json()).toEqual({ status: 'ok' });
  });
});
