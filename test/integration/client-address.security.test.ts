/**
 * The client's address goes into the audit log and keys the per-address login limit. If the
 * app believed any X-Forwarded-For header, an attacker could write whatever address they like
 * into the audit trail and get a fresh login allowance with every request. Only proxies named
 * by PORTICO_TRUST_PROXY are believed (SPEC §5); by default, none.
 */
import { describe, expect, it } from 'vitest';
import { Client } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { registerAndVerify } from '../helpers/flows.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';

async function loginFailureIps(app: TestApp, userId: string): Promise<Array<string | null>> {
  // A wrong password is recorded after the answer (so it takes no longer than for an unknown
  // address): wait for that.
  await app.services.postman.drain();
  const rows = await app.db
    .selectFrom('audit_events')
    .select('ip')
    .where('event', '=', 'sign_in.password_failed')
    .where('target_user_id', '=', userId)
    .execute();
  return rows.map((r) => r.ip);
}

describe.each(DIALECTS)('client address (%s)', (dialect) => {
  it('ignores X-Forwarded-For unless a proxy is trusted', async () => {
    const app = await createTestApp({ dialect });
    try {
      const { email, userId } = await registerAndVerify(app, new Client(app.app));
      const client = new Client(app.app);
      client.ip = '198.51.100.7';
      await client.get('/login');
      const page = await client.post(
        '/login',
        { email, password: 'wrong password entirely' },
        { 'x-forwarded-for': '203.0.113.66' },
      );
      expect(page.status).toBe(401);
      expect(await loginFailureIps(app, userId)).toEqual(['198.51.100.7']);
    } finally {
      await app.close();
    }
  });

  it('believes the address a trusted proxy reports', async () => {
    const app = await createTestApp({ dialect, env: { PORTICO_TRUST_PROXY: '1' } });
    try {
      const { email, userId } = await registerAndVerify(app, new Client(app.app));
      const client = new Client(app.app);
      client.ip = '10.0.0.2';
      await client.get('/login');
      await client.post(
        '/login',
        { email, password: 'wrong password entirely' },
        { 'x-forwarded-for': '203.0.113.66' },
      );
      expect(await loginFailureIps(app, userId)).toEqual(['203.0.113.66']);
    } finally {
      await app.close();
    }
  });
});
