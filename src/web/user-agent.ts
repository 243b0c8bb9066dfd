import type { Messages } from '../i18n/index.js';

/**
 * A short name for a browser, from its User-Agent header: "Firefox on Windows". Only for
 * showing people their own devices; nothing is decided on it. The order of the checks matters:
 * Edge and Opera also call themselves Chrome, Chrome also calls itself Safari, and Android
 * also says Linux.
 */
export interface BrowserName {
  browser: string | null;
  system: string | null;
}

const BROWSERS: Array<[RegExp, string]> = [
  [/\bEdg(e|A|iOS)?\//, 'Edge'],
  [/\b(OPR|Opera)\//, 'Opera'],
  [/\bSamsungBrowser\//, 'Samsung Internet'],
  [/\b(Firefox|FxiOS)\//, 'Firefox'],
  [/\b(HeadlessChrome|Chrome|CriOS|Chromium)\//, 'Chrome'],
  [/\bVersion\/[\d.]+.*\bSafari\//, 'Safari'],
];

const SYSTEMS: Array<[RegExp, string]> = [
  [/\biPhone\b/, 'iPhone'],
  [/\biPad\b/, 'iPad'],
  [/\bAndroid\b/, 'Android'],
  [/\bCrOS\b/, 'ChromeOS'],
  [/\bWindows\b/, 'Windows'],
  [/\bMac OS X\b|\bMacintosh\b/, 'macOS'],
  [/\bLinux\b/, 'Linux'],
];

export function browserName(userAgent: string): BrowserName {
  const find = (list: Array<[RegExp, string]>) =>
    list.find(([pattern]) => pattern.test(userAgent))?.[1] ?? null;
  return { browser: find(BROWSERS), system: find(SYSTEMS) };
}

/** The browser of a device in words: "Firefox on Windows", or what is known of it. */
export function deviceLabel(t: Messages, userAgent: string): string {
  const words = t.twoFactor.devices;
  const { browser, system } = browserName(userAgent);
  if (browser && system) return words.on(browser, system);
  return browser ?? system ?? words.unknownBrowser;
}
