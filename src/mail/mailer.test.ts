import fs from 'node:fs';
import os from 'node:os';
import type { AddressInfo, Socket } from 'node:net';
import { createServer } from 'node:net';
import path from 'node:path';
import { SMTPServer } from 'smtp-server';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  createOutboxMailer,
  createSmtpMailer,
  MailDeliveryError,
  mailServerWarning,
} from './mailer.js';

/**
 * A real SMTP server on a free port that records the recipients of each mail it accepts;
 * `options` are smtp-server's (its STARTTLS offer, authentication).
 */
async function recordingServer(
  options: ConstructorParameters<typeof SMTPServer>[0],
): Promise<{ server: SMTPServer; port: number; delivered: string[] }> {
  const delivered: string[] = [];
  const server = new SMTPServer({
    authOptional: true,
    logger: false,
    ...options,
    onData(stream, session, callback) {
      stream.resume();
      stream.on('end', () => {
        delivered.push(session.envelope.rcptTo.map((r) => r.address).join(','));
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.server.address() as AddressInfo).port, delivered };
}

/**
 * The dev outbox. Several processes may share one outbox directory (the README's set-up with
 * more than one process), so a mail written by one must never replace another's, even in the
 * same millisecond. The files carry sign-in codes and links: only their owner may read them.
 */
describe('createOutboxMailer', () => {
  let dir: string;
  let outbox: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-outbox-'));
    outbox = path.join(dir, 'outbox');
  });
  afterEach(() => {
    vi.useRealTimers();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const mail = (n: number) => ({
    to: 'ada@example.com',
    subject: `Mail ${n}`,
    text: `Code ${n}`,
    html: `<p>Code ${n}</p>`,
  });

  it('keeps every mail of two processes sharing the directory within one millisecond', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-28T12:00:00.000Z'));
    // Two mailers stand for two processes: each starts its own numbering.
    const first = createOutboxMailer(outbox, 'Portico <no-reply@localhost>', () => {});
    const second = createOutboxMailer(outbox, 'Portico <no-reply@localhost>', () => {});
    await Promise.all([1, 2, 3].map((n) => first.send(mail(n))));
    await Promise.all([4, 5, 6].map((n) => second.send(mail(n))));

    const files = fs.readdirSync(outbox);
    expect(files).toHaveLength(6);
    const subjects = files.map(
      (file) => /^Subject: (.*)$/m.exec(fs.readFileSync(path.join(outbox, file), 'utf8'))?.[1],
    );
    expect(subjects.sort()).toEqual([1, 2, 3, 4, 5, 6].map((n) => `Mail ${n}`));
  });

  it('names files so that they sort by the time they were written', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const mailer = createOutboxMailer(outbox, 'Portico <no-reply@localhost>', () => {});
    for (const [n, time] of ['2026-11-28T09:59:59.999Z', '2026-11-28T10:00:00.000Z'].entries()) {
      vi.setSystemTime(new Date(time));
      await mailer.send(mail(n));
    }
    const [earlier, later] = fs.readdirSync(outbox).sort();
    expect(fs.readFileSync(path.join(outbox, earlier ?? ''), 'utf8')).toContain('Subject: Mail 0');
    expect(fs.readFileSync(path.join(outbox, later ?? ''), 'utf8')).toContain('Subject: Mail 1');
  });

  it('makes the directory readable by its owner only, and each mail too', async () => {
    const mailer = createOutboxMailer(outbox, 'Portico <no-reply@localhost>', () => {});
    await mailer.send(mail(1));
    expect(fs.statSync(outbox).mode & 0o777).toBe(0o700);
    const [file] = fs.readdirSync(outbox);
    expect(fs.statSync(path.join(outbox, file ?? '')).mode & 0o777).toBe(0o600);
  });
});

/**
 * A relay that takes a password but offers no STARTTLS, as a relay looks to nodemailer when
 * someone on the path strips the offer: the password must not be sent in the clear.
 */
describe('createSmtpMailer with a password', () => {
  let server: SMTPServer;
  let port: number;
  const logins: string[] = [];
  let delivered: string[] = [];

  beforeAll(async () => {
    ({ server, port, delivered } = await recordingServer({
      disabledCommands: ['STARTTLS'],
      allowInsecureAuth: true,
      onAuth(auth, _session, callback) {
        logins.push(`${auth.username}:${auth.password ?? ''}`);
        if (auth.password === 'wrong') callback(new Error('Invalid username or password'));
        else callback(null, { user: auth.username });
      },
    }));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  beforeEach(() => {
    logins.length = 0;
    delivered.length = 0;
  });

  const message = {
    to: 'ada@example.com',
    subject: 'Code',
    text: 'Code 123456',
    html: '<p>Code 123456</p>',
  };
  const send = async (url: string) => {
    const mailer = createSmtpMailer(url, 'help@example.com');
    try {
      await mailer.send(message);
    } finally {
      await mailer.close();
    }
  };

  it('refuses to log in without STARTTLS, and sends nothing', async () => {
    const url = `smtp://relay:s3cret@127.0.0.1:${port}`;
    const error = await send(url).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(MailDeliveryError);
    expect((error as MailDeliveryError).code).toBe('MAIL_CONNECTION');
    // The start's warning says what to do for a relay that offers no STARTTLS.
    expect(mailServerWarning(url, error as MailDeliveryError)).toContain(
      'add ?requireTLS=false to SMTP_URL',
    );
    expect(logins).toEqual([]);
    expect(delivered).toEqual([]);
  });

  it('logs in without it when the URL says ?requireTLS=false, and sends', async () => {
    await send(`smtp://relay:s3cret@127.0.0.1:${port}?requireTLS=false`);
    expect(logins).toEqual(['relay:s3cret']);
    expect(delivered).toEqual(['ada@example.com']);
  });

  it('says at the start check that the password was refused, not a message', async () => {
    const url = `smtp://relay:wrong@127.0.0.1:${port}?requireTLS=false`;
    const mailer = createSmtpMailer(url, 'help@example.com');
    const error = await mailer.check().catch((e: unknown) => e);
    await mailer.close();
    expect(error).toBeInstanceOf(MailDeliveryError);
    expect(mailServerWarning(url, error as MailDeliveryError)).toBe(
      `portico: warning: the mail server at 127.0.0.1:${port} cannot be used (SMTP refused the user name or password (535)): no mail leaves until it can.`,
    );
    expect(delivered).toEqual([]);
  });

  it('says in a send’s error too that the password was refused, not a message', async () => {
    const error = await send(`smtp://relay:wrong@127.0.0.1:${port}?requireTLS=false`).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(MailDeliveryError);
    expect((error as MailDeliveryError).message).toBe(
      'SMTP refused the user name or password (535)',
    );
    expect(delivered).toEqual([]);
  });

  it('sends through a relay without a password as before', async () => {
    await send(`smtp://127.0.0.1:${port}`);
    expect(logins).toEqual([]);
    expect(delivered).toEqual(['ada@example.com']);
  });

  it('sends to the address as stored, never to another one read out of it', async () => {
    const mailer = createSmtpMailer(`smtp://127.0.0.1:${port}`, 'help@example.com');
    const outcomes: unknown[] = [];
    try {
      // Read as a header, these would go to att2@ and att3@ (a list, a display name). As one
      // mailbox each they are quoted: the server takes the one and refuses the other.
      for (const to of ['root,att2@example.com', 'shown<att3@example.com>'])
        outcomes.push(await mailer.send({ ...message, to }).catch((e: unknown) => e));
    } finally {
      await mailer.close();
    }
    expect(delivered).toEqual(['"root,att2"@example.com']);
    expect((outcomes[1] as MailDeliveryError).code).toBe('MAIL_REJECTED');
  });
});

/**
 * A local test server as the README suggests one: the `smtp-server` package as it comes, which
 * offers STARTTLS with a certificate of its own. The certificate is checked, so mail fails
 * until the URL says `?ignoreTLS=true` or `?tls.rejectUnauthorized=false`, as the README says.
 */
describe('createSmtpMailer with a test server that offers STARTTLS', () => {
  let server: SMTPServer;
  let port: number;
  let delivered: string[] = [];

  beforeAll(async () => {
    // As the package comes: it offers STARTTLS with a certificate of its own.
    ({ server, port, delivered } = await recordingServer({}));
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const send = async (url: string) => {
    const mailer = createSmtpMailer(url, 'help@example.com');
    try {
      await mailer.send({ to: 'ada@example.com', subject: 'Hi', text: 'Hi', html: '<p>Hi</p>' });
    } finally {
      await mailer.close();
    }
  };

  it('refuses its certificate, and sends with ?ignoreTLS=true or over TLS unchecked', async () => {
    const error = await send(`smtp://127.0.0.1:${port}`).catch((e: unknown) => e);
    expect((error as MailDeliveryError).code).toBe('MAIL_CONNECTION');
    expect(delivered).toEqual([]);
    await send(`smtp://127.0.0.1:${port}?ignoreTLS=true`);
    await send(`smtp://127.0.0.1:${port}?tls.rejectUnauthorized=false`);
    expect(delivered).toEqual(['ada@example.com', 'ada@example.com']);
  });

  /*
   * A start with such a URL told nobody: registration still said "check your email", and the
   * refused certificate was one line in the JSON log. The start now asks the server and says
   * what is wrong, and what to do, on standard error.
   */
  it('says at the check what is wrong with it and what to do, and sends nothing', async () => {
    const check = async (url: string) => {
      const mailer = createSmtpMailer(url, 'help@example.com');
      try {
        await mailer.check();
        return null;
      } catch (error) {
        return error as MailDeliveryError;
      } finally {
        await mailer.close();
      }
    };
    const url = `smtp://mailer:secret-word@127.0.0.1:${port}`;
    const deliveredBefore = delivered.length;
    const refused = await check(url);
    expect(refused).toBeInstanceOf(MailDeliveryError);
    const warning = mailServerWarning(url, refused as MailDeliveryError);
    expect(warning).toContain(
      `the mail server at 127.0.0.1:${port} cannot be used (SMTP connection failed`,
    );
    // With a password in the URL, ?ignoreTLS=true would not do (the log-in waits for TLS):
    // the hint is the one that works with it too.
    expect(warning).toContain('add ?tls.rejectUnauthorized=false to SMTP_URL');
    expect(warning).not.toContain('secret-word');
    expect(await check(`smtp://127.0.0.1:${port}?tls.rejectUnauthorized=false`)).toBeNull();
    expect(delivered).toHaveLength(deliveredBefore);

    // smtps:// (TLS from the first byte) to a port that speaks STARTTLS: one line, and the way.
    const smtps = `smtps://127.0.0.1:${port}`;
    const tlsFirst = await check(smtps);
    const smtpsWarning = mailServerWarning(smtps, tlsFirst as MailDeliveryError);
    expect(smtpsWarning).toContain('use smtp:// (often port 587) instead of smtps://');
    expect(smtpsWarning).not.toContain('\n');

    // Nobody listening: no word of certificates.
    const closed = await check('smtp://127.0.0.1:1');
    expect(closed?.code).toBe('MAIL_CONNECTION');
    expect(mailServerWarning('smtp://127.0.0.1:1', closed as MailDeliveryError)).toBe(
      `portico: warning: the mail server at 127.0.0.1:1 cannot be used (${closed?.message ?? ''}): no mail leaves until it can.`,
    );
  });
});

describe('createSmtpMailer with a server that never greets', () => {
  // A relay that takes the connection and says nothing (a wrong port, a firewall that holds
  // connections): nothing was sent, which the page must say, not that a code went out.
  it('fails as a connection that was never made, not as a send whose fate is unknown', async () => {
    const sockets = new Set<Socket>();
    const silent = createServer((socket) => sockets.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const { port } = silent.address() as AddressInfo;
    const mailer = createSmtpMailer(`smtp://127.0.0.1:${port}`, 'help@example.com');
    try {
      const error = await mailer
        .send({ to: 'ada@example.com', subject: 'Code', text: '1', html: '<p>1</p>' })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(MailDeliveryError);
      expect((error as MailDeliveryError).code).toBe('MAIL_CONNECTION');
      expect((error as MailDeliveryError).message).toContain('Greeting never received');
    } finally {
      await mailer.close();
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  }, 30_000);
});
