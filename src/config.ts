import path from 'node:path';

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
  secretKey: Buffer | null;
  adminEmail: string | null;
  adminPassword: string | null;
  dataDir: string;
  trustProxy: boolean | number | string[];
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  logLevel: string;
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

function readTrustProxy(raw: string | undefined): Config['trustProxy'] {
  if (raw === undefined || raw === '') return false;
  if (/^\d+$/.test(raw)) return Number(raw);
  const entries = raw
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
  const address = /^[0-9a-fA-F:.]+(\/\d{1,3})?$/;
  if (entries.length === 0 || !entries.every((entry) => address.test(entry))) {
    throw new ConfigError(
      'PORTICO_TRUST_PROXY',
      'a hop count (e.g. 1) or a comma-separated list of proxy addresses or CIDR ranges',
    );
  }
  return entries;
}

function readSecretKey(raw: string | undefined): Buffer | null {
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
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, `a URL starting with ${protocols.join(' or ')}`);
  }
  if (!protocols.includes(url.protocol)) {
    throw new ConfigError(name, `a URL starting with ${protocols.join(' or ')}`);
  }
  return url;
}

export function loadConfig(env: Env = process.env): Config {
  const port = readInteger(env, 'PORT', 3000, 0, 65535);
  const host = env.HOST || '127.0.0.1';
  const dataDir = path.resolve(env.PORTICO_DATA_DIR || './data');
  const publicUrl = readUrl('PUBLIC_URL', env.PUBLIC_URL || `http://localhost:${port}`, [
    'http:',
    'https:',
  ]);
  const databaseUrl = env.DATABASE_URL || `sqlite:${path.join(dataDir, 'portico.db')}`;
  if (!/^(sqlite:|postgres:\/\/|postgresql:\/\/)/.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL', 'sqlite:/path/to/file.db or postgres://user@host/db');
  }
  const smtpUrl = env.SMTP_URL ? readUrl('SMTP_URL', env.SMTP_URL, ['smtp:', 'smtps:']).href : null;
  const mailFrom = env.MAIL_FROM || 'Portico <no-reply@localhost>';
  if (!/@/.test(mailFrom) || /[\r\n]/.test(mailFrom)) {
    throw new ConfigError('MAIL_FROM', 'an address such as "Help Center <help@example.com>"');
  }
  const adminEmail = env.PORTICO_ADMIN_EMAIL || null;
  const adminPassword = env.PORTICO_ADMIN_PASSWORD || null;
  if (adminEmail !== null && !/^[^\s@]+@[^\s@]+$/.test(adminEmail)) {
    throw new ConfigError('PORTICO_ADMIN_EMAIL', 'an email address');
  }
  if ((adminEmail === null) !== (adminPassword === null)) {
    throw new ConfigError(
      adminEmail === null ? 'PORTICO_ADMIN_EMAIL' : 'PORTICO_ADMIN_PASSWORD',
      'to be set together with the other PORTICO_ADMIN_* variable',
    );
  }
  if (adminPassword !== null && adminPassword.length < 12) {
    throw new ConfigError('PORTICO_ADMIN_PASSWORD', 'at least 12 characters');
  }
  const logLevel = env.LOG_LEVEL || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', LOG_LEVELS.join(', '));

  return {
    port,
    host,
    publicUrl,
    secure: publicUrl.protocol === 'https:',
    databaseUrl,
    smtpUrl,
    mailFrom,
    secretKey: readSecretKey(env.PORTICO_SECRET_KEY),
    adminEmail,
    adminPassword,
    dataDir,
    trustProxy: readTrustProxy(env.PORTICO_TRUST_PROXY),
    sessionIdleMinutes: readInteger(env, 'PORTICO_SESSION_IDLE_MINUTES', 30, 1, 1440),
    sessionMaxHours: readInteger(env, 'PORTICO_SESSION_MAX_HOURS', 12, 1, 720),
    logLevel,
  };
}
