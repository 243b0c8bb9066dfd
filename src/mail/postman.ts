import type { Locale } from '../i18n/index.js';
import type { Mailer, MailMessage } from './mailer.js';
import type { MailContext } from './templates.js';

/**
 * Hands messages to the mailer. `sendLater` is for flows that must answer the same whether
 * or not a mail goes out (registration, reset): the reply never waits on the relay, and a
 * failure is logged, never shown. `drain` lets shutdown and tests wait for those sends.
 */
export interface Postman {
  send(message: MailMessage): Promise<void>;
  sendLater(message: MailMessage): void;
  drain(): Promise<void>;
  context(to: string, name: string, locale: string | null): MailContext;
}

export function createPostman(
  mailer: Mailer,
  siteName: string,
  onError: (error: unknown, subject: string) => void,
): Postman {
  const inFlight = new Set<Promise<void>>();
  return {
    send: (message) => mailer.send(message),
    sendLater(message) {
      const sending = mailer
        .send(message)
        .catch((error: unknown) => onError(error, message.subject))
        .finally(() => inFlight.delete(sending));
      inFlight.add(sending);
    },
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
