import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import formbody from '@fastify/formbody';
import fastifyStatic from '@fastify/static';
import Fastify, { LogController } from 'fastify';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import helmet from 'helmet';
import pino from 'pino';
import type { HasherOptions, PasswordHasher } from './accounts/passwords.js';
import { ARGON2_PARAMS, createPasswordHasher } from './accounts/passwords.js';
import type { PasswordScreen } from './accounts/password-screen.js';
import { createPasswordScreen } from './accounts/password-screen.js';
import type { Clock } from './clock.js';
import { HOUR_MS, MINUTE_MS, systemClock } from './clock.js';
import type { Config } from './config.js';
import type { DatabaseHandle } from './db/database.js';
import type { Mailer } from './mail/mailer.js';
import { createOutboxMailer, createSmtpMailer } from './mail/mailer.js';
import { createPostman } from './mail/postman.js';
import {
  checkSecretKey,
  deriveKeys,
  openMasterKey,
  SecretKeyMismatchError,
} from './security/secret-key.js';
import { clientAddress } from './security/client-network.js';
import type { Keys } from './security/secret-key.js';
import type { Services } from './services.js';
import { createServices } from './services.js';
import { opensStoredTotpSecret } from './two-factor/methods.js';
import { cookieNames, cookieWriter } from './web/cookies.js';
import { registerCsrfProtection } from './web/csrf.js';
import { parseFormBody } from './web/form-body.js';
import type { ErrorPages } from './web/error-pages.js';
import { registerErrorPages } from './web/error-pages.js';
import { registerAuthRoutes } from './web/portal/auth-routes.js';
import { registerHomeRoutes } from './web/portal/home-routes.js';
import { registerProfileRoutes } from './web/portal/profile-routes.js';
import { registerChallengeRoutes } from './web/portal/challenge-routes.js';
import { registerTwoFactorRoutes } from './web/portal/two-factor-routes.js';
import { registerTrustedDeviceRoutes } from './web/portal/trusted-device-routes.js';
import { registerKbRoutes } from './web/portal/kb-routes.js';
import { registerKbAdminRoutes } from './web/admin/kb-admin-routes.js';
import { registerAdminGuard } from './web/admin/admin-guard.js';
import { registerAdminRoutes } from './web/admin/admin-routes.js';
import { localeFromAcceptLanguage, messagesFor } from './i18n/index.js';
import { apiPlugin } from './web/api/api-plugin.js';
import { unreadableRequestHandler } from './web/unreadable-request.js';
import { lazySchemaCompilers } from './web/lazy-schema-compilers.js';
import { createWebTools, registerRequestContext } from './web/request-context.js';
import type { WebDeps } from './web/web-deps.js';
import { registerVendorAssets } from './web/vendor-assets.js';
import { batchLines } from './lib/log-stream.js';

/** Form posts are small; anything larger is refused before it is parsed (413). */
export const BODY_LIMIT_BYTES = 64 * 1024;
/** How long a client may take to send one whole request (headers and body). */
export const REQUEST_TIMEOUT_MS = 30_000;
/** A log line on standard output waits at most this long to be written with others. */
export const LOG_BATCH_DELAY_MS = 100;
const LOG_BATCH_MAX_CHARS = 16 * 1024;

// src/app.ts and dist/app.js both sit one level below the package root.
const assetsDir = fileURLToPath(new URL('../public/', import.meta.url));

export interface AppOptions {
  config: Config;
  database: DatabaseHandle;
  clock?: Clock;
  /** Argon2's cost parameters (tests use cheaper ones); the pepper comes from the master key. */
  hashing?: Omit<HasherOptions, 'secret'>;
  /** A hasher to use as it is, instead of one built from `hashing` and the pepper. */
  hasher?: PasswordHasher;
  passwordScreen?: PasswordScreen;
  mailer?: Mailer;
  /** Where logs go (tests collect them); `false` for none. Defaults to stdout at LOG_LEVEL. */
  logger?: { level?: string; stream?: { write(line: string): void } } | false;
  /**
   * Where the dev outbox prints each mail's subject, links and codes. By default plain lines on
   * standard output, beside the start's own lines, where a person trying Portico reads them.
   */
  outboxLog?: (line: string) => void;
  /**
   * false for a command that changes accounts but sets nothing up (reset-2fa, unlock-2fa): on
   * a database no server has started yet it records no key and makes no key file, which would
   * decide the installation's key for it. Where one is recorded, it is checked as always.
   */
  settleKey?: boolean;
}

export interface PorticoApp {
  app: FastifyInstance;
  services: Services;
  close(): Promise<void>;
}

/**
 * One log line per request, written when it is answered, with method, path, status and time.
 * Fastify's default adds a second line when the request arrives, which doubled the logging
 * work of every request (docs/performance.md). Errors and the other events log as before.
 */
class AnswerLogController extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (error) return super.requestCompleted(error, request, reply);
    reply.log.info(
      { req: request, res: reply, responseTime: reply.elapsedTime },
      'request completed',
    );
  }
}

/**
 * Request ids for the log lines. Fastify's own count from `req-1` in every process, so the
 * processes behind one load balancer logged the same ids for different requests; these start
 * with a random prefix of this process, then count.
 */
function requestIds(): () => string {
  const prefix = randomBytes(4).toString('hex');
  let count = 0;
  return () => `${prefix}-${(++count).toString(36)}`;
}

/** The headers a (request-independent) helmet middleware sets, collected once. */
function headersOf(middleware: ReturnType<typeof helmet>): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader(name: string, value: string) {
      headers[name.toLowerCase()] = value;
    },
    removeHeader(name: string) {
      delete headers[name.toLowerCase()];
    },
  };
  middleware(
    {} as Parameters<typeof middleware>[0],
    response as unknown as Parameters<typeof middleware>[1],
    (error?: unknown) => {
      if (error) throw new Error('helmet refused its configuration', { cause: error });
    },
  );
  return headers;
}

/**
 * The keys of this installation, derived from its master key, once the database has confirmed
 * that the master key is the one it was set up with (src/security/secret-key.ts).
 */
export async function installationKeys(
  config: Config,
  database: DatabaseHandle,
  now: number,
  /** false: neither a key file nor the database's record of the key is made (AppOptions). */
  settle = true,
): Promise<Keys> {
  const { key, keyFile, made } = openMasterKey(config.secretKey, config.dataDir, settle);
  const keys = deriveKeys(key);
  try {
    await checkSecretKey(database.db, keys, {
      now,
      keyFile,
      opensStoredSecrets: () => opensStoredTotpSecret(database.db, keys),
      record: settle,
    });
  } catch (error) {
    if (!(keyFile && made && error instanceof SecretKeyMismatchError)) throw error;
    // Made by this start: taken away again. (Not made, when `settle` is false: said alike.)
    if (settle) fs.rmSync(keyFile, { force: true });
    throw new SecretKeyMismatchError(keyFile, true);
  }
  return keys;
}

/** The composition root: builds the services from config and mounts the web apps. */
export async function buildApp(options: AppOptions): Promise<PorticoApp> {
  const { config, database } = options;
  const clock = options.clock ?? systemClock;
  // Before anything is built: a process with another master key than the installation's stops
  // here (`serve` and the CLI print the error's one line), instead of failing every TOTP
  // sign-in, every password and every CSRF token and code the other processes made.
  const keys = await installationKeys(config, database, clock.now(), options.settleKey ?? true);
  // Standard output gets the log lines in batches (written asynchronously, a line at most
  // LOG_BATCH_DELAY_MS late, the rest flushed at exit): a write per line was a measurable share
  // of each answer (docs/performance.md).
  const stdoutLog =
    options.logger === false || options.logger?.stream
      ? undefined
      : batchLines(pino.destination({ dest: 1, sync: false }), {
          delayMs: LOG_BATCH_DELAY_MS,
          maxChars: LOG_BATCH_MAX_CHARS,
          flushAtExit: true,
        });
  const securityHeaders = headersOf(
    helmet({
      contentSecurityPolicy: {
        useDefaults: false,
        directives: {
          defaultSrc: ["'self'"],
          scriptSrc: ["'self'"],
          styleSrc: ["'self'"],
          imgSrc: ["'self'", 'data:'],
          formAction: ["'self'"],
          frameAncestors: ["'none'"],
          baseUri: ["'none'"],
          objectSrc: ["'none'"],
        },
      },
      referrerPolicy: { policy: 'same-origin' },
      strictTransportSecurity: config.secure
        ? { maxAge: 31_536_000, includeSubDomains: true }
        : false,
      crossOriginEmbedderPolicy: false,
      // Agrees with frame-ancestors 'none' for browsers that only read X-Frame-Options.
      frameguard: { action: 'deny' },
    }),
  );
  let answerBadUrl: ErrorPages['badRequest'] = (_request, reply, status) =>
    reply.code(status).send();
  const app = Fastify({
    logger:
      options.logger === false
        ? false
        : {
            level: options.logger?.level ?? config.logLevel,
            stream: options.logger?.stream ?? stdoutLog,
            // Links in mails carry tokens in their query strings: request logs keep only the path.
            serializers: {
              req: (req: { method: string; url: string; ip: string }) => ({
                method: req.method,
                url: req.url.split('?')[0],
                remoteAddress: clientAddress(req.ip),
              }),
            },
          },
    trustProxy:
      typeof config.trustProxy === 'number'
        ? (_address: string, hop: number) => hop < (config.trustProxy as number)
        : config.trustProxy,
    logController: new AnswerLogController(),
    genReqId: requestIds(),
    bodyLimit: BODY_LIMIT_BYTES,
    // A request must have arrived whole within this time: a client that sends it a few bytes
    // at a time would otherwise hold a connection, and a stop (SIGTERM), for as long as it likes.
    requestTimeout: REQUEST_TIMEOUT_MS,
    routerOptions: { maxParamLength: 200 },
    // A request Node's parser cannot read (an unknown method, headers over 16 KB, bytes that
    // are no HTTP): a short page with the usual headers, not Fastify's bare JSON.
    clientErrorHandler: unreadableRequestHandler(securityHeaders),
    // A path that does not decode (a stray "%") or is too long gets an error page like any bad
    // request:
    // a styled page in the visitor's language, or the API's JSON error; no request hook has
    // run for it, so its language is set here.
    frameworkErrors: (error, request, reply) => {
      request.locale = localeFromAcceptLanguage(request.headers['accept-language']) ?? 'en';
      request.t = messagesFor(request.locale);
      const status = error.statusCode === 414 ? 414 : 400;
      request.log.info({ code: error.code, status }, 'request refused');
      void reply.headers(securityHeaders);
      void answerBadUrl(request, reply, status);
    },
    // Route schemas (the /api/v1 routes) compile when first used, not at start; a JSON body's
    // types are taken as sent (`"email": "false"` is refused, not read as false).
    schemaController: { compilersFactory: lazySchemaCompilers({ strictBodies: true }) },
    // A parameter the API does not know is refused, not dropped: `?search=` for `?q=` would
    // otherwise list every user, and a script acting on that list would act on everyone.
    ajv: { customOptions: { removeAdditional: false } },
  });

  const mailer =
    options.mailer ??
    (config.smtpUrl
      ? createSmtpMailer(config.smtpUrl, config.mailFrom)
      : createOutboxMailer(
          path.join(config.dataDir, 'outbox'),
          config.mailFrom,
          options.outboxLog ?? ((line) => process.stdout.write(`${line}\n`)),
        ));
  const postman = createPostman(mailer, config.siteName, config.supportContact, (error, subject) =>
    app.log.error({ err: error, subject }, 'mail could not be delivered'),
  );
  const passwordScreen = options.passwordScreen ?? createPasswordScreen();
  const services = createServices({
    db: database.db,
    clock,
    hasher:
      options.hasher ??
      createPasswordHasher({ ...(options.hashing ?? ARGON2_PARAMS), secret: keys.pepper }),
    passwordScreen,
    postman,
    keys,
    publicUrl: config.publicUrl,
    sessionIdleMs: config.sessionIdleMinutes * MINUTE_MS,
    sessionMaxMs: config.sessionMaxHours * HOUR_MS,
    siteName: config.siteName,
  });

  await app.register(cookie);
  await app.register(formbody, { parser: parseFormBody });
  // The security headers depend on the configuration only, so helmet computes them once, here;
  // @fastify/helmet rebuilt its middleware for every request and set each header on the raw
  // response, a measurable share of each answer (docs/performance.md).
  app.addHook('onRequest', (_request, reply, done) => {
    void reply.headers(securityHeaders);
    done();
  });
  await app.register(fastifyStatic, {
    root: assetsDir,
    prefix: '/assets/',
    maxAge: '1h',
    index: false,
  });
  registerVendorAssets(app);

  const names = cookieNames(config.secure);
  const context = {
    db: database.db,
    clock,
    sessionPolicy: {
      idleMs: config.sessionIdleMinutes * MINUTE_MS,
      maxMs: config.sessionMaxHours * HOUR_MS,
    },
    cookies: names,
    writer: cookieWriter(config.secure),
    csrfKey: keys.csrf,
    shownOnceKey: keys.shownOnce,
    siteName: config.siteName,
    supportContact: config.supportContact,
    publicOrigin: config.publicUrl.origin,
  };
  registerRequestContext(app, context);
  const tools = createWebTools({ ...context, sessionMaxSeconds: config.sessionMaxHours * 3600 });
  registerCsrfProtection(app, { key: keys.csrf, publicOrigin: config.publicUrl.origin });
  answerBadUrl = registerErrorPages(app, tools).badRequest;

  // Pages that show account data must not be kept by shared caches or the back button.
  // Published knowledge-base pages for anonymous visitors set their own private, revalidated
  // caching (web/portal/kb-routes.ts); every other page keeps no-store.
  app.addHook('onSend', async (request, reply) => {
    if (!request.url.startsWith('/assets/') && !reply.hasHeader('cache-control'))
      void reply.header('cache-control', 'no-store');
  });

  const deps: WebDeps = { services, tools, clock };
  registerAdminGuard(app, deps);
  registerHomeRoutes(app, deps);
  registerAuthRoutes(app, deps);
  registerProfileRoutes(app, deps);
  registerChallengeRoutes(app, deps);
  registerTwoFactorRoutes(app, deps);
  registerTrustedDeviceRoutes(app, deps);
  registerKbRoutes(app, deps);
  registerKbAdminRoutes(app, deps);
  registerAdminRoutes(app, deps);
  await app.register(apiPlugin, { prefix: '/api/v1', deps });

  return {
    app,
    services,
    async close() {
      // A connection whose request is still answered stays open after its answer, for its
      // next request, until the keep-alive time runs out (72 s): the stop waited for it. Ended
      // right after the answer instead (Node adds its second of slack).
      app.server.keepAliveTimeout = 1;
      await app.close();
      await postman.drain();
      await mailer.close();
      await passwordScreen.close();
      stdoutLog?.close();
    },
  };
}
