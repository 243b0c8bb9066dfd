import { formatDateTime, formatEndTime } from '../i18n/index.js';
import type { Kysely } from 'kysely';
import type { Database, EmailCodePurpose, User } from '../db/schema.js';
import type { MailMessage } from '../mail/mailer.js';
import type { Postman } from '../mail/postman.js';
import type { MailContext } from '../mail/templates.js';
import { composeMail } from '../mail/templates.js';
import { mailLocaleOf, primaryAddressOf } from '../accounts/users.js';
import { isLockedUntilReset } from './constants.js';

/**
 * A code mail. `step_up`: a sign-in code asked for at "Confirm it's you", by someone signed in
 * who has just typed the password again; said as such, not as a log-in.
 */
export function emailCodeMail(
  ctx: MailContext,
  purpose: EmailCodePurpose | 'step_up',
  code: string,
): MailMessage {
  return composeMail(ctx, (m) => {
    const mail = m.twoFactor.mail;
    const [paragraph, note] =
      purpose === 'sign_in'
        ? [mail.codeSignIn, mail.codeNotYou]
        : purpose === 'step_up'
          ? [mail.codeStepUp, mail.codeStepUpNotYou]
          : purpose === 'setup'
            ? [mail.codeSetup, m.mail.ignore]
            : [mail.codeChange, m.mail.ignore];
    return {
      subject: mail.codeSubject(ctx.siteName),
      paragraphs: [paragraph],
      code,
      notes: [note],
    };
  });
}

export type SecurityNotice =
  | { kind: 'method_added'; name: string }
  | { kind: 'method_removed'; name: string; last: boolean }
  | { kind: 'method_email_changed'; name: string; from: string | null; to: string }
  | { kind: 'reset_by_admin' }
  /** `stepUp`: used to confirm a signed-in person ("Confirm it's you"), not to log in. */
  | { kind: 'recovery_code_used'; remaining: number; stepUp: boolean }
  | { kind: 'recovery_codes_regenerated' }
  | { kind: 'locked'; until: number }
  | { kind: 'wrong_code' };

/**
 * Mails the account's primary address about a change to its second factors (SPEC §4
 * "notify"), and for a new address of the email method the address it replaces too. Sent in
 * the background: the change itself is already done and audited.
 */
export function createNotifier(db: Kysely<Database>, postman: Postman, now: () => number) {
  return async function notify(user: User, notice: SecurityNotice): Promise<void> {
    const primary = await primaryAddressOf(db, user.id);
    const recipients = primary ? [primary.email] : [];
    if (notice.kind === 'method_email_changed' && notice.from) {
      const from = notice.from;
      if (!recipients.some((r) => r.toLowerCase() === from.toLowerCase())) recipients.push(from);
    }
    for (const recipient of recipients) send(user, notice, recipient);
  };

  function send(user: User, notice: SecurityNotice, recipient: string): void {
    const ctx = postman.context(recipient, user.name, mailLocaleOf(user));
    const when = formatDateTime(ctx.locale, now());
    postman.sendLater(
      composeMail(ctx, (m) => {
        const t = m.twoFactor.mail;
        switch (notice.kind) {
          case 'method_added':
            return {
              subject: t.addedSubject(ctx.siteName),
              paragraphs: [t.addedBody(notice.name, when)],
              notes: [t.changePassword],
            };
          case 'wrong_code':
            return {
              subject: t.wrongCodeSubject(ctx.siteName),
              paragraphs: [t.wrongCodeBody(when)],
              notes: [t.changePassword],
            };
          case 'method_removed':
            return {
              subject: t.removedSubject(ctx.siteName),
              paragraphs: [
                t.removedBody(notice.name, when),
                ...(notice.last ? [t.removedLast] : []),
              ],
              notes: [t.changePassword],
            };
          case 'method_email_changed':
            return {
              subject: t.emailChangedSubject(ctx.siteName),
              paragraphs: [t.emailChangedBody(notice.name, notice.to, when)],
              notes: [t.changePassword],
            };
          case 'recovery_codes_regenerated':
            return {
              subject: t.regeneratedSubject(ctx.siteName),
              paragraphs: [t.regeneratedBody(when)],
              notes: [t.changePassword],
            };
          case 'reset_by_admin':
            return {
              subject: t.resetSubject(ctx.siteName),
              paragraphs: [t.resetBody(when)],
              // The administrator did it: the question is whether the person asked for it.
              notes: [t.resetNote],
            };
          case 'recovery_code_used':
            return {
              subject: t.recoveryUsedSubject(ctx.siteName),
              paragraphs: [t.recoveryUsedBody(when, notice.remaining, notice.stepUp)],
              notes: [t.changePassword],
            };
          case 'locked':
            return {
              subject: t.lockedSubject(ctx.siteName),
              paragraphs: [
                isLockedUntilReset(notice.until)
                  ? t.lockedUntilResetBody
                  : t.lockedBody(formatEndTime(ctx.locale, notice.until)),
              ],
              notes: [t.changePassword],
            };
        }
      }),
    );
  }
}

export type Notify = ReturnType<typeof createNotifier>;
