/*
 * The date on "Set up later". The administrator picks the last day people may postpone set-up
 * ("Users may postpone set-up until" 2099-12-15); the policy stores the first moment after it,
 * and the log-in set-up screen showed that moment ("until 16 December 2099 at 00:00 UTC"), a
 * day the administrator never chose. It shows the picked day.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TwoFactorPolicy } from '../../src/two-factor/policy.js';
import { endOfDate } from '../../src/web/admin/two-factor-settings-routes.js';
import { textOf } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, registerAndVerify } from '../helpers/flows.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import { newClient, savePolicy as savePolicyOf } from '../helpers/two-factor.js';

describe.each(DIALECTS)('the grace date on the set-up screen (%s)', (dialect) => {
  let app: TestApp;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
  });
  afterEach(async () => {
    await savePolicy({});
  });
  afterAll(async () => {
    await app?.close();
  });

  const savePolicy = (change: Partial<TwoFactorPolicy>) => savePolicyOf(app, change);

  it('is the day the administrator picked, in English and Dutch', async () => {
    // What the admin page stores for the date field 2099-12-15.
    await savePolicy({ require: 'all', graceUntil: endOfDate('2099-12-15') ?? null });
    const { email } = await registerAndVerify(app, newClient(app));

    const client = newClient(app);
    expect((await logIn(client, email)).location).toBe('/login/2fa/setup');
    const english = textOf((await client.get('/login/2fa/setup')).body);
    expect(english).toContain(
      'You can postpone this until 15 December 2099 (end of the day, UTC).',
    );
    expect(english).not.toContain('16 December');

    const dutch = newClient(app);
    await dutch.post('/language', { lang: 'nl', return_to: '/login' });
    await logIn(dutch, email);
    const words = textOf((await dutch.get('/login/2fa/setup')).body);
    expect(words).toContain('Je kunt dit uitstellen tot en met 15 december 2099 (UTC).');
  });

  it('is said after "Set up later" in the account’s own language, the date too', async () => {
    await savePolicy({ require: 'all', graceUntil: endOfDate('2099-12-15') ?? null });
    const { email } = await registerAndVerify(app, newClient(app));
    // An English account, logging in from a browser that asks for Dutch: the log-in page is
    // Dutch; from the set-up the password leads to on, everything is the account's English.
    const client = newClient(app);
    const dutch = { 'accept-language': 'nl-NL,nl;q=0.9' };
    expect(textOf((await client.get('/login', dutch)).body)).toContain('Inloggen');
    expect((await logIn(client, email)).location).toBe('/login/2fa/setup');
    const setup = await client.get('/login/2fa/setup', dutch);
    expect(textOf(setup.body)).toContain('Set up later');
    const later = await client.post('/login/2fa/setup/later', {}, dutch);
    expect(later.status).toBe(303);
    const home = textOf((await client.get(later.location ?? '/', dutch)).body);
    expect(home).toContain(
      'Two-factor authentication is postponed until the end of 15 December 2099 (UTC).',
    );
    expect(home).not.toContain('december');
  });

  it('is the moment itself when it is not the end of a day (set through the API)', async () => {
    await savePolicy({ require: 'all', graceUntil: Date.parse('2099-12-15T12:00:00Z') });
    const { email } = await registerAndVerify(app, newClient(app));
    const client = newClient(app);
    await logIn(client, email);
    const english = textOf((await client.get('/login/2fa/setup')).body);
    expect(english).toMatch(/You can postpone this until 15 December 2099 at 12:00 UTC\./);
    expect(english).not.toContain('end of the day');
  });
});
