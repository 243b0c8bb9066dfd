import type { SupportContact } from '../config.js';
import { randomBytes } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { RequestMeta } from '../audit/audit.js';
import type { ActiveSession, SessionPolicy } from '../accounts/sessions.js';
import { findActiveSession } from '../accounts/sessions.js';
import { isOwnOrigin } from './csrf.js';
import { SAFE_NEXT_MAX_LENGTH } from './web-deps.js';
import { KNOWN_BROWSER_MAX_AGE_MS } from '../accounts/known-browser.js';
import { UNPROVEN_MAILS_PER_HOUR } from '../accounts/mail-limits.js';
import { PENDING_SIGN_IN_TTL_MS } from '../accounts/sign-in.js';
import type { Clock } from '../clock.js';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Locale, Messages } from '../i18n/index.js';
import { graceEndText, isLocale, localeFromAcceptLanguage, messagesFor } from '../i18n/index.js';
import { clientAddress } from '../security/client-network.js';
import { hmac } from '../security/tokens.js';
import { TRUSTED_DEVICE_TTL_MS } from '../two-factor/trusted-devices.js';
import type { CookieNames, CookieWriter } from './cookies.js';
import { cookieValues } from './cookies.js';
import { safeNext } from './web-deps.js';
import type { Shown, ShownHolder, ShownKind } from './shown-once.js';
import { openShown, sealShown, SHOWN_KINDS, SHOWN_ONCE_TTL_MS, SHOWN_PAGES } from './shown-once.js';
import type { PageContext } from './views/page-context.js';
import { adminNoticeText } from './admin/admin-components.js';

declare module 'fastify' {
  interface FastifyRequest {
    auth: ActiveSession | null;
    locale: Locale;
    t: Messages;
    csrfSecret: string;
    notice: PageContext['notice'];
    /** The notice's cookie as it came, to word it again if the page's language changes. */
    noticeCookie: string | null;
    /** The request came with a session cookie whose session has ended (idle, expired, ended). */
    sessionEnded: boolean;
  }
  interface FastifyReply {
    /** The next page says the session has ended (a redirect to the log-in page). */
    flashSessionEnded(): void;
  }
}

export interface RequestContextOptions {
  db: Kysely<Database>;
  clock: Clock;
  sessionPolicy: SessionPolicy;
  cookies: CookieNames;
  writer: CookieWriter;
  csrfKey: Buffer;
  /** Seals the secrets kept for their one-time page. */
  shownOnceKey: Buffer;
  siteName: string;
  supportContact: SupportContact | null;
  /** PUBLIC_URL's origin: a page of this site named by the browser (Referer) has it. */
  publicOrigin: string;
}

/**
 * Whether the browser is opening a page (a navigation): `Sec-Fetch-Dest: document`, or, from a
 * browser too old to send it, an `Accept` that asks for HTML. Not a stylesheet, an image or a
 * script's own request.
 */
function isPageOpened(request: FastifyRequest): boolean {
  const dest = request.headers['sec-fetch-dest'];
  if (dest !== undefined) return dest === 'document';
  return (request.headers.accept ?? '').includes('text/html');
}

export type NoticeKey = keyof typeof NOTICES;

/** Notices that survive one redirect (POST → redirect → GET). Only these keys can be shown. */
const NOTICES = {
  loggedOut: (t: Messages) => t.login.loggedOut,
  sessionEnded: (t: Messages) => t.login.sessionEnded,
  signInExpired: (t: Messages) => t.twoFactor.errors.sessionGone,
  signInEnded: (t: Messages) => t.twoFactor.errors.SIGN_IN_ENDED,
  signInReplaced: (t: Messages, arg: string) => t.twoFactor.errors.signInReplaced(arg),
  twoFactorCreatedApp: (t: Messages) => t.twoFactor.createdApp,
  twoFactorCreatedEmail: (t: Messages) => t.twoFactor.createdEmail,
  securityKeyAdded: (t: Messages) => t.twoFactor.webauthn.added,
  twoFactorSaved: (t: Messages) => t.twoFactor.saved,
  twoFactorRemoved: (t: Messages, arg: string) => t.twoFactor.removed(arg),
  twoFactorMethodGone: (t: Messages) => t.twoFactor.errors.NOT_FOUND,
  recoveryCodesReplaced: (t: Messages) => t.twoFactor.recoveryCodesReplaced,
  twoFactorEmailChanged: (t: Messages, arg: string) => t.twoFactor.emailChanged(arg),
  twoFactorPolicySaved: (t: Messages) => t.twoFactor.admin.saved,
  twoFactorPolicyNotSaved: (t: Messages) => t.twoFactor.admin.notSavedConfirmFirst,
  setupPostponed: (t: Messages, arg: string, locale: Locale) =>
    t.twoFactor.postponed(graceEndText(t, locale, Number(arg))),
  deviceForgotten: (t: Messages) => t.twoFactor.devices.forgotten,
  devicesForgotten: (t: Messages) => t.twoFactor.devices.forgottenAll,
  sessionSignedOut: (t: Messages) => t.profile.sessions.ended,
  sessionsSignedOut: (t: Messages, arg: string) => t.profile.sessions.endedOthers(arg),
  sessionGone: (t: Messages) => t.profile.sessions.gone,
  sessionIsThisOne: (t: Messages) => t.profile.sessions.thisOne,
  twoFactorReset: (t: Messages, arg: string) => t.twoFactor.admin.resetDone(arg),
  adminNeedsTwoFactor: (t: Messages) => t.admin.needsTwoFactor,
  admin: (t: Messages, arg: string) => adminNoticeText(t, arg),
  emailVerified: (t: Messages) => t.verifyEmail.verifiedNotice,
  addressVerified: (t: Messages) => t.verifyEmail.addressVerified,
  passwordReset: (t: Messages) => t.reset.done,
  passwordChanged: (t: Messages) => t.profile.passwordChanged,
  stepUpConfirmed: (t: Messages) => t.reauth.confirmed,
  stepUpEnded: (t: Messages) => t.reauth.ended,
  stepUpGone: (t: Messages) => t.reauth.gone,
  recoveryCodeUsed: (t: Messages, arg: string) => t.twoFactor.recoveryCodeUsed(Number(arg)),
  saved: (t: Messages) => t.common.saved,
  emailAdded: (t: Messages, arg: string) => t.profile.added(arg),
  emailResent: (t: Messages, arg: string) => t.profile.resent(arg),
  emailAddedNotSent: (t: Messages, arg: string) => t.profile.addedNotSent(arg),
  emailAddedLinkLater: (t: Messages, arg: string) =>
    t.profile.addedLinkLater(arg, UNPROVEN_MAILS_PER_HOUR),
  emailResendFailed: (t: Messages, arg: string) => t.profile.resendFailed(arg),
  emailPrimary: (t: Messages, arg: string) => t.profile.madePrimary(arg),
  emailPrimaryCodesElsewhere: (t: Messages, arg: string) =>
    t.profile.madePrimaryCodesElsewhere(arg),
  emailRemoved: (t: Messages, arg: string) => t.profile.removed(arg),
  emailRemovedCodesThere: (t: Messages, arg: string) => t.profile.removedCodesThere(arg),
  kbCategoryCreated: (t: Messages) => t.kbAdmin.categoryCreated,
  kbCategoryDeleted: (t: Messages) => t.kbAdmin.categoryDeleted,
  kbArticleCreated: (t: Messages) => t.kbAdmin.articleCreated,
  kbArticlePublished: (t: Messages) => t.kbAdmin.articlePublished,
  kbArticleUnpublished: (t: Messages) => t.kbAdmin.articleUnpublished,
} satisfies Record<string, (t: Messages, arg: string, locale: Locale) => string>;

/** A notice for the next page (POST → redirect → GET): a cookie of a minute, read once. */
function setFlash(
  writer: CookieWriter,
  cookies: CookieNames,
  reply: FastifyReply,
  key: NoticeKey,
  arg?: string,
  kind: 'status' | 'error' = 'status',
): void {
  writer.set(reply, cookies.flash, JSON.stringify({ key, arg, kind }), 60);
}

export function requestMeta(request: FastifyRequest): RequestMeta {
  const agent = request.headers['user-agent'];
  return {
    ip: clientAddress(request.ip),
    userAgent: typeof agent === 'string' ? headerText(agent).slice(0, 512) : '',
  };
}

/**
 * Node reads header bytes as Latin-1, so a User-Agent a client sent in UTF-8 (an app that
 * puts its name in it) came out as mojibake in the session list and the audit log. Such a
 * value is read again as UTF-8 when it is valid UTF-8; a plain ASCII one, nearly all, as is.
 */
export function headerText(value: string): string {
  // eslint-disable-next-line no-control-regex
  if (!/[^\x00-\x7f]/.test(value)) return value;
  const utf8 = Buffer.from(value, 'latin1').toString('utf8');
  return utf8.includes('\ufffd') ? value : utf8;
}

/**
 * Loads, once per request: the session (if any), the language, the CSRF secret cookie and a
 * pending notice. Static assets skip all of it.
 */
export function registerRequestContext(app: FastifyInstance, options: RequestContextOptions): void {
  const { cookies, writer } = options;
  app.decorateRequest('auth', null);
  app.decorateRequest('locale', 'en');
  app.decorateRequest('t', null as unknown as Messages);
  app.decorateRequest('csrfSecret', '');
  app.decorateRequest('notice', null);
  app.decorateRequest('noticeCookie', null);
  app.decorateRequest('sessionEnded', false);
  app.decorateReply('flashSessionEnded', function (this: FastifyReply) {
    setFlash(writer, cookies, this, 'sessionEnded');
  });

  app.addHook('onRequest', async (request, reply) => {
    request.t = messagesFor('en');
    if (
      request.url.startsWith('/assets/') ||
      request.url === '/health' ||
      request.url === '/health/ready' ||
      request.url.startsWith('/api/')
    )
      return;

    // A secret shown once is shown on its page only: the browser opening any other page (a
    // link, the address bar, Back to an earlier page) ends it. A reload, or the language
    // switch's way back, opens the same page; a stylesheet or icon is no page opened.
    if (request.method === 'GET' && isPageOpened(request)) {
      const path = request.url.split('?')[0];
      for (const kind of SHOWN_KINDS) {
        const name = cookies.shown[kind];
        if (request.cookies[name] !== undefined && path !== SHOWN_PAGES[kind]) {
          writer.clear(reply, name);
        }
      }
    }

    const sessionToken = request.cookies[cookies.session];
    if (sessionToken) {
      request.auth =
        (await findActiveSession(
          options.db,
          sessionToken,
          options.sessionPolicy,
          options.clock.now(),
        )) ?? null;
      if (!request.auth) {
        writer.clear(reply, cookies.session);
        request.sessionEnded = true;
      }
    }

    const fromUser = request.auth?.user.locale;
    const fromCookie = request.cookies[cookies.language];
    request.locale = isLocale(fromUser)
      ? fromUser
      : isLocale(fromCookie)
        ? fromCookie
        : (localeFromAcceptLanguage(request.headers['accept-language']) ?? 'en');
    request.t = messagesFor(request.locale);

    const csrf = request.cookies[cookies.csrf];
    if (csrf && /^[A-Za-z0-9_-]{43}$/.test(csrf)) {
      request.csrfSecret = csrf;
    } else if (request.method === 'GET' || request.method === 'HEAD') {
      request.csrfSecret = randomBytes(32).toString('base64url');
      writer.set(reply, cookies.csrf, request.csrfSecret);
    }

    const flash = request.cookies[cookies.flash];
    if (flash) {
      writer.clear(reply, cookies.flash);
      request.noticeCookie = flash;
    }
    wordNotice(request);
  });
}

/** The page's notice in its language: a flash cookie's, or that the session has ended. */
function wordNotice(request: FastifyRequest): void {
  request.notice = request.noticeCookie
    ? readNotice(request.t, request.locale, request.noticeCookie)
    : null;
  // Signed out without asking (idle too long, a password changed elsewhere, an administrator's
  // reset): the page says so, instead of just showing the person signed out.
  if (request.sessionEnded && !request.notice)
    request.notice = { kind: 'status', text: NOTICES.sessionEnded(request.t) };
}

function readNotice(t: Messages, locale: Locale, raw: string): PageContext['notice'] {
  try {
    const parsed = JSON.parse(raw) as { key?: unknown; arg?: unknown; kind?: unknown };
    if (typeof parsed.key !== 'string' || !Object.hasOwn(NOTICES, parsed.key)) return null;
    const arg = typeof parsed.arg === 'string' ? parsed.arg.slice(0, 300) : '';
    return {
      kind: parsed.kind === 'error' ? 'error' : 'status',
      text: NOTICES[parsed.key as NoticeKey](t, arg, locale),
    };
  } catch {
    return null;
  }
}

export function csrfTokenFor(secret: string, key: Buffer): string {
  return secret ? hmac(key, 'csrf', secret) : '';
}

export interface WebTools {
  page(request: FastifyRequest): PageContext;
  flash(reply: FastifyReply, key: NoticeKey, arg?: string, kind?: 'status' | 'error'): void;
  setSession(reply: FastifyReply, token: string): void;
  clearSession(reply: FastifyReply): void;
  setPending(reply: FastifyReply, token: string): void;
  clearPending(reply: FastifyReply): void;
  /** The cookie that counts this browser's password attempts apart (known-browser.ts). */
  rememberKnownBrowser(reply: FastifyReply, token: string): void;
  /**
   * Keeps the page asked for before a log-in through the mandatory set-up, which spans several
   * pages and forms (an empty `next` forgets an older one); as long as the pending sign-in lives.
   */
  keepNext(reply: FastifyReply, next: string): void;
  /** The kept page, checked again as a local path (else `/`), and forgotten. */
  takeNext(request: FastifyRequest, reply: FastifyReply): string;
  /** Keeps a trusted device's token in the browser for as long as the device is trusted. */
  setDevice(reply: FastifyReply, token: string): void;
  clearDevice(reply: FastifyReply): void;
  /**
   * A new CSRF secret at every change of who is signed in (login CSRF, fixation). The next
   * page is always reached by a redirect, so it is rendered with the new secret.
   */
  rotateCsrf(reply: FastifyReply): void;
  /** Remembers the language in the browser; null forgets it (the browser's own then counts). */
  setLanguage(reply: FastifyReply, locale: Locale | null): void;
  /**
   * A log-in's second step and its set-up know the account before a session does: from there
   * on they speak its language, as its mails and the pages after it do, unless this browser
   * has chosen one with the language switch.
   */
  speakAs(request: FastifyRequest, account: { locale: string | null }): void;
  /**
   * Keeps a secret for its one-time page (POST → redirect → GET): sealed in a short-lived
   * cookie sent to that page only, and bound to the person and session it was made for.
   */
  keepShown<K extends ShownKind>(
    reply: FastifyReply,
    kind: K,
    holder: ShownHolder,
    value: Shown[K],
  ): void;
  /** The kept secret for this request's session; null if none, expired, or someone else's. */
  shown<K extends ShownKind>(request: FastifyRequest, kind: K): Shown[K] | null;
  /** The page has done its job ("Continue"): the secret is not shown again. */
  forgetShown(reply: FastifyReply, kind: ShownKind): void;
  cookies: CookieNames;
}

/** The holder a signed-in request speaks for. */
export function shownHolder(auth: ActiveSession): ShownHolder {
  return { userId: auth.user.id, sessionHash: auth.session.id_hash };
}

/**
 * The page a language switch leads back to. A form's answer (a refusal, a preview) is shown at
 * the address the form was posted to, which has no page to get: there, the page the form was
 * on, as the browser names it (Referer, sent for this site's own pages), else home.
 */
function pageToReturnTo(request: FastifyRequest, publicOrigin: string): string {
  if (request.method === 'GET' || request.method === 'HEAD')
    return request.url.slice(0, SAFE_NEXT_MAX_LENGTH);
  const referer = request.headers.referer;
  if (!referer) return '/';
  try {
    const from = new URL(referer);
    return isOwnOrigin(request, from.origin, publicOrigin)
      ? `${from.pathname}${from.search}`.slice(0, SAFE_NEXT_MAX_LENGTH)
      : '/';
  } catch {
    return '/';
  }
}

export function createWebTools(
  options: RequestContextOptions & { sessionMaxSeconds: number },
): WebTools {
  const { cookies, writer } = options;
  const shownKey = options.shownOnceKey;
  return {
    cookies,
    speakAs(request, account) {
      if (request.auth || isLocale(request.cookies[cookies.language])) return;
      if (!isLocale(account.locale) || account.locale === request.locale) return;
      request.locale = account.locale;
      request.t = messagesFor(account.locale);
      wordNotice(request);
    },
    page(request) {
      return {
        t: request.t,
        locale: request.locale,
        siteName: options.siteName,
        supportContact: options.supportContact,
        publicOrigin: options.publicOrigin,
        user: request.auth
          ? {
              id: request.auth.user.id,
              name: request.auth.user.name,
              isAdmin: request.auth.user.is_admin === 1,
            }
          : null,
        csrfToken: csrfTokenFor(request.csrfSecret, options.csrfKey),
        path: pageToReturnTo(request, options.publicOrigin),
        notice: request.notice,
      };
    },
    flash(reply, key, arg, kind) {
      setFlash(writer, cookies, reply, key, arg, kind);
    },
    setSession(reply, token) {
      writer.set(reply, cookies.session, token, options.sessionMaxSeconds);
    },
    clearSession(reply) {
      writer.clear(reply, cookies.session);
    },
    setDevice(reply, token) {
      writer.set(reply, cookies.device, token, TRUSTED_DEVICE_TTL_MS / 1000);
    },
    clearDevice(reply) {
      writer.clear(reply, cookies.device);
    },
    setPending(reply, token) {
      writer.set(reply, cookies.pending, token, PENDING_SIGN_IN_TTL_MS / 1000);
    },
    clearPending(reply) {
      writer.clear(reply, cookies.pending);
    },
    rememberKnownBrowser(reply, token) {
      writer.set(reply, cookies.knownBrowser, token, KNOWN_BROWSER_MAX_AGE_MS / 1000);
    },
    keepNext(reply, next) {
      if (next) writer.set(reply, cookies.next, next, PENDING_SIGN_IN_TTL_MS / 1000);
      else writer.clear(reply, cookies.next);
    },
    takeNext(request, reply) {
      const next = request.cookies[cookies.next];
      if (next === undefined) return '/';
      writer.clear(reply, cookies.next);
      return safeNext(next);
    },
    rotateCsrf(reply) {
      const secret = randomBytes(32).toString('base64url');
      writer.set(reply, cookies.csrf, secret);
    },
    setLanguage(reply, locale) {
      if (locale === null) writer.clear(reply, cookies.language);
      else writer.set(reply, cookies.language, locale, 365 * 24 * 3600);
    },
    keepShown(reply, kind, holder, value) {
      const sealed = sealShown(shownKey, kind, holder, value, options.clock.now());
      writer.set(reply, cookies.shown[kind], sealed, SHOWN_ONCE_TTL_MS / 1000);
    },
    shown(request, kind) {
      if (!request.auth) return null;
      const holder = shownHolder(request.auth);
      // A few at most: another host may have set one of the same name beside ours.
      for (const sealed of cookieValues(request.headers.cookie, cookies.shown[kind]).slice(0, 4)) {
        const value = openShown(shownKey, kind, holder, sealed, options.clock.now());
        if (value) return value;
      }
      return null;
    },
    forgetShown(reply, kind) {
      writer.clear(reply, cookies.shown[kind]);
    },
  };
}
