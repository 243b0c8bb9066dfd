/**
 * Response headers are the browser's half of the defence. Without a strict Content Security
 * Policy an injected script runs; without frame-ancestors 'none' the login or 2FA pages can
 * be framed for clickjacking; without nosniff a crafted upload can be run as script; a loose
 * Referrer-Policy leaks reset and verification tokens in URLs to other sites; and without
 * HSTS a first visit over plain HTTP can be intercepted. SPEC §4 "headers": every page, error
 * pages included; HSTS only when the public URL is https (it would break plain-http setups).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from '../helpers/client.js';
import { Client } from '../helpers/client.js';
import { DIALECTS } from '../helpers/databases.js';
import { logIn, registerAndVerify } from '../helpers/flows.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';

function directives(page: Page): Map<string, string[]> {
  const header = String(page.headers['content-security-policy'] ?? '');
  const map = new Map<string, string[]>();
  for (const part of header.split(';')) {
    const [name, ...values] = part.trim().split(/\s+/);
    if (name) map.set(name.toLowerCase(), values);
  }
  return map;
}

function expectProtective(page: Page, label: string) {
  const csp = directives(page);
  const scripts = csp.get('script-src') ?? csp.get('default-src');
  expect(scripts, `${label}: script-src`).toBeDefined();
  expect(scripts, label).not.toContain("'unsafe-inline'");
  expect(scripts, label).not.toContain("'unsafe-eval'");
  expect(scripts, label).not.toContain('*');
  expect(csp.get('default-src'), label).toBeDefined();
  expect(csp.get('frame-ancestors'), label).toEqual(["'none'"]);
  expect(csp.get('object-src'), label).toEqual(["'none'"]);
  expect(csp.get('base-uri'), label).toEqual(["'none'"]);
  expect(page.headers['x-content-type-options'], label).toBe('nosniff');
  expect(page.headers['referrer-policy'], label).toMatch(
    /^(same-origin|no-referrer|strict-origin)/,
  );
  // DENY, as frame-ancestors 'none' says: SAMEORIGIN would let the site frame itself.
  expect(page.headers['x-frame-options'], label).toBe('DENY');
}

describe.each(DIALECTS)('security headers (%s)', (dialect) => {
  let app: TestApp;
  let client: Client;
  beforeAll(async () => {
    app = await createTestApp({ dialect });
    client = new Client(app.app);
    const { email } = await registerAndVerify(app, client);
    await logIn(client, email);
  });
  afterAll(async () => {
    await app?.close();
  });

  it('sends them on pages, signed-in pages, error pages and refused posts', async () => {
    const pages: Array<[string, Page]> = [
      ['home', await new Client(app.app).get('/')],
      ['login', await new Client(app.app).get('/login')],
      ['reset link', await new Client(app.app).get('/password/reset?token=abc')],
      ['profile', await client.get('/profile')],
      ['404', await client.get('/no-such-page')],
      ['csrf 403', await client.request('POST', '/profile', { form: { name: 'x' } })],
    ];
    for (const [label, page] of pages) expectProtective(page, label);
  });

  it('keeps signed-in pages out of caches', async () => {
    const page = await client.get('/profile');
    expect(page.headers['cache-control']).toMatch(/no-store/);
  });

  it('has no inline script on any page (the policy would block it anyway)', async () => {
    for (const path of [
      '/',
      '/login',
      '/register',
      '/password/forgot',
      '/profile',
      '/profile/emails',
    ]) {
      const page = await client.get(path);
      for (const tag of page.body.match(/<script\b[^>]*>/g) ?? []) {
        expect(tag, path).toMatch(/\bsrc="/);
      }
      expect(page.body, path).not.toMatch(/\son[a-z]+="/i);
    }
  });

  it('sends no HSTS over plain http', async () => {
    const page = await client.get('/');
    expect(page.headers['strict-transport-security']).toBeUndefined();
  });
});

describe.each(DIALECTS)('security headers behind https (%s)', (dialect) => {
  it('sends HSTS when PUBLIC_URL is https', async () => {
    const app = await createTestApp({ dialect, publicUrl: 'https://help.example.com' });
    try {
      const page = await new Client(app.app).get('/');
      const hsts = String(page.headers['strict-transport-security'] ?? '');
      expect(Number(/max-age=(\d+)/.exec(hsts)?.[1] ?? 0)).toBeGreaterThanOrEqual(15_552_000);
      expectProtective(page, 'https home');
    } finally {
      await app.close();
    }
  });
});
