import { describe, expect, it } from 'vitest';
import type { Mailer, MailMessage } from './mailer.js';
import { MailDeliveryError } from './mailer.js';
import { createPostman } from './postman.js';

/**
 * What a code's page says depends on what became of its mail: a relay that refused it or
 * could not be reached surely sent nothing, while one that timed out may still send it.
 */
describe('postman.sendNow', () => {
  const message: MailMessage = { to: 'a@example.com', subject: 'Code', text: '123456', html: '' };

  function postmanFailingWith(error: Error | undefined) {
    const logged: unknown[] = [];
    const mailer: Mailer = {
      send: () => (error === undefined ? Promise.resolve() : Promise.reject(error)),
      close: () => Promise.resolve(),
    };
    const postman = createPostman(mailer, 'Portico', null, (failure) => logged.push(failure));
    return { postman, logged };
  }

  it('answers sent when the relay takes the mail, and logs nothing', async () => {
    const { postman, logged } = postmanFailingWith(undefined);
    expect(await postman.sendNow(message)).toBe('sent');
    expect(logged).toEqual([]);
  });

  it('answers failed for a refusal, a lost connection or any other error, and logs it', async () => {
    for (const error of [
      new MailDeliveryError('MAIL_REJECTED', 'SMTP refused the message (550)'),
      new MailDeliveryError('MAIL_CONNECTION', 'SMTP connection failed'),
      new Error('disk full'),
    ]) {
      const { postman, logged } = postmanFailingWith(error);
      expect(await postman.sendNow(message)).toBe('failed');
      expect(logged).toEqual([error]);
    }
  });

  it('answers unknown when the relay timed out: the mail may still go out', async () => {
    const error = new MailDeliveryError('MAIL_TIMEOUT', 'SMTP send timed out');
    const { postman, logged } = postmanFailingWith(error);
    expect(await postman.sendNow(message)).toBe('unknown');
    expect(logged).toEqual([error]);
  });
});
