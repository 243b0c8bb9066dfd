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

  it('answers a method a page does not take with 405 and the methods it does, an unknown page with 404', async () => {
    app = await createTestApp({ dialect });
    const post = await app.app.inject({ method: 'POST', url: '/health', payload: {} });
    expect(post.statusCode).toBe(405);
    expect(post.headers.allow).toBe('GET, HEAD');
    const login = await app.app.inject({ method: 'DELETE', url: '/login?next=/profile' });
    expect(login.statusCode).toBe(405);
    expect(login.headers.allow).toBe('GET, HEAD, POST');
    expect(login.body).toContain('This address cannot be used this way.');
    // A path with a parameter, and a form post to a page that is not there: no CSRF refusal
    // for a route that does not exist.
    const article = await app.app.inject({ method: 'PUT', url: '/kb/articles/some-article' });
    expect(article.statusCode).toBe(405);
    expect(article.headers.allow).toBe('GET, HEAD');
    const nowhere = await app.app.inject({
      method: 'POST',
      url: '/no-such-page',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      payload: 'a=b',
    });
    expect(nowhere.statusCode).toBe(404);
  });
});
