import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type nodemailer from 'nodemailer';
import type { SendMailOptions, Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import type StreamTransport from 'nodemailer/lib/stream-transport/index.js';
import { makeDirectories } from '../lib/directories.js';

export interface MailMessage {
  to: string;
  subject: string;
  text: string;
  html: string;
  /** The language it is written in (`Content-Language`), so mail clients translate or read it aloud right. */
  language?: string;
}

export interface Mailer {
  send(message: MailMessage): Promise<void>;
  close(): Promise<void>;
}

/** A mail server's mailer can also say whether the server takes mail from us at all. */
export interface SmtpMailer extends Mailer {
  /** Connects (STARTTLS and log-in as a send would) and ends; rejects with MailDeliveryError. */
  check(): Promise<void>;
}

export type MailErrorCode = 'MAIL_TIMEOUT' | 'MAIL_CONNECTION' | 'MAIL_REJECTED' | 'MAIL_FAILED';

export class MailDeliveryError extends Error {
  constructor(
    readonly code: MailErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'MailDeliveryError';
  }
}

/** What nodemailer is given for a message: the recipient as an address object, the language as a header. */
function envelopeOf(from: string, message: MailMessage): SendMailOptions {
  const { language, ...rest } = message;
  return {
    from,
    ...rest,
    to: recipient(message),
    ...(language ? { headers: { 'Content-Language': language } } : {}),
  };
}

/** Limits on every SMTP conversation: a hung relay must not hang a sign-in. */
export const SMTP_CONNECTION_TIMEOUT_MS = 10_000;
export const SMTP_SOCKET_TIMEOUT_MS = 20_000;
export const SMTP_SEND_TIMEOUT_MS = 30_000;

/**
 * nodemailer's timeouts before the conversation began (no connection, no greeting, no TLS):
 * nothing can have been sent. Only a timeout later (the socket silent mid-conversation, or the
 * whole send past SMTP_SEND_TIMEOUT_MS) leaves it unknown whether the server took the message.
 */
const TIMEOUTS_BEFORE_SENDING = new Set(['CONNECT_TIMEOUT', 'GREETING_TIMEOUT', 'UPGRADE_TIMEOUT']);

function classify(error: unknown): MailDeliveryError {
  const code = (error as { code?: string }).code ?? '';
  const responseCode = (error as { responseCode?: number }).responseCode;
  const timeoutType = (error as { timeoutType?: string }).timeoutType ?? '';
  const message = error instanceof Error ? error.message : String(error);
  if (TIMEOUTS_BEFORE_SENDING.has(timeoutType)) {
    return new MailDeliveryError('MAIL_CONNECTION', `SMTP connection failed: ${message}`, {
      cause: error,
    });
  }
  if (code === 'EAUTH') {
    // A refused log-in is no refused message: said as what it is. 538: the server takes a
    // log-in only after STARTTLS (RFC 4954), not a wrong password.
    return new MailDeliveryError(
      'MAIL_REJECTED',
      responseCode === 538
        ? 'SMTP takes the user name and password only over TLS (538)'
        : `SMTP refused the user name or password${responseCode ? ` (${responseCode})` : ''}`,
      { cause: error },
    );
  }
  if (code === 'ETIMEDOUT' || /timeout/i.test(message)) {
    return new MailDeliveryError('MAIL_TIMEOUT', `SMTP timed out: ${message}`, { cause: error });
  }
  if (
    code === 'ECONNECTION' ||
    code === 'ECONNREFUSED' ||
    code === 'ESOCKET' ||
    code === 'EDNS' ||
    code === 'ETLS'
  ) {
    return new MailDeliveryError('MAIL_CONNECTION', `SMTP connection failed: ${message}`, {
      cause: error,
    });
  }
  if (responseCode !== undefined && responseCode >= 400) {
    return new MailDeliveryError('MAIL_REJECTED', `SMTP refused the message (${responseCode})`, {
      cause: error,
    });
  }
  return new MailDeliveryError('MAIL_FAILED', `Mail could not be sent: ${message}`, {
    cause: error,
  });
}

/**
 * nodemailer is loaded with the first mail, not at start: it is a large module and most
 * starts send nothing for a while (docs/performance.md).
 */
let loaded: typeof nodemailer | null = null;
function mailModule(): typeof nodemailer {
  return (loaded ??= createRequire(import.meta.url)('nodemailer') as typeof nodemailer);
}

/**
 * Whether an `smtp://` URL carries a user name or password. nodemailer upgrades such a
 * connection with STARTTLS when the server offers it, and otherwise sends the password in the
 * clear: anyone on the path who strips the offer reads it. So STARTTLS is then required (the
 * URL may still say `?requireTLS=false`, for a relay on the same host).
 */
export function sendsPasswordInTheClear(smtpUrl: string): boolean {
  const url = new URL(smtpUrl);
  return url.protocol === 'smtp:' && (url.username !== '' || url.password !== '');
}

/**
 * The line a start prints when its mail server cannot be used: people would otherwise be told
 * to check their mail while nothing leaves, and the reason would sit in the log alone. Names
 * the server without its user name or password.
 */
export function mailServerWarning(smtpUrl: string, error: MailDeliveryError): string {
  // OpenSSL's reasons come over several lines: one line here.
  const reason = error.message.replace(/\s+/g, ' ').trim().slice(0, 300);
  return [
    `portico: warning: the mail server at ${new URL(smtpUrl).host} cannot be used (${reason}): no mail leaves until it can.`,
    whatToDo(smtpUrl, reason),
  ].join('');
}

/** What to change in SMTP_URL for the usual mistakes of a first set-up, or ''. */
function whatToDo(smtpUrl: string, reason: string): string {
  if (new URL(smtpUrl).protocol === 'smtps:' && /wrong version number|packet length/i.test(reason))
    return ' That port speaks SMTP with STARTTLS: use smtp:// (often port 587) instead of smtps://.';
  if (/certificate|self[- ]signed|CERT_/i.test(reason))
    return ' A test server with a certificate of its own: add ?tls.rejectUnauthorized=false to SMTP_URL (TLS is still used, the certificate is not checked: never for a real server).';
  if (/STARTTLS|\(538\)/i.test(reason) && sendsPasswordInTheClear(smtpUrl))
    return ' Portico logs in only over TLS: for a relay on the same host without STARTTLS, add ?requireTLS=false to SMTP_URL.';
  return '';
}

/**
 * The recipient as an address object, never a string: nodemailer reads a string as a header
 * would, so `root,att2@example.com` is a list and `x<att3@example.com>` a display name, and
 * the mail would go to a mailbox other than the one the account holds.
 */
function recipient(message: MailMessage): { name: string; address: string } {
  return { name: '', address: message.to };
}

/** Rejects with a MailDeliveryError of the transport's failure, or a timeout of its own. */
async function withinSendTime<T>(work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new MailDeliveryError('MAIL_TIMEOUT', 'SMTP send timed out')),
      SMTP_SEND_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([work, timeout]);
  } catch (error) {
    throw error instanceof MailDeliveryError ? error : classify(error);
  } finally {
    clearTimeout(timer);
  }
}

export function createSmtpMailer(smtpUrl: string, from: string): SmtpMailer {
  let created: Transporter<SMTPTransport.SentMessageInfo> | null = null;
  const transport = () =>
    (created ??= mailModule().createTransport({
      // Options the URL names win over these (nodemailer's order).
      ...(sendsPasswordInTheClear(smtpUrl) ? { requireTLS: true } : {}),
      url: smtpUrl,
      connectionTimeout: SMTP_CONNECTION_TIMEOUT_MS,
      greetingTimeout: SMTP_CONNECTION_TIMEOUT_MS,
      socketTimeout: SMTP_SOCKET_TIMEOUT_MS,
    } satisfies SMTPTransport.Options));
  return {
    async send(message) {
      await withinSendTime(transport().sendMail(envelopeOf(from, message)));
    },
    async check() {
      await withinSendTime(transport().verify());
    },
    close() {
      created?.close();
      return Promise.resolve();
    },
  };
}

const LINK_PATTERN = /https?:\/\/\S+/g;
const CODE_PATTERN = /\b\d{6}\b/g;

/**
 * Development outbox: each message becomes a real .eml file in the outbox folder, and its
 * subject, links and codes are logged so a developer can follow them without a mail server.
 * The files hold sign-in codes and links, so the folder is its owner's only (0700) and so is
 * each file (0600). Several processes may share the folder: a name is the time, this process's
 * count and random bytes, so names sort by time and two processes never pick the same one;
 * `wx` refuses to replace a file should they ever do.
 */
export function createOutboxMailer(
  outboxDir: string,
  from: string,
  log: (line: string) => void,
): Mailer {
  let created: Transporter<StreamTransport.SentMessageInfo> | null = null;
  let sequence = 0;
  return {
    async send(message) {
      created ??= mailModule().createTransport({ streamTransport: true, buffer: true });
      const info = await created.sendMail(envelopeOf(from, message));
      const stamp = new Date().toISOString().replace(/[:.]/g, '-');
      const count = String(++sequence).padStart(6, '0');
      const file = path.join(outboxDir, `${stamp}-${count}-${randomBytes(4).toString('hex')}.eml`);
      const write = () => fs.writeFile(file, info.message as Buffer, { flag: 'wx', mode: 0o600 });
      // The folder is made at the first mail, and again should someone have removed it.
      await write().catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
        makeDirectories(outboxDir, 0o700);
        return write();
      });
      const links = message.text.match(LINK_PATTERN) ?? [];
      const codes = message.text.match(CODE_PATTERN) ?? [];
      log(
        [
          `[outbox] To ${message.to}: ${message.subject}`,
          ...links,
          ...codes.map((c) => `code ${c}`),
        ].join('\n  '),
      );
    },
    close: () => Promise.resolve(),
  };
}
