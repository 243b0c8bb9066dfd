/**
 * SPEC §5: every variable is checked at start, and a wrong value stops the process with one
 * line naming the variable. A value accepted here and refused later (by Fastify, the mailer,
 * the log-in form or the listening socket) fails far from its cause, sometimes after the
 * one-time administrator credentials were printed, so each check below mirrors what the part
 * that uses the value will accept.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Fastify from 'fastify';
import { afterAll, describe, expect, it } from 'vitest';
import { PASSWORD_MAX_LENGTH } from './accounts/passwords.js';
import { ConfigError, mailLinksLeadNowhere, urlForDisplay, loadConfig } from './config.js';

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-config-'));
const base = { PORTICO_DATA_DIR: dataDir };
afterAll(() => fs.rmSync(dataDir, { recursive: true, force: true }));

/** The variable a wrong value is blamed on, and the one line the operator reads. */
function refusal(env: Record<string, string>): { variable: string; line: string } {
  try {
    loadConfig({ ...base, ...env });
  } catch (error) {
    if (error instanceof ConfigError) return { variable: error.variable, line: error.message };
    throw error;
  }
  throw new Error(`accepted ${JSON.stringify(env)}`);
}

describe('configuration', () => {
  it('accepts a complete, correct environment', () => {
    const config = loadConfig({
      ...base,
      PORT: '3400',
      HOST: '0.0.0.0',
      PUBLIC_URL: 'https://help.example.com/',
      SMTP_URL: 'smtps://mailer:p%40ss@smtp.example.com:465',
      MAIL_FROM: 'Help Center <help@example.com>',
      PORTICO_ADMIN_EMAIL: 'ops@example.com',
      PORTICO_ADMIN_PASSWORD: 'x'.repeat(PASSWORD_MAX_LENGTH),
      PORTICO_TRUST_PROXY: '10.0.0.1, 10.0.1.0/24',
    });
    expect(config).toMatchObject({
      port: 3400,
      host: '0.0.0.0',
      secure: true,
      mailFrom: 'Help Center <help@example.com>',
      trustProxy: ['10.0.0.1', '10.0.1.0/24'],
    });
    expect(config.smtpUrl).toBe('smtps://mailer:p%40ss@smtp.example.com:465');
  });

  it('reads how to reach the helpdesk as a mail address or a web page, and nothing else', () => {
    expect(loadConfig({}).supportContact).toBeNull();
    expect(loadConfig({ PORTICO_SUPPORT_CONTACT: ' help@example.com ' }).supportContact).toEqual({
      href: 'mailto:help@example.com',
      label: 'help@example.com',
    });
    expect(
      loadConfig({ PORTICO_SUPPORT_CONTACT: 'https://example.com/contact' }).supportContact,
    ).toEqual({ href: 'https://example.com/contact', label: 'example.com/contact' });
    for (const wrong of [
      'javascript:alert(1)',
      'ftp://example.com',
      'help desk@example.com',
      'a@b@c',
      'Help <help@example.com>',
      'https://',
    ]) {
      expect(() => loadConfig({ PORTICO_SUPPORT_CONTACT: wrong }), wrong).toThrow(
        'PORTICO_SUPPORT_CONTACT: expected an email address (help@example.com) or an http(s) address of a page',
      );
    }
  });

  it('refuses an administrator password the log-in would refuse', () => {
    expect(
      refusal({ PORTICO_ADMIN_EMAIL: 'ops@example.com', PORTICO_ADMIN_PASSWORD: 'short' }),
    ).toMatchObject({ variable: 'PORTICO_ADMIN_PASSWORD' });
    const tooLong = refusal({
      PORTICO_ADMIN_EMAIL: 'ops@example.com',
      PORTICO_ADMIN_PASSWORD: 'x'.repeat(PASSWORD_MAX_LENGTH + 1),
    });
    expect(tooLong.variable).toBe('PORTICO_ADMIN_PASSWORD');
    expect(tooLong.line).toContain(`12 to ${PASSWORD_MAX_LENGTH} characters`);
  });

  it('accepts hop counts and proxy addresses that Fastify accepts', () => {
    for (const value of [
      '1',
      '2',
      '16',
      '127.0.0.1',
      '::1',
      '10.0.0.0/8',
      'fd00::/8',
      '::ffff:10.0.0.1',
    ]) {
      const { trustProxy } = loadConfig({ ...base, PORTICO_TRUST_PROXY: value });
      expect(trustProxy).not.toBe(false);
      if (Array.isArray(trustProxy)) expect(() => Fastify({ trustProxy })).not.toThrow();
    }
  });

  it('refuses proxy addresses and ranges that are not ones', () => {
    for (const value of [
      'abc',
      '999.1.1.1',
      '1.2.3.4/999',
      '1.2.3.4/33',
      '::1/129',
      '10.0.0.0/0',
      '1.2.3',
      '10.0.0.1,,x',
      '0',
      '17',
      '999999',
    ]) {
      expect(refusal({ PORTICO_TRUST_PROXY: value }).variable, value).toBe('PORTICO_TRUST_PROXY');
    }
  });

  it('refuses an SMTP URL without a host, and keeps credentials and smtps', () => {
    for (const value of ['smtp:', 'smtp://', 'smtps://:465', 'smtp://user:pass@']) {
      const { variable, line } = refusal({ SMTP_URL: value });
      expect(variable, value).toBe('SMTP_URL');
      expect(line).toContain('host');
    }
    expect(loadConfig({ ...base, SMTP_URL: 'smtp://user:pass@127.0.0.1:2525' }).smtpUrl).toBe(
      'smtp://user:pass@127.0.0.1:2525',
    );
  });

  it('refuses SMTP URL options nodemailer would skip or read otherwise than written', () => {
    for (const [value, words] of [
      ['smtp://127.0.0.1:2525?ignoreTls=true', '"ignoreTls" is not one'],
      ['smtp://127.0.0.1:2525?tls.rejectunauthorized=false', '"tls.rejectunauthorized"'],
      ['smtp://127.0.0.1:2525?auth.user=x', '"auth.user" is not one'],
      ['smtp://u:p@127.0.0.1:2525?requireTLS=no', 'requireTLS=true or requireTLS=false'],
      ['smtp://127.0.0.1:2525?tls.rejectUnauthorized=0', 'tls.rejectUnauthorized=true or'],
      ['smtp://127.0.0.1:2525?connectionTimeout=10s', 'a whole number for connectionTimeout'],
      ['smtp://127.0.0.1:2525?debug=true', 'sign-in codes'],
      ['smtp://127.0.0.1:2525?logger=true', 'sign-in codes'],
      ['smtp://127.0.0.1:2525?ignoreTLS=false&ignoreTLS=false', 'ignoreTLS is given twice'],
      ['smtp://127.0.0.1:2525?secure=true', 'smtps:// for TLS from the start'],
    ] as const) {
      const { variable, line } = refusal({ SMTP_URL: value });
      expect(variable, value).toBe('SMTP_URL');
      expect(line, value).toContain(words);
    }
    for (const value of [
      'smtp://127.0.0.1:2525?tls.rejectUnauthorized=false',
      'smtp://u:p@127.0.0.1:25?requireTLS=false',
      'smtp://127.0.0.1:2525?ignoreTLS=true&name=help.example.com&connectionTimeout=5000',
      'smtps://smtp.example.com?tls.servername=mail.example.com&tls.minVersion=TLSv1.3',
    ]) {
      expect(loadConfig({ ...base, SMTP_URL: value }).smtpUrl, value).toBe(value);
    }
  });

  it('refuses an idle time longer than the longest session, which could never take effect', () => {
    const { variable, line } = refusal({ PORTICO_SESSION_IDLE_MINUTES: '1440' });
    expect(variable).toBe('PORTICO_SESSION_IDLE_MINUTES');
    expect(line).toContain('720 minutes');
    expect(
      loadConfig({
        ...base,
        PORTICO_SESSION_IDLE_MINUTES: '1440',
        PORTICO_SESSION_MAX_HOURS: '24',
      }),
    ).toMatchObject({ sessionIdleMinutes: 1440, sessionMaxHours: 24 });
    expect(loadConfig({ ...base, PORTICO_SESSION_IDLE_MINUTES: '720' }).sessionIdleMinutes).toBe(
      720,
    );
  });

  it('refuses a sender that is not an address', () => {
    for (const value of [
      '@',
      'no-reply@',
      '@example.com',
      'Portico <@>',
      'Portico <a@b',
      'a@b c',
    ]) {
      expect(refusal({ MAIL_FROM: value }).variable, value).toBe('MAIL_FROM');
    }
    for (const value of [
      'no-reply@localhost',
      'Portico <no-reply@localhost>',
      '"Help, Desk" <help@example.com>',
    ]) {
      expect(loadConfig({ ...base, MAIL_FROM: value }).mailFrom).toBe(value);
    }
  });

  it('names the help center as configured, and refuses a name that would not fit', () => {
    expect(loadConfig({}).siteName).toBe('Portico Help Center');
    expect(loadConfig({ PORTICO_SITE_NAME: '  Acme Support  ' }).siteName).toBe('Acme Support');
    // Its mails come from it too, unless MAIL_FROM says otherwise.
    expect(loadConfig({}).mailFrom).toBe('Portico <no-reply@localhost>');
    expect(loadConfig({ PORTICO_SITE_NAME: 'Acme "Help", Inc' }).mailFrom).toBe(
      '"Acme \\"Help\\", Inc" <no-reply@localhost>',
    );
    expect(loadConfig({ PORTICO_SITE_NAME: 'Acme', MAIL_FROM: 'help@acme.example' }).mailFrom).toBe(
      'help@acme.example',
    );
    for (const bad of ['Acme: Support', 'Acme\nSupport', 'A\u0000', 'x'.repeat(61)]) {
      expect(() => loadConfig({ PORTICO_SITE_NAME: bad })).toThrow(/^PORTICO_SITE_NAME: expected/);
    }
  });

  it('takes a secret key with the line break a file gives it', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig({ ...base, PORTICO_SECRET_KEY: `${key}\n` }).secretKey).toEqual(
      Buffer.alloc(32, 7),
    );
    expect(loadConfig({ ...base, PORTICO_SECRET_KEY: ` ${key} ` }).secretKey).toEqual(
      Buffer.alloc(32, 7),
    );
    expect(refusal({ PORTICO_SECRET_KEY: `${key}x` }).variable).toBe('PORTICO_SECRET_KEY');
  });

  it('tells when mails would link to localhost while others are served', () => {
    const smtp = { SMTP_URL: 'smtp://127.0.0.1:2525' };
    const at = (env: Record<string, string>) =>
      mailLinksLeadNowhere(loadConfig({ ...base, ...env }));
    expect(at({ ...smtp, HOST: '0.0.0.0' })).toBe(true);
    expect(at({ ...smtp, HOST: '0.0.0.0', PUBLIC_URL: 'http://127.0.0.1:3000' })).toBe(true);
    expect(at({ ...smtp, HOST: '0.0.0.0', PUBLIC_URL: 'https://help.example.com' })).toBe(false);
    // On this machine only, or with the dev outbox, localhost is right.
    expect(at({ ...smtp })).toBe(false);
    expect(at({ HOST: '0.0.0.0' })).toBe(false);
  });

  it('refuses port 0 and ports beyond 65535', () => {
    expect(refusal({ PORT: '0' })).toMatchObject({ variable: 'PORT' });
    expect(refusal({ PORT: '65536' })).toMatchObject({ variable: 'PORT' });
    expect(loadConfig({ ...base, PORT: '65535' }).port).toBe(65535);
  });

  it('refuses a public URL with a path, query or fragment: links in mails would lose it', () => {
    for (const value of [
      'http://localhost:3406/help/',
      'http://localhost:3406/help',
      'https://example.com/?a=1',
      'https://example.com/#top',
    ]) {
      const { variable, line } = refusal({ PUBLIC_URL: value });
      expect(variable, value).toBe('PUBLIC_URL');
      expect(line).toContain('root');
    }
    expect(loadConfig({ ...base, PUBLIC_URL: 'http://localhost:3406' }).publicUrl.href).toBe(
      'http://localhost:3406/',
    );
  });

  it('does not print the password of a refused public URL', () => {
    const { variable, line } = refusal({ PUBLIC_URL: 'https://user:hunter2@help.example.com' });
    expect(variable).toBe('PUBLIC_URL');
    expect(line).toContain('https://user:***@help.example.com/');
    expect(line).not.toContain('hunter2');
  });

  it('refuses an administrator address that an account could not have, and a data folder of spaces', () => {
    for (const value of ['a,b<c>@ex', 'root,att2@example.com', 'o\u200bps@example.com']) {
      const env = {
        PORTICO_ADMIN_EMAIL: value,
        PORTICO_ADMIN_PASSWORD: 'a long admin password 42',
      };
      expect(refusal(env).variable, value).toBe('PORTICO_ADMIN_EMAIL');
    }
    expect(refusal({ PORTICO_DATA_DIR: '  ' }).variable).toBe('PORTICO_DATA_DIR');
    const laptop = {
      PORTICO_ADMIN_EMAIL: 'admin@localhost',
      PORTICO_ADMIN_PASSWORD: 'x'.repeat(12),
    };
    expect(loadConfig({ ...base, ...laptop }).adminEmail).toBe('admin@localhost');
  });

  it('refuses a HOST that is neither an IP address nor a host name', () => {
    for (const value of ['not a host!', 'exa_mple.com', '-bad.example', '[::1]', 'a..b']) {
      expect(refusal({ HOST: value }).variable, value).toBe('HOST');
    }
    for (const value of ['127.0.0.1', '::', '0.0.0.0', 'localhost', 'portico.internal']) {
      expect(loadConfig({ ...base, HOST: value }).host).toBe(value);
    }
  });

  it('refuses a data directory that is a file', () => {
    const file = path.join(dataDir, 'a-file');
    fs.writeFileSync(file, '');
    expect(refusal({ PORTICO_DATA_DIR: file })).toMatchObject({ variable: 'PORTICO_DATA_DIR' });
    expect(refusal({ PORTICO_DATA_DIR: path.join(file, 'below') })).toMatchObject({
      variable: 'PORTICO_DATA_DIR',
    });
    expect(loadConfig({ PORTICO_DATA_DIR: path.join(dataDir, 'not-yet', 'made') }).dataDir).toBe(
      path.join(dataDir, 'not-yet', 'made'),
    );
  });

  it('refuses a SQLite database without a file: every account would be gone at the next start', () => {
    for (const url of ['sqlite:', 'sqlite::memory:', 'mysql://db/portico']) {
      expect(refusal({ DATABASE_URL: url }).variable, url).toBe('DATABASE_URL');
    }
    expect(loadConfig({ ...base, DATABASE_URL: 'sqlite:./portico.db' }).databaseUrl).toBe(
      'sqlite:./portico.db',
    );
  });

  it('shows a database URL without its password', () => {
    expect(urlForDisplay('postgres://portico:s3cret@db.internal:5432/portico')).toBe(
      'postgres://portico:***@db.internal:5432/portico',
    );
    expect(urlForDisplay('postgres://nouser@127.0.0.1:1/db')).toBe(
      'postgres://nouser@127.0.0.1:1/db',
    );
    expect(urlForDisplay('postgres://u:p@ss%zz@host/db')).toBe('postgres://u:***@host/db');
    expect(
      urlForDisplay('postgres://u@host/db?sslmode=require&password=s3cret&sslkey=/k.pem'),
    ).toBe('postgres://u@host/db?sslmode=require&password=***&sslkey=***');
    expect(urlForDisplay('postgres://u@h%zz/db?sslpassword=s3cret&x=1')).toBe(
      'postgres://u@h%zz/db?sslpassword=***&x=1',
    );
    expect(urlForDisplay('sqlite:/var/lib/portico/portico.db')).toBe(
      'sqlite:/var/lib/portico/portico.db',
    );
  });
});
