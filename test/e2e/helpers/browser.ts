import fs from 'node:fs';
import path from 'node:path';
import { AxeBuilder } from '@axe-core/playwright';
import type { Result } from 'axe-core';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { expect } from 'vitest';
import { CHROMIUM_PATH } from '../../helpers/global-setup.js';
import type { TestApp, TestAppOptions } from '../../helpers/test-app.js';
import { createTestApp } from '../../helpers/test-app.js';

/** Browser suites run only where Debian's Chromium is installed (global setup says so once). */
export const hasChromium = fs.existsSync(CHROMIUM_PATH);

/** WCAG 2.0, 2.1 and 2.2, levels A and AA (SPEC §7). */
export const WCAG_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

export const DESKTOP = { width: 1280, height: 800 };
export const PHONE = { width: 390, height: 844 };
/** The width WCAG 1.4.10 (Reflow) asks content to fit without sideways scrolling. */
export const NARROWEST = { width: 320, height: 640 };

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      '--disable-quic',
    ],
  });
}

export interface E2eWorld {
  app: TestApp;
  browser: Browser;
  /** A fresh browser profile (its own cookies) pointed at the app. */
  newContext(options?: {
    locale?: string;
    viewport?: { width: number; height: number };
    /** False for a browser with JavaScript turned off (SPEC §7: every page works without). */
    javaScriptEnabled?: boolean;
  }): Promise<{
    context: BrowserContext;
    page: Page;
  }>;
  close(): Promise<void>;
}

/**
 * One real app on a loopback port and one Chromium per test file; each test opens its own
 * context so cookies never leak between tests.
 */
export async function startE2e(options: Omit<TestAppOptions, 'listen'> = {}): Promise<E2eWorld> {
  const app = await createTestApp({ ...options, listen: true });
  let browser: Browser;
  try {
    browser = await launchBrowser();
  } catch (error) {
    await app.close();
    throw error;
  }
  const contexts: BrowserContext[] = [];
  return {
    app,
    browser,
    async newContext({ locale = 'en-US', viewport = DESKTOP, javaScriptEnabled = true } = {}) {
      const context = await browser.newContext({
        baseURL: app.baseUrl,
        locale,
        viewport,
        javaScriptEnabled,
      });
      context.setDefaultTimeout(10_000);
      contexts.push(context);
      const page = await context.newPage();
      return { context, page };
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => undefined);
      await browser.close();
      await app.close();
    },
  };
}

/** One violation as a few readable lines: rule, impact, what to do, and where. */
export function describeViolation(violation: Result): string {
  const nodes = violation.nodes.map((node) => {
    const summary = (node.failureSummary ?? '').replace(/\s*\n\s*/g, ' ');
    return `    at ${node.target.join(' ')}: ${summary}\n      ${node.html.slice(0, 200)}`;
  });
  return [
    `  ${violation.id} (${violation.impact ?? 'unknown impact'}): ${violation.help}`,
    `    ${violation.helpUrl}`,
    ...nodes,
  ].join('\n');
}

/** Runs axe-core on the page as it is now and fails with every WCAG A/AA violation listed. */
export async function expectNoAxeViolations(page: Page, what = page.url()): Promise<void> {
  // Legacy mode runs axe in the page in one call (about three times faster); it skips only
  // cross-origin frames, and Portico's pages have no frames at all.
  const results = await new AxeBuilder({ page })
    .withTags(WCAG_TAGS)
    .options({ resultTypes: ['violations'] })
    .setLegacyMode()
    .analyze();
  const report = results.violations.map(describeViolation).join('\n');
  expect(
    results.violations.length,
    `axe found ${results.violations.length} violation(s) on ${what}:\n${report}`,
  ).toBe(0);
}

/** Nothing may force sideways scrolling on a phone (WCAG 1.4.10 Reflow). */
export async function expectNoSidewaysScroll(page: Page, what = page.url()): Promise<void> {
  const width = page.viewportSize()?.width ?? 0;
  const scrollWidth = await page.evaluate('document.documentElement.scrollWidth');
  expect(scrollWidth, `${what} scrolls sideways at ${width} px`).toBeLessThanOrEqual(width);
}

/**
 * Saves a full-page screenshot when PORTICO_SCREENSHOTS names a directory (for looking at the
 * pages by eye); a no-op otherwise, so normal runs write nothing.
 */
export async function screenshot(page: Page, name: string): Promise<void> {
  const dir = process.env.PORTICO_SCREENSHOTS;
  if (!dir) return;
  fs.mkdirSync(dir, { recursive: true });
  const width = page.viewportSize()?.width ?? 0;
  await page.screenshot({ path: path.join(dir, `${name}-${width}.png`), fullPage: true });
}
