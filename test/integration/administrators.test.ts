/**
 * The first administrator. On a database with no users, a start that was given no
 * administrator makes one and prints its generated password once. `serve` listens before it
 * does so (a start that cannot listen must not use the password up), so someone may register
 * in the moment between: whether the database was fresh is read before listening, and such a
 * registration must not leave the installation without an administrator.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAdministrators } from '../../src/accounts/administrators.js';
import { Client } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, registerAndVerify } from '../helpers/flows.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';

const CONFIGURED = { email: null, password: null, fallbackDomain: 'portico.localhost' };

describe.each(DIALECTS)('the first administrator (%s)', (dialect) => {
  let app: TestApp;
  beforeEach(async () => {
    app = await createTestApp({ dialect });
  });
  afterEach(async () => {
    await app?.close();
  });

  const administrators = () => createAdministrators(app.services);

  it('is generated when the database was fresh at start, even if someone registered since', async () => {
    const admins = administrators();
    const freshDatabase = !(await admins.hasAnyUser());
    expect(freshDatabase).toBe(true);
    await registerAndVerify(app, new Client(app.app));
    const printed: string[] = [];
    await admins.ensure(CONFIGURED, (line) => printed.push(line), { freshDatabase });
    expect(await admins.hasAdministrator()).toBe(true);
    expect(printed.join('\n')).toMatch(/email: +admin@portico\.localhost\n +password: +\S{20}/);
  });

  it('is not generated for a database that already had users', async () => {
    await registerAndVerify(app, new Client(app.app));
    const admins = administrators();
    const printed: string[] = [];
    await admins.ensure(CONFIGURED, (line) => printed.push(line), {
      freshDatabase: !(await admins.hasAnyUser()),
    });
    expect(await admins.hasAdministrator()).toBe(false);
    expect(printed).toEqual([]);
  });

  it('is made from an easily guessed PORTICO_ADMIN_PASSWORD, with a warning that says where to change it', async () => {
    const admins = administrators();
    const printed: string[] = [];
    const configured = { ...CONFIGURED, email: 'ops@example.com', password: 'Password123!' };
    await admins.ensure(configured, (line) => printed.push(line));
    expect(await admins.hasAdministrator()).toBe(true);
    expect(printed).toEqual([
      'Created administrator ops@example.com (from PORTICO_ADMIN_EMAIL).',
      'Warning: PORTICO_ADMIN_PASSWORD is easy to guess. This password is too common: many ' +
        'people use it, or one very like it. A few unrelated words make a strong password. ' +
        'Sign in and change it under Your password.',
    ]);
  });

  it('is made from a PORTICO_ADMIN_PASSWORD that is hard to guess without a warning', async () => {
    const admins = administrators();
    const printed: string[] = [];
    const configured = {
      ...CONFIGURED,
      email: 'ops@example.com',
      password: 'velvet harbour quietly ninety',
    };
    await admins.ensure(configured, (line) => printed.push(line));
    expect(printed).toEqual(['Created administrator ops@example.com (from PORTICO_ADMIN_EMAIL).']);
  });

  it('promotes the account that owns PORTICO_ADMIN_EMAIL, whose own password is kept and not judged', async () => {
    const { email, userId } = await registerAndVerify(app, new Client(app.app));
    const admins = administrators();
    const printed: string[] = [];
    await admins.ensure({ ...CONFIGURED, email, password: 'Password123!' }, (line) =>
      printed.push(line),
    );
    expect(printed).toEqual([`Made ${email} an administrator (from PORTICO_ADMIN_EMAIL).`]);
    const user = await app.db
      .selectFrom('users')
      .select('is_admin')
      .where('id', '=', userId)
      .executeTakeFirstOrThrow();
    expect(user.is_admin).toBe(1);
    expect((await logIn(new Client(app.app), email)).status).toBe(303);
  });
});
