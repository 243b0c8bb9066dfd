import type { AddressInfo } from 'node:net';
import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';

export interface CapturedMail {
  to: string;
  /** The From header as written: display name and address. */
  from: string;
  subject: string;
  text: string;
  html: string;
  /** The Content-Language header, or null without one. */
  language: string | null;
}

/**
 * A real SMTP server on loopback that keeps every message it receives. Tests read links and
 * codes out of the delivered mail, as a person would.
 */
function headerText(value: unknown): string | null {
  return typeof value === 'string' ? value : null;
}

export class MailCapture {
  readonly messages: CapturedMail[] = [];
  /** Addresses the server refuses for now, as a relay does with a full or unknown mailbox. */
  readonly refused = new Set<string>();
  private waiters: Array<() => void> = [];
  private server: SMTPServer;

  private constructor(
    readonly port: number,
    server: SMTPServer,
  ) {
    this.server = server;
  }

  static async start(): Promise<MailCapture> {
    const sink: { capture?: MailCapture } = {};
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onRcptTo(address, _session, callback) {
        if (sink.capture?.refused.has(address.address.toLowerCase())) {
          const error = Object.assign(new Error('Mailbox unavailable'), { responseCode: 450 });
          callback(error);
          return;
        }
        callback();
      },
      onData(stream, session, callback) {
        simpleParser(stream)
          .then((parsed) => {
            const to = session.envelope.rcptTo.map((r) => r.address).join(', ');
            sink.capture?.receive({
              to,
              from: parsed.from?.text ?? '',
              subject: parsed.subject ?? '',
              text: parsed.text ?? '',
              html: typeof parsed.html === 'string' ? parsed.html : '',
              language: headerText(parsed.headers.get('content-language')),
            });
            callback();
          })
          .catch((error: Error) => callback(error));
      },
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.server.address() as AddressInfo).port;
    sink.capture = new MailCapture(port, server);
    return sink.capture;
  }

  get url(): string {
    return `smtp://127.0.0.1:${this.port}`;
  }

  private receive(mail: CapturedMail) {
    this.messages.push(mail);
    for (const wake of this.waiters.splice(0)) wake();
  }

  /** The first message (in arrival order, from `since`) to `to` whose subject matches. */
  async waitFor(
    to: string,
    subject: RegExp | string = /.*/,
    options: { timeoutMs?: number; since?: number } = {},
  ): Promise<CapturedMail> {
    const deadline = Date.now() + (options.timeoutMs ?? 5_000);
    const matches = (m: CapturedMail) =>
      m.to.toLowerCase().includes(to.toLowerCase()) &&
      (typeof subject === 'string' ? m.subject.includes(subject) : subject.test(m.subject));
    for (;;) {
      const found = this.messages.slice(options.since ?? 0).find(matches);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) {
        throw new Error(
          `No mail to ${to} matching ${String(subject)}; got: ${this.messages.map((m) => `${m.to}: ${m.subject}`).join(' | ') || 'none'}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** All messages to an address, oldest first. */
  to(address: string): CapturedMail[] {
    return this.messages.filter((m) => m.to.toLowerCase().includes(address.toLowerCase()));
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** The first link in a mail's text part whose path starts with `pathPrefix`. */
export function linkIn(mail: CapturedMail, pathPrefix: string): string {
  const links = mail.text.match(/https?:\/\/\S+/g) ?? [];
  const link = links.find((l) => new URL(l).pathname.startsWith(pathPrefix));
  if (!link) throw new Error(`No ${pathPrefix} link in mail "${mail.subject}"`);
  return link;
}

/** The path and query of that link, for in-process requests. */
export function pathOf(link: string): string {
  const url = new URL(link);
  return url.pathname + url.search;
}

export function codeIn(mail: CapturedMail): string {
  const match = /^\s*(\d{6})\s*$/m.exec(mail.text);
  if (!match?.[1]) throw new Error(`No code in mail "${mail.subject}"`);
  return match[1];
}
