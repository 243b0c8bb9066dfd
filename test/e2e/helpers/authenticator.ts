/**
 * Clients nobody here wrote, for the two-factor browser suites: `zbarimg` (Debian zbar-tools)
 * reads the QR code off a screenshot of the page, `oathtool` (Debian oathtool) computes the
 * codes an authenticator app would show.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Locator } from 'playwright-core';
import { CHROMIUM_PATH } from '../../helpers/global-setup.js';

const run = promisify(execFile);

function onPath(binary: string): boolean {
  return (process.env.PATH ?? '')
    .split(path.delimiter)
    .filter(Boolean)
    .some((dir) => {
      try {
        fs.accessSync(path.join(dir, binary), fs.constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

/**
 * Why the two-factor browser suites cannot run here, or null when they can: they need
 * Debian's Chromium, `oathtool` and `zbarimg`.
 */
export function missingTwoFactorTools(): string | null {
  const missing = [
    fs.existsSync(CHROMIUM_PATH) ? null : `${CHROMIUM_PATH} (apt-get install chromium)`,
    onPath('oathtool') ? null : 'oathtool (apt-get install oathtool)',
    onPath('zbarimg') ? null : 'zbarimg (apt-get install zbar-tools)',
  ].filter((entry): entry is string => entry !== null);
  return missing.length ? `not installed: ${missing.join(', ')}` : null;
}

/**
 * The code `oathtool --totp` computes for a base32 secret at a moment. The moment is the app's
 * clock (a test clock the suite moves step by step), as a phone's clock agrees with the
 * server's in real life.
 */
export async function oathtoolCode(secret: string, atMs: number): Promise<string> {
  const { stdout } = await run('oathtool', [
    '--totp',
    '-b',
    `--now=@${Math.floor(atMs / 1000)}`,
    secret,
  ]);
  const code = stdout.trim();
  if (!/^\d{6}$/.test(code)) throw new Error(`oathtool printed ${JSON.stringify(stdout)}`);
  return code;
}

/** Screenshots the element (at the context's device scale) and decodes it with zbarimg. */
export async function readQrCode(image: Locator): Promise<string> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-qr-'));
  const file = path.join(dir, 'qr.png');
  try {
    await image.screenshot({ path: file });
    const { stdout } = await run('zbarimg', ['-q', '--raw', '--nodbus', file]);
    return stdout.trim();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

export interface OtpauthUri {
  type: string;
  /** The label as written: "Issuer:account". */
  label: string;
  labelIssuer: string;
  account: string;
  params: Record<string, string>;
}

/** Splits an otpauth:// URI (Key Uri Format) into its parts. */
export function parseOtpauth(uri: string): OtpauthUri {
  const url = new URL(uri);
  if (url.protocol !== 'otpauth:') throw new Error(`Not an otpauth URI: ${uri}`);
  const label = decodeURIComponent(url.pathname.replace(/^\//, ''));
  const colon = label.indexOf(':');
  return {
    type: url.host,
    label,
    labelIssuer: colon >= 0 ? label.slice(0, colon) : '',
    account: colon >= 0 ? label.slice(colon + 1) : label,
    params: Object.fromEntries(url.searchParams),
  };
}
