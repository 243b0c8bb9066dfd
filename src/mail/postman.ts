import type { SupportContact } from '../config.js';
import type { Locale } from '../i18n/index.js';
import type { Mailer, MailMessage } from './mailer.js';
import { MailDeliveryError } from './mailer.js';
import type { MailContext } from './templates.js';

/**
 * What became of a mail: the relay took it; it surely did not (refused, no connection); or the
 * relay did not answer in time, and the mail may still go out.
 */
export type Delivery = 'sent' | 'failed' | 'unknown';

/**
 * Hands messages to the mailer. `sendLater` is for flows that must answer the same whether
 * or not a mail goes out (registration, reset): the reply never waits on the relay, and a
 * failure is logged, never shown. `sendNow` is for a code the person is waiting for: the
 * reply waits for the relay's answer, so a failure (logged) can be shown.
 * `drain` lets shutdown and tests wait for the sends in flight.
 */
export interface Postman {
  send(message: MailMessage): Promise<void>;
  sendLater(message: MailMessage): void;
  /**
   * Runs `compose` after the reply, then sends what it makes (nothing for null): for a flow
   * whose answer must not take longer when there is someone to write to. A failure is logged
   * under `label`.
   */
  composeLater(label: string, compose: () => Promise<MailMessage | null>): void;
  sendNow(message: MailMessage): Promise<Delivery>;
  drain(): Promise<void>;
  /**
   * `name`: null for a mailbox nobody has proven to be the account's. Whoever registers or adds
   * an address chooses the name, and a greeting would carry their words (a fake warning, a link)
   * inside the help center's own mail to a stranger.
   */
  context(to: string, name: string | null, locale: string | null): MailContext;
}

export function createPostman(
  mailer: Mailer,
  siteName: string,
  supportContact: SupportContact | null,
  onError: (error: unknown, subject: string) => void,
): Postman {
  const inFlight = new Set<Promise<Delivery>>();
  /** Sends, logs a failure, and answers what became of the message. */
  function deliver(message: MailMessage): Promise<Delivery> {
    const sending: Promise<Delivery> = mailer
      .send(message)
      .then(
        () => 'sent' as const,
        (error: unknown) => {
          onError(error, message.subject);
          return error instanceof MailDeliveryError && error.code === 'MAIL_TIMEOUT'
            ? 'unknown'
            : 'failed';
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
    composeLater(label, compose) {
      const composing: Promise<Delivery> = new Promise<void>((resolve) => setImmediate(resolve))
        .then(compose)
        .then(
          (message) => (message ? deliver(message) : ('sent' as const)),
          (error: unknown) => {
            onError(error, label);
            return 'failed' as const;
          },
        )
        .finally(() => inFlight.delete(composing));
      inFlight.add(composing);
    },
    sendNow: deliver,
    async drain() {
      while (inFlight.size > 0) await Promise.all([...inFlight]);
    },
    context: (to, name, locale) => ({
      to,
      name,
      siteName,
      supportContact,
      locale: (locale === 'nl' ? 'nl' : 'en') satisfies Locale,
    }),
  };
}
