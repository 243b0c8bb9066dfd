import type { SupportContact } from '../config.js';
import type { Locale } from '../i18n/index.js';
import { messagesFor } from '../i18n/index.js';
import type { Messages } from '../i18n/index.js';
import { html } from '../lib/html.js';
import type { MailMessage } from './mailer.js';

export interface MailContext {
  to: string;
  /** Null greets without a name (Postman.context says when). */
  name: string | null;
  locale: Locale;
  siteName: string;
  /** How to reach the helpdesk (PORTICO_SUPPORT_CONTACT): a line above the signature. */
  supportContact?: SupportContact | null;
}

interface MailParts {
  subject: string;
  paragraphs: string[];
  action?: { label: string; url: string };
  /** A code shown large in the HTML part and on its own line in the text part. */
  code?: string;
  notes?: string[];
}

/** Every mail has the same shape: greeting, paragraphs, an optional link or code, notes. */
export function composeMail(ctx: MailContext, build: (m: Messages) => MailParts): MailMessage {
  const m = messagesFor(ctx.locale);
  const parts = build(m);
  const notes = parts.notes ?? [];
  const text = [
    m.mail.greeting(ctx.name),
    '',
    ...parts.paragraphs.flatMap((p) => [p, '']),
    ...(parts.code ? [parts.code, ''] : []),
    ...(parts.action ? [parts.action.url, ''] : []),
    ...notes.flatMap((n) => [n, '']),
    ...(ctx.supportContact ? [m.mail.supportContact(ctx.supportContact.label), ''] : []),
    m.mail.signature(ctx.siteName),
  ].join('\n');
  const body = html`<!doctype html>
    <html lang="${ctx.locale}">
      <head>
        <meta charset="utf-8" />
        <title>${parts.subject}</title>
      </head>
      <body
        style="font-family:system-ui,sans-serif;line-height:1.5;color:#1b1f24;max-width:36rem;margin:0 auto;padding:1.5rem"
      >
        <p>${m.mail.greeting(ctx.name)}</p>
        ${parts.paragraphs.map((p) => html`<p>${p}</p>`)}
        ${parts.code ? html`<p style="font-size:1.75rem;font-weight:700;letter-spacing:.2em;font-family:ui-monospace,monospace">${parts.code}</p>` : ''}
        ${
          parts.action
            ? html`<p>
                  <a
                    href="${parts.action.url}"
                    style="display:inline-block;background:#0b57d0;color:#fff;padding:.6rem 1rem;border-radius:.375rem;text-decoration:none"
                    >${parts.action.label}</a
                  >
                </p>
                <p style="font-size:.875rem;color:#555;overflow-wrap:anywhere;word-break:break-all">
                  ${parts.action.url}
                </p>`
            : ''
        }
        ${notes.map((n) => html`<p style="font-size:.875rem;color:#555">${n}</p>`)}
        ${
          ctx.supportContact
            ? html`<p style="font-size:.875rem;color:#555">
                ${m.mail.supportContactLead}
                <a href="${ctx.supportContact.href}">${ctx.supportContact.label}</a>
              </p>`
            : ''
        }
        <p>${m.mail.signature(ctx.siteName)}</p>
      </body>
    </html>`;
  return { to: ctx.to, subject: parts.subject, text, html: body.value, language: ctx.locale };
}

export function verifyEmailMail(ctx: MailContext, url: string): MailMessage {
  return composeMail(ctx, (m) => ({
    subject: m.mail.verifySubject(ctx.siteName),
    paragraphs: [m.mail.verifyBody],
    action: { label: m.mail.verifyButton, url },
    notes: [m.mail.ignore],
  }));
}

export function addressAddedMail(ctx: MailContext, url: string): MailMessage {
  return composeMail(ctx, (m) => ({
    subject: m.mail.addressAddedSubject(ctx.siteName),
    paragraphs: [m.mail.verifyBody],
    action: { label: m.mail.verifyButton, url },
    notes: [m.mail.ignore],
  }));
}

/** A change to the account's addresses, told to each of its addresses (and one just removed). */
export function addressesChangedMail(
  ctx: MailContext,
  body: (m: Messages) => string,
  /** Sent to the address that was removed, which cannot reset the password any more. */
  toRemoved = false,
): MailMessage {
  return composeMail(ctx, (m) => ({
    subject: m.mail.addressesChangedSubject(ctx.siteName),
    paragraphs: [body(m)],
    notes: [toRemoved ? m.mail.notYouRemoved : m.mail.notYou],
  }));
}

/** The address's password log-in closed to new browsers after wrong passwords in a row. */
export function passwordBlockedMail(ctx: MailContext, when: string): MailMessage {
  return composeMail(ctx, (m) => ({
    subject: m.mail.passwordBlockedSubject(ctx.siteName),
    paragraphs: [m.mail.passwordBlockedBody(ctx.to, when), m.mail.passwordBlockedWhatNow],
    notes: [m.mail.passwordBlockedNotYou],
  }));
}

export function accountExistsMail(ctx: MailContext, resetUrl: string): MailMessage {
  return composeMail(ctx, (m) => ({
    subject: m.mail.existsSubject(ctx.siteName),
    paragraphs: [m.mail.existsBody],
    action: { label: m.mail.resetButton, url: resetUrl },
    notes: [m.mail.ignore],
  }));
}

export function passwordResetMail(ctx: MailContext, url: string): MailMessage {
  return composeMail(ctx, (m) => ({
    subject: m.mail.resetSubject(ctx.siteName),
    paragraphs: [m.mail.resetBody],
    action: { label: m.mail.resetButton, url },
    notes: [m.mail.resetTwoFactorNote, m.mail.ignore],
  }));
}

/**
 * A reset link for a registration that has verified no address yet: using it verifies the
 * address as well (`resetPassword`). No two-factor note: such an account has never logged in.
 */
export function waitingRegistrationResetMail(ctx: MailContext, url: string): MailMessage {
  return composeMail(ctx, (m) => ({
    subject: m.mail.resetSubject(ctx.siteName),
    paragraphs: [m.mail.resetBody, m.mail.resetVerifiesAddress],
    action: { label: m.mail.resetButton, url },
    notes: [m.mail.ignore],
  }));
}

export function passwordChangedMail(
  ctx: MailContext,
  when: string,
  how: 'changed' | 'reset' = 'changed',
): MailMessage {
  return composeMail(ctx, (m) => ({
    subject: m.mail.passwordChangedSubject(ctx.siteName),
    paragraphs: [
      how === 'reset' ? m.mail.passwordResetBody(when) : m.mail.passwordChangedBody(when),
    ],
    notes: [m.mail.notYou],
  }));
}
