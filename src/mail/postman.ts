import type { Locale } from '../i18n/index.js';
import type { Mailer, MailMessage } from './mailer.js';
import type { MailContext } from './templates.js';

/**
 * Hands messages to the mailer. `sendLater` is for flows that must answer the same whether
 * or not a mail goes out (registration, reset): the reply never waits on the relay, and a
 * failure is logged, never shown. `sendNow` is for a code the person is waiting for: the
 * reply waits until the relay has taken the mail, so a failure (logged) can be shown.
 * `drain` lets shutdown and tests wait for the sends in flight.
 */
export interface Postman {
  send(message: MailMessage): Promise<void>;
  sendLater(message: MailMessage): void;
  /** Whether the relay took the message. */
  sendNow(message: MailMessage): Promise<boolean>;
  drain(): Promise<void>;
  context(to: string, name: string, locale: string | null): MailContext;
}

export function createPostman(
  mailer: Mailer,
  siteName: string,
  onError: (error: unknown, subject: string) => void,
): Postman {
  const inFlight = new Set<Promise<boolean>>();
  /** Sends, logs a failure, and answers whether the relay took the message. */
  function deliver(message: MailMessage): Promise<boolean> {
    const sending: Promise<boolean> = mailer
      .send(message)
      .then(
        () => true,
        (error: unknown) => {
          onError(error, message.subject);
          return false;
        },
      )
      .finally(() => inFlight.delete(sending));
    inFlight.add(sending);
    return sending;
  }
  return {
    send: (message) => mailer.send(message),
    sendLater(message) {
      void deliver(message);
    },
    sendNow: deliver,
    async drain() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    context: (to, name, locale) => ({
      to,
      name,
      siteName,
      locale: (locale === 'nl' ? 'nl' : 'en') satisfies Locale,
    }),
  };
}
