/**
 * Screenshots for the shipped knowledge-base articles, taken from the running app so they
 * always show Portico's real screens: `npx tsx scripts/kb-screenshots.ts`.
 *
 * Starts Portico on a throw-away SQLite database, creates one throw-away account per
 * language, drives Debian's Chromium through the screens listed in SCREENS and writes
 * public/kb/<language>/<name>.png, which the articles in content/kb/ embed. A screen that is
 * not there (yet) is reported and skipped; to add one, add an entry to SCREENS and embed
 * /assets/kb/<language>/<name>.png in the article.
 *
 * Options (environment): CHROMIUM_PATH (default /usr/bin/chromium), KB_SCREENSHOTS_OUT
 * (default public/kb), KB_SCREENSHOTS_ONLY (comma-separated screen names).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { createAdministrators } from '../src/accounts/administrators.js';
import { buildApp } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { openDatabase } from '../src/db/database.js';
import { migrateToLatest } from '../src/db/migrate.js';
import type { Locale, Messages } from '../src/i18n/index.js';
import { LOCALES, messagesFor } from '../src/i18n/index.js';
import { totpCodeAt } from '../src/two-factor/totp/totp.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const OUT = path.resolve(ROOT, process.env.KB_SCREENSHOTS_OUT ?? 'public/kb');
const PASSWORD = 'a long screenshot password 7';
const VIEWPORT = { width: 1100, height: 800 };

interface Session {
  page: Page;
  t: Messages;
  locale: Locale;
  email: string;
  /** Set once an authenticator app has been set up (for the log-in screens). */
  secret: string | null;
  now(): number;
}

interface Screen {
  /** File name without extension. */
  name: string;
  /** Brings the browser to the screen; throws or returns false when the screen is not there. */
  open(session: Session): Promise<boolean>;
  /** What to photograph: the page's main region by default. */
  target?: string;
}

async function visit(session: Session, url: string): Promise<boolean> {
  const response = await session.page.goto(url);
  return response !== null && response.ok();
}

async function logIn(session: Session): Promise<void> {
  const { page, t } = session;
  await page.goto('/login');
  await page.getByLabel(t.login.email).fill(session.email);
  await page.getByLabel(t.login.password, { exact: true }).fill(PASSWORD);
  await page.getByRole('button', { name: t.login.submit }).click();
  await page.waitForLoadState('domcontentloaded');
}

async function setUpApp(session: Session): Promise<boolean> {
  const { page, t } = session;
  if (!(await visit(session, '/profile/2fa/app/new'))) return false;
  const key = await page.locator('.setup-key').innerText();
  const secret = key.replace(/\s+/g, '');
  await page.getByLabel(t.twoFactor.authenticatorName).fill(t.twoFactor.defaultAppName);
  await page.getByLabel(t.twoFactor.verificationCode).fill(totpCodeAt(secret, session.now()));
  await page.getByRole('button', { name: t.twoFactor.submitCreate }).click();
  await page.waitForLoadState('domcontentloaded');
  session.secret = secret;
  return true;
}

/** The screens the articles show, in the order they are taken (later ones build on earlier). */
const SCREENS: Screen[] = [
  {
    name: 'profile-2fa',
    open: (s) => visit(s, '/profile/2fa'),
  },
  {
    name: 'email-setup',
    async open(s) {
      if (!(await visit(s, '/profile/2fa/email/new'))) return false;
      await s.page.getByLabel(s.t.twoFactor.authenticatorName).fill(s.t.twoFactor.defaultEmailName);
      return true;
    },
  },
  {
    name: 'app-setup',
    async open(s) {
      if (!(await visit(s, '/profile/2fa/app/new'))) return false;
      await s.page.getByLabel(s.t.twoFactor.authenticatorName).fill(s.t.twoFactor.defaultAppName);
      return true;
    },
  },
  {
    name: 'recovery-codes',
    async open(s) {
      if (!(await setUpApp(s))) return false;
      return (
        (await s.page.getByRole('heading', { name: s.t.twoFactor.recoveryHeading }).count()) > 0
      );
    },
  },
  {
    name: 'login-2fa',
    async open(s) {
      if (!s.secret) return false;
      await s.page.context().clearCookies();
      await logIn(s);
      return new URL(s.page.url()).pathname === '/login/2fa';
    },
  },
];

async function main(): Promise<void> {
  if (!fs.existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} not found (apt-get install chromium)`);
  const only = process.env.KB_SCREENSHOTS_ONLY?.split(',').map((s) => s.trim());
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-kb-shots-'));
  const databaseUrl = `sqlite:${path.join(dataDir, 'portico.db')}`;
  const config = loadConfig({
    PORTICO_DATA_DIR: dataDir,
    DATABASE_URL: databaseUrl,
    PUBLIC_URL: 'http://127.0.0.1',
    LOG_LEVEL: 'warn',
  });
  const database = openDatabase(databaseUrl);
  await migrateToLatest(database.db);
  const portico = await buildApp({ config, database, logger: false, outboxLog: () => undefined });
  const address = await portico.app.listen({ host: '127.0.0.1', port: 0 });
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const written: string[] = [];
  const skipped: string[] = [];
  try {
    const admins = createAdministrators(portico.services);
    for (const locale of LOCALES) {
      // One plain account per language: set-up screens change once a method exists.
      const email = `screenshots-${locale}@example.com`;
      await admins.create(
        { email, name: locale === 'nl' ? 'Sanne de Vries' : 'Sam Taylor', password: PASSWORD },
        'kb-screenshots',
        { ip: 'local', userAgent: 'kb-screenshots' },
      );
      await database.db
        .updateTable('users')
        .set({ is_admin: 0, locale })
        .where('id', 'in', (eb) =>
          eb.selectFrom('email_addresses').select('user_id').where('email', '=', email),
        )
        .execute();
      const context = await browser.newContext({
        baseURL: address,
        viewport: VIEWPORT,
        locale: locale === 'nl' ? 'nl-NL' : 'en-GB',
      });
      context.setDefaultTimeout(10_000);
      const page = await context.newPage();
      const session: Session = {
        page,
        t: messagesFor(locale),
        locale,
        email,
        secret: null,
        now: () => Date.now(),
      };
      await logIn(session);
      fs.mkdirSync(path.join(OUT, locale), { recursive: true });
      for (const screen of SCREENS) {
        const label = `${locale}/${screen.name}`;
        try {
          const there = await screen.open(session);
          if (!there) throw new Error(`not available (at ${new URL(page.url()).pathname})`);
          if (only && !only.includes(screen.name)) continue;
          // No focus ring from an autofocused field in the picture.
          await page.evaluate('document.activeElement?.blur?.()');
          const file = path.join(OUT, locale, `${screen.name}.png`);
          await page
            .locator(screen.target ?? 'main')
            .screenshot({ path: file, animations: 'disabled' });
          written.push(path.relative(ROOT, file));
        } catch (error) {
          skipped.push(
            `${label}: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`,
          );
        }
      }
      await context.close();
    }
  } finally {
    await browser.close();
    await portico.close();
    await database.close();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
  for (const file of written) process.stdout.write(`wrote ${file}\n`);
  for (const line of skipped) process.stdout.write(`skipped ${line}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`kb-screenshots: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
