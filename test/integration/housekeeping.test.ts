/**
 * Expired rows are removed a day after they run out (src/db/housekeeping.ts): a form anyone
 * can send must not grow the database for good, and a row still in use, or only just run out,
 * must stay.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY_MS, HOUR_MS, MINUTE_MS } from '../../src/clock.js';
import { sweepExpired } from '../../src/db/housekeeping.js';
import { hashToken } from '../../src/security/tokens.js';
import { Client } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, registerAndVerify } from '../helpers/flows.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import { newClient } from '../helpers/two-factor.js';

const IDLE_MS = 30 * MINUTE_MS;

describe.each(DIALECTS)('housekeeping (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterAll(async () => {
    await app?.close();
  });

  const keysOf = async (table: 'rate_limits') =>
    (await app.db.selectFrom(table).select('key').execute()).map((row) => row.key).sort();
  const sessionsOf = async (userId: string) =>
    (await app.db.selectFrom('sessions').select('id_hash').where('user_id', '=', userId).execute())
      .length;

  it('removes what ran out more than a day ago, and keeps the rest', async () => {
    const old = await registerAndVerify(app, new Client(app.app));
    const oldBrowser = newClient(app);
    expect((await logIn(oldBrowser, old.email)).status).toBe(303);
    await new Client(app.app).submit('/password/forgot', { email: 'nobody@example.com' });
    const now = () => app.clock.now();
    await app.db
      .insertInto('rate_limits')
      .values([
        { key: 'test:old', window_start: now(), count: 3, in_a_row: 0 },
        { key: 'test:run', window_start: now(), count: 3, in_a_row: 7 },
      ])
      .execute();
    const oldTokens = await app.db
      .selectFrom('tokens')
      .select('token_hash')
      .where('user_id', '=', old.userId)
      .execute();
    expect(oldTokens.length).toBeGreaterThan(0);

    // Two days on: all of that has run out, more than a day ago.
    app.clock.advance(2 * DAY_MS + 2 * HOUR_MS);
    // A session that went idle an hour ago is still there, for its "session ended" answer.
    const recent = await registerAndVerify(app, new Client(app.app));
    expect((await logIn(newClient(app), recent.email)).status).toBe(303);
    app.clock.advance(IDLE_MS + HOUR_MS);
    const fresh = await registerAndVerify(app, new Client(app.app));
    const freshBrowser = newClient(app);
    expect((await logIn(freshBrowser, fresh.email)).status).toBe(303);
    await app.db
      .insertInto('rate_limits')
      .values({ key: 'test:new', window_start: now(), count: 1, in_a_row: 0 })
      .execute();
    await new Client(app.app).submit('/password/forgot', { email: 'someone@example.com' });

    const swept = await sweepExpired(app.db, now(), IDLE_MS);
    expect(swept.sessions).toBe(1);
    expect(swept.tokens).toBeGreaterThanOrEqual(oldTokens.length);
    expect(swept.rate_limits).toBeGreaterThanOrEqual(2);
    const keys = await keysOf('rate_limits');
    expect(keys).toContain('test:run');
    expect(keys).toContain('test:new');
    expect(keys).not.toContain('test:old');
    // The reset's address count is one key in rate_limits and its hits: the old request's are
    // gone, the new one's is kept.
    expect(keys.filter((key) => key.startsWith('reset:'))).toEqual([
      `reset:${hashToken('someone@example.com')}`,
      'reset:ip:127.0.0.1',
    ]);
    expect(swept.rate_limit_hits).toBeGreaterThanOrEqual(1);
    expect(
      (await app.db.selectFrom('rate_limit_hits').select('key').execute())
        .map((row) => row.key)
        .filter((key) => key.startsWith('reset:')),
    ).toEqual([`reset:${hashToken('someone@example.com')}`]);
    expect(await sessionsOf(old.userId)).toBe(0);
    expect(await sessionsOf(fresh.userId)).toBe(1);
    expect(await sessionsOf(recent.userId)).toBe(1);
    expect(
      await app.db
        .selectFrom('tokens')
        .select('token_hash')
        .where('user_id', '=', old.userId)
        .execute(),
    ).toEqual([]);
    expect(
      (
        await app.db
          .selectFrom('tokens')
          .select('token_hash')
          .where('user_id', '=', fresh.userId)
          .execute()
      ).length,
    ).toBeGreaterThan(0);
    // What is in use goes on working, and a second sweep finds nothing more.
    expect((await freshBrowser.get('/profile')).status).toBe(200);
    expect(await sweepExpired(app.db, now(), IDLE_MS)).toEqual({});
  });
});
