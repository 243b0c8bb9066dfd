/**
 * Each answered request is one log line with an id. Processes behind one load balancer write to
 * one log store, so an id must name one request of one process: Fastify's default ids
 * (`req-1`, `req-2`, …) started over in every process.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';

function answeredIds(app: TestApp): string[] {
  return app.logLines
    .map((line) => JSON.parse(line) as { msg?: string; reqId?: string })
    .filter((entry) => entry.msg === 'request completed')
    .map((entry) => String(entry.reqId));
}

describe('request log', () => {
  const apps: TestApp[] = [];
  afterEach(async () => {
    await Promise.all(apps.splice(0).map((app) => app.close()));
  });

  it('gives every request an id no other process gives', async () => {
    apps.push(await createTestApp(), await createTestApp());
    for (const app of apps) {
      for (let i = 0; i < 3; i++) {
        expect((await app.app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
      }
    }
    const [first, second] = apps.map(answeredIds);
    expect(first).toHaveLength(3);
    expect(second).toHaveLength(3);
    const all = [...(first ?? []), ...(second ?? [])];
    expect(new Set(all).size).toBe(6);
    for (const id of all) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-z]+$/);
  });
});
