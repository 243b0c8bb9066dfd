import fs from 'node:fs';
import { isIP } from 'node:net';
import path from 'node:path';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from './accounts/passwords.js';
import { isPlainEmail } from './accounts/users.js';
import { hasControlCharacter } from './lib/control-characters.js';

/** Typed, validated configuration (SPEC §5). Every variable is checked at start. */
export interface Config {
  port: number;
  host: string;
  publicUrl: URL;
  /** True when the public URL is https: cookies get Secure and the __Host- prefix, HSTS is sent. */
  secure: boolean;
  databaseUrl: string;
  smtpUrl: string | null;
  mailFrom: string;
  /** The help center's name: page headers, mail subjects, authenticator apps' entries. */
  siteName: string;
  /** Where people reach the helpdesk (PORTICO_SUPPORT_CONTACT), linked wherever they are told to. */
  supportContact: SupportContact | null;
  secretKey: Buffer | null;
  adminEmail: string | null;
  adminPassword: string | null;
  dataDir: string;
  trustProxy: boolean | number | string[];
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  logLevel: string;
}

/** A way to reach the helpdesk: a mail address or a web page. */
export interface SupportContact {
  href: string;
  label: string;
}

/**
 * PORTICO_SUPPORT_CONTACT: an email address (`help@example.com`) or an http(s) page. Pages and
 * mails that say "contact your helpdesk administrator" then say how; without it they cannot.
 */
function readSupportContact(raw: string | undefined): SupportContact | null {
  const value = raw?.trim() ?? '';
  if (value === '') return null;
  const expected = 'an email address (help@example.com) or an http(s) address of a page';
  if (hasControlCharacter(value) || /\s/.test(value) || value.length > 200)
    throw new ConfigError('PORTICO_SUPPORT_CONTACT', expected);
  if (/^https?:\/\//i.test(value)) {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new ConfigError('PORTICO_SUPPORT_CONTACT', expected);
    }
    return { href: url.href, label: `${url.host}${url.pathname === '/' ? '' : url.pathname}` };
  }
  if (/^[^@]+@[^@]+$/.test(value) && isPlainEmail(value))
    return { href: `mailto:${value}`, label: value };
  throw new ConfigError('PORTICO_SUPPORT_CONTACT', expected);
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly expected: string,
  ) {
    super(`${variable}: expected ${expected}`);
    this.name = 'ConfigError';
  }
}

type Env = Record<string, string | undefined>;

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function readInteger(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `a whole number from ${min} to ${max}`);
  const value = Number(raw);
  if (value < min || value > max)
    throw new ConfigError(name, `a whole number from ${min} to ${max}`);
  return value;
}

/**
 * An address or CIDR range as Fastify's proxy-addr takes it: a prefix of 0 (everyone) it
 * refuses, so it is refused here, before anything starts.
 */
function isProxyAddress(entry: string): boolean {
  const slash = entry.lastIndexOf('/');
  const family = isIP(slash === -1 ? entry : entry.slice(0, slash));
  if (family === 0) return false;
  if (slash === -1) return true;
  const prefix = entry.slice(slash + 1);
  return (
    /^\d{1,3}$/.test(prefix) && Number(prefix) >= 1 && Number(prefix) <= (family === 4 ? 32 : 128)
  );
}

const MAX_PROXY_HOPS = 16;
const TRUST_PROXY_EXPECTED = `a hop count from 1 to ${MAX_PROXY_HOPS} (e.g. 1) or a comma-separated list of proxy IP addresses or CIDR ranges (e.g. 10.0.0.1,10.0.1.0/24)`;

function readTrustProxy(raw: string | undefined): Config['trustProxy'] {
  if (raw === undefined || raw === '') return false;
  if (/^\d+$/.test(raw)) {
    // A count of 0 would trust nothing (unset says that), and one above the proxies really in
    // front would believe the addresses a client writes into X-Forwarded-For itself.
    const hops = Number(raw);
    if (hops >= 1 && hops <= MAX_PROXY_HOPS) return hops;
    throw new ConfigError('PORTICO_TRUST_PROXY', TRUST_PROXY_EXPECTED);
  }
  const entries = raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  if (entries.length === 0 || !entries.every(isProxyAddress)) {
    throw new ConfigError('PORTICO_TRUST_PROXY', TRUST_PROXY_EXPECTED);
  }
  return entries;
}

function readSecretKey(given: string | undefined): Buffer | null {
  // A key read from a file (`$(cat key)`, a secrets mount) often ends in a line break: not
  // part of the key, as the key file's own is not.
  const raw = given?.trim();
  if (raw === undefined || raw === '') return null;
  const key = Buffer.from(raw, 'base64');
  if (key.length !== 32 || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(raw)) {
    throw new ConfigError(
      'PORTICO_SECRET_KEY',
      '32 random bytes in base64 (openssl rand -base64 32)',
    );
  }
  return key;
}

function readUrl(name: string, raw: string, protocols: string[]): URL {
  const expected = `a URL starting with ${protocols.map((p) => `${p}//`).join(' or ')} and a host`;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, expected);
  }
  if (!protocols.includes(url.protocol) || url.hostname === '') {
    throw new ConfigError(name, expected);
  }
  return url;
}

/** The options nodemailer reads from an SMTP URL's query, by the kind of value each takes. */
const SMTP_OPTIONS: Record<string, 'yes/no' | 'number' | 'text'> = {
  requireTLS: 'yes/no',
  ignoreTLS: 'yes/no',
  opportunisticTLS: 'yes/no',
  pool: 'yes/no',
  lmtp: 'yes/no',
  connectionTimeout: 'number',
  greetingTimeout: 'number',
  socketTimeout: 'number',
  dnsTimeout: 'number',
  maxConnections: 'number',
  maxMessages: 'number',
  name: 'text',
  localAddress: 'text',
  authMethod: 'text',
  service: 'text',
  proxy: 'text',
};
/** Node's TLS options (`tls.…`) that make sense in a URL, by the kind of value each takes. */
const SMTP_TLS_OPTIONS: Record<string, 'yes/no' | 'text'> = {
  rejectUnauthorized: 'yes/no',
  servername: 'text',
  minVersion: 'text',
  maxVersion: 'text',
  ciphers: 'text',
  ecdhCurve: 'text',
  sigalgs: 'text',
};

/**
 * The mail server's URL. nodemailer silently skips an option of its query it does not know
 * (`ignoreTls`, `tls.rejectunauthorized`) and reads any other word than `false` as yes
 * (`requireTLS=no`): such a URL would start, and mail would fail or go out in another way
 * than written. So the query's options are checked here, by name and kind of value.
 */
function readSmtpUrl(raw: string): string {
  const url = readUrl('SMTP_URL', raw, ['smtp:', 'smtps:']);
  const seen = new Set<string>();
  for (const [name, value] of url.searchParams) {
    // nodemailer reads a repeated option as a list, which counts as yes whatever it says.
    if (seen.has(name))
      throw new ConfigError('SMTP_URL', `each option once, and ${name} is given twice`);
    seen.add(name);
    // smtp:// and smtps:// say it; nodemailer skips a secure= in the query without a word.
    if (name === 'secure')
      throw new ConfigError(
        'SMTP_URL',
        'smtps:// for TLS from the start (port 465) or smtp:// for STARTTLS, instead of ?secure=',
      );
    if (name === 'debug' || name === 'logger')
      throw new ConfigError(
        'SMTP_URL',
        `no ${name} option (nodemailer would write every mail, with its sign-in codes and links, to standard output)`,
      );
    const [options, option] = name.startsWith('tls.')
      ? [SMTP_TLS_OPTIONS, name.slice(4)]
      : [SMTP_OPTIONS, name];
    const kind = Object.hasOwn(options, option) ? options[option] : undefined;
    if (kind === undefined)
      throw new ConfigError(
        'SMTP_URL',
        `only options nodemailer knows after the "?", and "${name}" is not one (they are spelt as requireTLS, ignoreTLS, tls.rejectUnauthorized, name, connectionTimeout)`,
      );
    if (kind === 'yes/no' && value !== 'true' && value !== 'false')
      throw new ConfigError('SMTP_URL', `${name}=true or ${name}=false (got ${name}=${value})`);
    if (kind === 'number' && !/^\d{1,9}$/.test(value))
      throw new ConfigError('SMTP_URL', `a whole number for ${name} (got ${name}=${value})`);
  }
  return url.href;
}

/**
 * Links in mails are made from the public URL's origin and absolute paths, and cookies are
 * set for the whole host: a path, query or fragment would be dropped, so it is refused.
 */
function readPublicUrl(raw: string): URL {
  const url = readUrl('PUBLIC_URL', raw, ['http:', 'https:']);
  if (url.href !== `${url.origin}/`) {
    throw new ConfigError(
      'PUBLIC_URL',
      `the root of a host, such as https://help.example.com, without a path, query or credentials (Portico must be served at the root of its host; got ${urlForDisplay(raw)})`,
    );
  }
  return url;
}

const HOST_NAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

function readHost(raw: string | undefined): string {
  if (raw === undefined || raw === '') return '127.0.0.1';
  if (isIP(raw) === 0 && !HOST_NAME.test(raw)) {
    throw new ConfigError(
      'HOST',
      'an IP address (127.0.0.1, 0.0.0.0, ::) or a host name to listen on',
    );
  }
  return raw;
}

/** `local@domain` or `Name <local@domain>`: the envelope sender and the From header. */
const MAIL_ADDRESS = /^[^\s@<>]+@[^\s@<>.]+(?:\.[^\s@<>.]+)*$/;

/**
 * The sender. Unset, it is `Portico <no-reply@localhost>`, or the help center's own name when
 * PORTICO_SITE_NAME gives one, so its mails do not arrive from "Portico".
 */
function readMailFrom(raw: string | undefined, siteName: string | null): string {
  if (raw === undefined || raw === '')
    return siteName === null
      ? 'Portico <no-reply@localhost>'
      : `"${siteName.replace(/["\\]/g, '\\$&')}" <no-reply@localhost>`;
  const named = /^[^<>\r\n]*<([^<>]*)>$/.exec(raw);
  if (!MAIL_ADDRESS.test(named ? (named[1] ?? '') : raw)) {
    throw new ConfigError(
      'MAIL_FROM',
      'an address such as "Help Center <help@example.com>" or help@example.com',
    );
  }
  return raw;
}

export const DEFAULT_SITE_NAME = 'Portico Help Center';
export const SITE_NAME_MAX_LENGTH = 60;

/**
 * The name appears in every page's header, every mail's subject and greeting's signature, and
 * as the issuer people read in their authenticator app, so it is plain text of one line.
 */
function readSiteName(raw: string | undefined): string {
  if (raw === undefined || raw.trim() === '') return DEFAULT_SITE_NAME;
  const name = raw.trim();
  // A colon would split the issuer from the account in an otpauth:// label (Key Uri Format).
  if (name.length > SITE_NAME_MAX_LENGTH || hasControlCharacter(name) || /[\t\n\r:]/.test(name))
    throw new ConfigError(
      'PORTICO_SITE_NAME',
      `a name of at most ${SITE_NAME_MAX_LENGTH} characters on one line, without a colon`,
    );
  return name;
}

/**
 * The data directory is made on first start: whatever already stands at that path (or the
 * nearest existing folder above it) must be a directory.
 */
function readDataDir(raw: string | undefined): string {
  // Only spaces is no name anyone means: it would make a folder called " " where it started.
  if (raw !== undefined && raw !== '' && raw.trim() === '') {
    throw new ConfigError('PORTICO_DATA_DIR', 'a directory path (it is only spaces)');
  }
  const dataDir = path.resolve(raw || './data');
  for (let at = dataDir; ; at = path.dirname(at)) {
    let stats: fs.Stats | undefined;
    try {
      stats = fs.statSync(at, { throwIfNoEntry: false });
    } catch (error) {
      // ENOTDIR: a file stands somewhere above; the next step up finds it. Anything else
      // (no permission) is said by opening the database there.
      if ((error as NodeJS.ErrnoException).code !== 'ENOTDIR') return dataDir;
    }
    if (stats) {
      if (stats.isDirectory()) return dataDir;
      throw new ConfigError(
        'PORTICO_DATA_DIR',
        `a directory, but ${at} is a file (SQLite database, mail outbox and key file live there)`,
      );
    }
    if (path.dirname(at) === at) return dataDir;
  }
}

/**
 * The variable an operator set to choose the database: DATABASE_URL, or PORTICO_DATA_DIR when
 * the database is the default file in the data directory. Errors name the one they set.
 */
export function databaseVariable(
  config: Pick<Config, 'databaseUrl' | 'dataDir'>,
): 'DATABASE_URL' | 'PORTICO_DATA_DIR' {
  return config.databaseUrl === `sqlite:${path.join(config.dataDir, 'portico.db')}`
    ? 'PORTICO_DATA_DIR'
    : 'DATABASE_URL';
}

/** Query parameters of a database URL that carry secrets (`password`, `sslpassword`, `sslkey`). */
const SECRET_PARAMETER = /pass|key|secret|token/i;

/**
 * A URL as it may be printed (DATABASE_URL, a refused PUBLIC_URL): its password and secret
 * parameters replaced by ***.
 */
export function urlForDisplay(raw: string): string {
  try {
    const url = new URL(raw);
    let changed = false;
    if (url.password !== '') {
      url.password = '***';
      changed = true;
    }
    for (const name of [...url.searchParams.keys()]) {
      if (SECRET_PARAMETER.test(name)) {
        url.searchParams.set(name, '***');
        changed = true;
      }
    }
    return changed ? url.href : raw;
  } catch {
    // Not a URL the parser takes (a stray %): hide everything between user name and host,
    // and the values of secret parameters.
    return raw
      .replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):.*@/i, '$1:***@')
      .replace(/([?&][^=&#]*(?:pass|key|secret|token)[^=&#]*=)[^&#]*/gi, '$1***');
  }
}

/**
 * Whether mails would send people to this machine's own loopback address while the process
 * serves other machines: PUBLIC_URL left at (or set to) localhost, HOST beyond loopback, and a
 * mail server that delivers the mails elsewhere. A start says so.
 */
export function mailLinksLeadNowhere(config: Config): boolean {
  const loopback = (host: string) =>
    host === 'localhost' ||
    host.endsWith('.localhost') ||
    host === '::1' ||
    host === '[::1]' ||
    /^127\./.test(host);
  return config.smtpUrl !== null && loopback(config.publicUrl.hostname) && !loopback(config.host);
}

export function loadConfig(env: Env = process.env): Config {
  const port = readInteger(env, 'PORT', 3000, 1, 65535);
  const host = readHost(env.HOST);
  const dataDir = readDataDir(env.PORTICO_DATA_DIR);
  const publicUrl = readPublicUrl(env.PUBLIC_URL || `http://localhost:${port}`);
  const databaseUrl = env.DATABASE_URL || `sqlite:${path.join(dataDir, 'portico.db')}`;
  // A SQLite database without a file (`sqlite:`, `sqlite::memory:`) would start, and lose
  // every account at the next start.
  if (
    !/^(sqlite:|postgres:\/\/|postgresql:\/\/)/.test(databaseUrl) ||
    /^sqlite:(:memory:)?$/.test(databaseUrl)
  ) {
    throw new ConfigError('DATABASE_URL', 'sqlite:/path/to/file.db or postgres://user@host/db');
  }
  const smtpUrl = env.SMTP_URL ? readSmtpUrl(env.SMTP_URL) : null;
  const siteName = readSiteName(env.PORTICO_SITE_NAME);
  const mailFrom = readMailFrom(env.MAIL_FROM, env.PORTICO_SITE_NAME?.trim() ? siteName : null);
  const adminEmail = env.PORTICO_ADMIN_EMAIL || null;
  const adminPassword = env.PORTICO_ADMIN_PASSWORD || null;
  // Held to the rules of an address added to an account, as `create-admin --email` is: codes
  // for the administrator's second factor may be mailed to it.
  // (A host without a dot is allowed here, admin@localhost for a first try on a laptop.)
  if (adminEmail !== null && !(/^[^\s@]+@[^\s@]+$/.test(adminEmail) && isPlainEmail(adminEmail))) {
    throw new ConfigError(
      'PORTICO_ADMIN_EMAIL',
      'an email address such as admin@example.com, in ordinary characters (none invisible or look-alike, no commas, colons or angle brackets)',
    );
  }
  if ((adminEmail === null) !== (adminPassword === null)) {
    throw new ConfigError(
      adminEmail === null ? 'PORTICO_ADMIN_EMAIL' : 'PORTICO_ADMIN_PASSWORD',
      'to be set together with the other PORTICO_ADMIN_* variable',
    );
  }
  // The log-in refuses passwords outside these bounds: such an administrator could never sign in.
  if (
    adminPassword !== null &&
    (adminPassword.length < PASSWORD_MIN_LENGTH || adminPassword.length > PASSWORD_MAX_LENGTH)
  ) {
    throw new ConfigError(
      'PORTICO_ADMIN_PASSWORD',
      `${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`,
    );
  }
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', LOG_LEVELS.join(', '));

  const sessionIdleMinutes = readInteger(env, 'PORTICO_SESSION_IDLE_MINUTES', 30, 1, 1440);
  const sessionMaxHours = readInteger(env, 'PORTICO_SESSION_MAX_HOURS', 12, 1, 720);
  // A session ends at the maximum whatever its idle time: a longer idle time would be a
  // setting with no effect, most likely meant as something else.
  if (sessionIdleMinutes > sessionMaxHours * 60)
    throw new ConfigError(
      'PORTICO_SESSION_IDLE_MINUTES',
      `at most PORTICO_SESSION_MAX_HOURS (${sessionMaxHours}) × 60 = ${sessionMaxHours * 60} minutes: a session ends at its maximum however recently it was used`,
    );

  return {
    port,
    host,
    publicUrl,
    secure: publicUrl.protocol === 'https:',
    databaseUrl,
    smtpUrl,
    mailFrom,
    siteName,
    supportContact: readSupportContact(env.PORTICO_SUPPORT_CONTACT),
    secretKey: readSecretKey(env.PORTICO_SECRET_KEY),
    adminEmail,
    adminPassword,
    dataDir,
    trustProxy: readTrustProxy(env.PORTICO_TRUST_PROXY),
    sessionIdleMinutes,
    sessionMaxHours,
    logLevel,
  };
}
