/**
 * The admin console in a real Chromium (SPEC §2.7): an administrator logs in with a code from
 * their authenticator app, searches a user and resets their 2FA through the confirmation
 * step, filters the audit log, creates an API key (used once from outside) and revokes it.
 * Every admin page is found by its labels and has no WCAG 2.2 A/AA violations (axe-core), in
 * English and in Dutch, on a desktop and on a phone.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { en } from '../../src/i18n/en.js';
import { nl } from '../../src/i18n/nl.js';
import { totpCodeAt } from '../../src/two-factor/totp/totp.js';
import type { SignedInAdmin } from '../helpers/admin.js';
import { adminClient, signedInAdmin } from '../helpers/admin.js';
import { logIn, PASSWORD, registerAndVerify, uniqueEmail } from '../helpers/flows.js';
import { setUpApp } from '../helpers/two-factor.js';
import type { E2eWorld } from './helpers/browser.js';
import { DESKTOP, hasChromium, NARROWEST, startE2e } from './helpers/browser.js';
import {
  check,
  checkOnPhone,
  expectSignedIn,
  logInWithPassword,
  openProfile,
  STEP_MS,
} from './helpers/two-factor-browser.js';

/**
 * How far the page, its table's scrolling box and each column header overflow; with
 * `oneLineLastColumn`, also which cells of the last column break over more than one line.
 */
async function tableOverflow(page: Page, oneLineLastColumn = false) {
  return page.evaluate<{ page: number; table: number; headers: string[]; brokenCells: string[] }>(
    `(() => {
      const box = document.querySelector('.table-scroll');
      const lines = (cell) => {
        const range = document.createRange();
        range.selectNodeContents(cell);
        return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
      };
      return {
        page: document.documentElement.scrollWidth - window.innerWidth,
        table: box.scrollWidth - box.clientWidth,
        headers: [...box.querySelectorAll('th')]
          .filter((th) => th.scrollWidth > th.clientWidth)
          .map((th) => th.textContent.trim()),
        brokenCells: ${oneLineLastColumn}
          ? [...box.querySelectorAll('tbody td:last-child')]
              .filter((cell) => lines(cell) !== 1)
              .map((cell) => cell.textContent.trim())
          : [],
      };
    })()`,
  );
}

describe.skipIf(!hasChromium)('admin console in the browser', () => {
  let world: E2eWorld;
  let admin: SignedInAdmin;
  let page: Page;
  let target: { email: string; userId: string };
  let groupId = '';

  beforeAll(async () => {
    world = await startE2e();
    admin = await signedInAdmin(world.app, { name: 'Ada Admin' });
    // Someone who set up the authenticator app and then lost their phone.
    const client = adminClient(world.app);
    target = await registerAndVerify(world.app, client, {
      name: 'Tess Target',
      email: uniqueEmail('tess'),
    });
    await logIn(client, target.email);
    await setUpApp(world.app, client, '/profile/2fa', 'Old phone');
    const group = await world.app.services.admin.groups.create('Support agents', {
      actorUserId: admin.userId,
    });
    if (!group.ok) throw new Error(`group: ${group.error}`);
    groupId = group.value.id;
    await world.app.services.admin.groups.addMemberByEmail(groupId, target.email, {
      actorUserId: admin.userId,
    });

    page = await openProfile(world);
    await logInWithPassword(page, admin.email);
    await page.waitForURL('**/login/2fa');
    world.app.clock.advance(STEP_MS);
    await page
      .getByLabel('Verification Code', { exact: true })
      .fill(totpCodeAt(admin.secret, world.app.clock.now()));
    await page.getByRole('button', { name: 'Verify' }).click();
    await expectSignedIn(page);
  });
  afterAll(async () => {
    await world?.close();
  });

  const nav = () => page.getByRole('navigation', { name: 'Administration' });

  it('opens the dashboard from the account menu', async () => {
    await page.getByRole('button', { name: 'Account menu', exact: true }).click();
    await page.getByRole('link', { name: 'Administration' }).click();
    await page.getByRole('heading', { name: 'Dashboard', level: 1 }).waitFor();
    expect(await nav().getByRole('link', { name: 'Dashboard' }).getAttribute('aria-current')).toBe(
      'page',
    );
    await check(page, 'admin-dashboard');
    await checkOnPhone(page, 'admin-dashboard');
  });

  it('searches a user and resets their 2FA after the confirmation', async () => {
    await nav().getByRole('link', { name: 'Users', exact: true }).click();
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    await check(page, 'admin-users');
    await page.getByRole('searchbox', { name: 'Search by name or email' }).fill('tess');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '1 user' }).waitFor();
    await check(page, 'admin-users-search');
    await checkOnPhone(page, 'admin-users-search');

    await page.getByRole('link', { name: 'Tess Target' }).click();
    await page.getByRole('heading', { name: 'Tess Target', level: 1 }).waitFor();
    await expect
      .poll(() => page.getByRole('cell', { name: 'Old phone', exact: true }).isVisible())
      .toBe(true);
    await check(page, 'admin-user');
    await checkOnPhone(page, 'admin-user');

    await page.getByRole('link', { name: 'Reset two-factor authentication' }).click();
    await page
      .getByRole('heading', { name: 'Reset two-factor authentication for Tess Target?' })
      .waitFor();
    await check(page, 'admin-user-reset-confirm');
    const since = world.app.mail.messages.length;
    await page.getByRole('button', { name: 'Reset two-factor authentication' }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'Two-factor authentication for Tess Target has been reset.' })
      .waitFor();
    await expect
      .poll(() => page.getByText('No two-factor authentication method is set up.').isVisible())
      .toBe(true);
    await check(page, 'admin-user-after-reset');
    await world.app.mail.waitFor(target.email, /two-factor authentication was reset/, { since });
    expect(await world.app.services.twoFactor.methods.list(target.userId)).toEqual([]);
  });

  it('asks before disabling an account or making someone administrator', async () => {
    await page.goto(`/admin/users/${target.userId}`);
    await page.getByRole('heading', { name: 'Tess Target', level: 1 }).waitFor();
    await page.getByRole('link', { name: 'Disable account' }).click();
    await page
      .getByRole('heading', { name: 'Disable the account of Tess Target?', level: 1 })
      .waitFor();
    await page.getByRole('button', { name: 'Disable account' }).waitFor();
    await check(page, 'admin-user-disable-confirm');
    await checkOnPhone(page, 'admin-user-disable-confirm');
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.getByRole('heading', { name: 'Tess Target', level: 1 }).waitFor();
    expect((await world.app.services.admin.directory.find(target.userId))?.disabled_at).toBeNull();

    await page.getByRole('link', { name: 'Make administrator' }).click();
    await page
      .getByRole('heading', { name: 'Make Tess Target an administrator?', level: 1 })
      .waitFor();
    await page.getByRole('button', { name: 'Make administrator' }).waitFor();
    await check(page, 'admin-user-grant-admin-confirm');
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.getByRole('heading', { name: 'Tess Target', level: 1 }).waitFor();
    expect((await world.app.services.admin.directory.find(target.userId))?.is_admin).toBe(0);
  });

  it('has no reset on the administrator’s own page', async () => {
    await page.goto(`/admin/users/${admin.userId}`);
    await page.getByRole('heading', { name: 'Ada Admin', level: 1 }).waitFor();
    expect(await page.getByRole('link', { name: 'Reset two-factor authentication' }).count()).toBe(
      0,
    );
    await page.getByText('You cannot reset your own two-factor authentication here.').waitFor();
    await check(page, 'admin-user-self');
  });

  it('filters the audit log by user and event type', async () => {
    await nav().getByRole('link', { name: 'Audit log' }).click();
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await check(page, 'admin-audit');
    await page.getByLabel('User', { exact: true }).fill(target.email);
    await page.getByLabel('Event type').selectOption({ label: '2FA reset by an administrator' });
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await page.getByRole('status').filter({ hasText: '1 event' }).waitFor();
    const rows = page.getByRole('table').getByRole('row');
    expect(await rows.count()).toBe(2);
    await expect.poll(() => rows.nth(1).textContent()).toContain('Ada Admin');
    await check(page, 'admin-audit-filtered');
    await checkOnPhone(page, 'admin-audit-filtered');

    // A date the form refuses is explained next to its field.
    await page.getByLabel('From').fill('2026-01-01');
    await page.getByLabel('To', { exact: true }).fill('2025-01-01');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await page.getByRole('alert').waitFor();
    await check(page, 'admin-audit-error');

    // A name where the address goes gets the console's own explanation, not the browser's.
    await page.getByLabel('To', { exact: true }).fill('');
    await page.getByLabel('User', { exact: true }).fill('Tess Target');
    await page.getByRole('button', { name: 'Filter', exact: true }).click();
    await page.getByRole('alert').waitFor();
    expect(await page.locator('#user-error').textContent()).toContain(
      en.admin.auditPage.userNotAnAddress,
    );
  });

  it('fits the audit log beside the menu at 1280 px, long browser strings and all', async () => {
    const chrome =
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.2903.86';
    for (let i = 0; i < 5; i++) {
      await world.app.services.audit.record({
        event: 'two_factor.recovery_codes_regenerated',
        actorUserId: target.userId,
        meta: { ip: '2001:db8:85a3:1234:5678:8a2e:370:7334', userAgent: `${chrome} Run/${i}` },
        details: { method: 'totp', reason: 'CODE_ALREADY_USED', purpose: 'sign_in' },
      });
    }
    await page.setViewportSize(DESKTOP);
    await page.goto('/admin/audit');
    await page.getByRole('heading', { name: 'Audit log', level: 1 }).waitFor();
    await page.getByRole('region', { name: 'Audit log' }).waitFor();
    expect(await tableOverflow(page)).toEqual({ page: 0, table: 0, headers: [], brokenCells: [] });
    for (const column of ['IP address', 'Browser', 'Details']) {
      await expect
        .poll(() => page.getByRole('columnheader', { name: column }).isVisible())
        .toBe(true);
    }
    // The browser in words; the whole string on hover.
    const named = page.getByRole('cell', { name: 'Edge on Windows' }).first();
    expect(await named.locator('span').getAttribute('title')).toMatch(/^Mozilla\/5\.0 .* Run\/\d$/);
    // The date fields show the browser's own date format: no "YYYY-MM-DD" hint beside them.
    expect(await page.getByText('YYYY-MM-DD').count()).toBe(0);
    await check(page, 'admin-audit-wide');
    await checkOnPhone(page, 'admin-audit-wide');
  });

  it('fits the user list beside the menu at 1280 px, each date on one line', async () => {
    // Someone with a long name and address who never verified it: the widest status there is.
    const registered = await adminClient(world.app).submit('/register', {
      name: 'Valentina van der Verylongname',
      email: 'valentina.vandervery.longname@customers.example.com',
      password: PASSWORD,
    });
    expect(registered.status).toBe(200);
    // The account is written just after the answer (registration.ts).
    await world.app.services.postman.drain();
    await page.setViewportSize(DESKTOP);
    await page.goto('/admin/users');
    await page.getByRole('region', { name: 'Users' }).waitFor();
    await page.getByRole('link', { name: 'Valentina van der Verylongname' }).waitFor();
    // Nothing overflows, and no date in the last column breaks over two lines.
    expect(await tableOverflow(page, true)).toEqual({
      page: 0,
      table: 0,
      headers: [],
      brokenCells: [],
    });
    for (const column of ['Status', 'Created']) {
      await expect
        .poll(() => page.getByRole('columnheader', { name: column }).isVisible())
        .toBe(true);
    }
    await check(page, 'admin-users-wide');
    await checkOnPhone(page, 'admin-users-wide');
  });

  it('creates an API key, shown once, that works until it is revoked', async () => {
    await nav().getByRole('link', { name: 'API keys' }).click();
    await page.getByRole('heading', { name: 'API keys', level: 1 }).waitFor();
    await check(page, 'admin-api-keys');
    await page.getByLabel('Name', { exact: true }).fill('E2E ticket sync');
    await page.getByRole('button', { name: 'Create API key' }).click();
    await page.getByRole('heading', { name: 'Your new API key' }).waitFor();
    await check(page, 'admin-api-key-created');
    const key = (await page.locator('code.secret-box').textContent())?.trim() ?? '';
    expect(key).toMatch(/^ptk_[A-Za-z0-9_-]{43}$/);

    const api = (token: string) =>
      fetch(`${world.app.baseUrl}/api/v1/users?q=tess`, {
        headers: { authorization: `Bearer ${token}` },
      });
    const found = await api(key);
    expect(found.status).toBe(200);
    expect(((await found.json()) as { total: number }).total).toBe(1);

    // A reload shows it again; opening another page ends it, as the page says.
    await page.reload();
    expect((await page.locator('code.secret-box').textContent())?.trim()).toBe(key);
    await nav().getByRole('link', { name: 'Dashboard' }).click();
    await page.waitForURL((url) => url.pathname === '/admin');
    await page.goto('/admin/api-keys/created');
    await page.waitForURL((url) => url.pathname === '/admin/api-keys');
    expect(await page.content()).not.toContain(key);
    await page.getByRole('cell', { name: 'E2E ticket sync', exact: true }).waitFor();
    await check(page, 'admin-api-keys-with-key');
    await page.getByRole('link', { name: 'Revoke the API key E2E ticket sync' }).click();
    await page.getByRole('heading', { name: 'Revoke the API key “E2E ticket sync”?' }).waitFor();
    await check(page, 'admin-api-key-revoke');
    await page.getByRole('button', { name: 'Revoke', exact: true }).click();
    await page
      .getByRole('status')
      .filter({ hasText: 'The API key “E2E ticket sync” has been revoked.' })
      .waitFor();
    await check(page, 'admin-api-keys-revoked');
    expect((await api(key)).status).toBe(401);
  });

  it('shows the user groups and two-factor settings pages', async () => {
    await nav().getByRole('link', { name: 'User groups' }).click();
    await page.getByRole('heading', { name: 'User groups', level: 1 }).waitFor();
    await check(page, 'admin-groups');
    await page.getByRole('link', { name: 'Support agents' }).click();
    await page.getByRole('heading', { name: 'Support agents', level: 1 }).waitFor();
    await check(page, 'admin-group');
    await checkOnPhone(page, 'admin-group');
    // Deleting asks first; cancelling comes back to the group, which is still there.
    await page.getByRole('link', { name: 'Delete group' }).click();
    await page
      .getByRole('heading', { name: 'Delete the group “Support agents”?', level: 1 })
      .waitFor();
    await page.getByText('Its member keeps their account').waitFor();
    await check(page, 'admin-group-delete');
    await page.getByRole('link', { name: 'Cancel' }).click();
    await page.getByRole('heading', { name: 'Support agents', level: 1 }).waitFor();

    await nav().getByRole('link', { name: 'Two-factor authentication' }).click();
    await page.getByRole('heading', { name: 'Two-factor authentication', level: 1 }).waitFor();
    await check(page, 'admin-2fa');
    await checkOnPhone(page, 'admin-2fa');
    // Every method off is refused, with the error tied to the methods.
    await page.getByRole('checkbox', { name: 'Email Authentication' }).uncheck();
    await page.getByRole('checkbox', { name: 'Authentication App' }).uncheck();
    await page.getByRole('checkbox', { name: 'Security Keys' }).uncheck();
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('alert').filter({ hasText: 'Leave at least one method on.' }).waitFor();
    await check(page, 'admin-2fa-error');
  });

  it('speaks Dutch on every admin page, and fits it in 320 px', async () => {
    // The reset above left Tess without a method: a new one gives the reset page something to do.
    const tess = adminClient(world.app);
    await logIn(tess, target.email);
    await setUpApp(world.app, tess, '/profile/2fa', 'New phone');
    await page.goto('/admin');
    await page.getByRole('button', { name: 'Nederlands' }).click();
    await page.getByRole('heading', { name: nl.admin.dashboardPage.heading, level: 1 }).waitFor();
    const pages: Array<[string, string]> = [
      ['/admin', nl.admin.dashboardPage.heading],
      ['/admin/users', nl.admin.usersPage.heading],
      [`/admin/users/${target.userId}`, 'Tess Target'],
      [
        `/admin/users/${target.userId}/reset-2fa`,
        nl.admin.userPage.resetConfirmHeading('Tess Target'),
      ],
      [
        `/admin/users/${target.userId}/disable`,
        nl.admin.userPage.disableConfirmHeading('Tess Target'),
      ],
      [
        `/admin/users/${target.userId}/grant-admin`,
        nl.admin.userPage.makeAdminConfirmHeading('Tess Target'),
      ],
      ['/admin/groups', nl.admin.groupsPage.heading],
      [
        `/admin/groups/${groupId}/delete`,
        nl.admin.groupsPage.deleteConfirmHeading('Support agents'),
      ],
      ['/admin/2fa', nl.twoFactor.admin.settingsHeading],
      ['/admin/audit', nl.admin.auditPage.heading],
      ['/admin/api-keys', nl.admin.apiKeysPage.heading],
    ];
    for (const [path, heading] of pages) {
      await page.goto(path);
      await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
      expect(await page.getAttribute('html', 'lang')).toBe('nl');
      await check(page, `admin-nl${path.replace(/\//g, '-')}`);
      // Dutch has the longest words: each page fits the narrowest phone too.
      await page.setViewportSize(NARROWEST);
      try {
        await check(page, `admin-nl${path.replace(/\//g, '-')}-320`);
        // Nor does a legend stick out of its box (the page may fit while it does).
        const sticking = await page.evaluate(`[...document.querySelectorAll('legend')]
          .filter((l) => l.getBoundingClientRect().right > l.parentElement.getBoundingClientRect().right + 0.5)
          .map((l) => l.textContent.trim())`);
        expect(sticking, path).toEqual([]);
      } finally {
        await page.setViewportSize(DESKTOP);
      }
    }
    await checkOnPhone(page, 'admin-nl-api-keys');
  });
});
