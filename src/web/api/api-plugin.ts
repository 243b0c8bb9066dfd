import swagger from '@fastify/swagger';
import { Type } from 'typebox';
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyInstance, FastifyRequest, RawServerDefault } from 'fastify';
import type { ApiPrincipal } from '../../api-keys/api-keys.js';
import { hasControlCharacter } from '../../lib/control-characters.js';
import { requestMeta } from '../request-context.js';
import { UUID } from '../admin/admin-components.js';
import type { WebDeps } from '../web-deps.js';
import { ApiError, ApiErrorCode } from './api-errors.js';
import { ErrorResponse } from './api-schemas.generated.js';
import { registerAuditApi } from './audit-api.js';
import { registerPolicyApi } from './policy-api.js';
import { registerUserApi } from './user-api.js';
import { trackRouteMethods } from '../route-methods.js';

declare module 'fastify' {
  interface FastifyRequest {
    apiPrincipal: ApiPrincipal | null;
  }
  interface FastifyContextConfig {
    /** An API route anyone may read without a key (the OpenAPI document). */
    public?: boolean;
    /**
     * A route whose use with a key is not entered in the audit log: reading the log itself.
     * A program that ships the log elsewhere would otherwise fill it with its own reads, and
     * each read would push the newest-first pages it is turning by one (the key's last use
     * still shows it).
     */
    unaudited?: boolean;
  }
}

export type ApiInstance = Parameters<FastifyPluginAsyncTypebox<ApiOptions, RawServerDefault>>[0];

export interface ApiOptions {
  deps: WebDeps;
}

export const API_VERSION = '1.0.0';

/** The principal of an authenticated API request (the auth hook ran before every handler). */
export function principalOf(request: { apiPrincipal: ApiPrincipal | null }): ApiPrincipal {
  if (!request.apiPrincipal) throw new ApiError(401, ApiErrorCode.MISSING_API_KEY, 'No API key');
  return request.apiPrincipal;
}

/**
 * The error answers a route can give, for its schema (and so for the OpenAPI document): its
 * own, and those of the hooks every route passes (400 for a control character in the query or
 * body, 401 without a valid key, 429 while an address's refused keys are counted against it).
 */
export function errors(...statuses: number[]): Record<number, typeof ErrorResponse> {
  const out: Record<number, typeof ErrorResponse> = {};
  for (const status of [400, 401, 429, ...statuses].sort((a, b) => a - b))
    out[status] = ErrorResponse;
  return out;
}

/**
 * An id from a path, a query or a body as it is stored: UUIDs are read in either case (RFC
 * 9562), and a program that prints them in capitals must not get "not found".
 */
export function idOf(id: string): string {
  return id.toLowerCase();
}

/**
 * The user a change names in its path (`/users/{id}/reset-2fa`, `/users/{id}/unlock-2fa`), for
 * its audit entry: the log filtered by that user then shows what a key tried on them, refused
 * or not. Reads are not theirs: a ticket system looking someone up at every ticket would push
 * their own security events off their page in the console.
 */
function aboutUser(request: FastifyRequest): { aboutUserId?: string } {
  if (request.method === 'GET' || request.method === 'HEAD') return {};
  if (!(request.routeOptions.url ?? '').startsWith('/api/v1/users/:id')) return {};
  const { id } = request.params as { id?: unknown };
  return typeof id === 'string' && UUID.test(id) ? { aboutUserId: idOf(id) } : {};
}

/** The most values a message lists; longer lists (the event types) point to the document. */
const LISTED_VALUES_MAX = 10;

/** Ajv's words for one problem, with the allowed values where it left them out. */
function messageOf(problem: {
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}) {
  const allowed = problem.params.allowedValues;
  if (problem.keyword === 'enum' && Array.isArray(allowed)) {
    return allowed.length <= LISTED_VALUES_MAX
      ? `must be one of: ${allowed.map(String).join(', ')}`
      : 'must be one of the values the OpenAPI document (/api/v1/openapi.json) lists here';
  }
  return problem.message ?? 'is not valid';
}

function statusCodeOf(error: FastifyError): ApiErrorCode {
  switch (error.statusCode) {
    case 404:
      return ApiErrorCode.NOT_FOUND;
    case 413:
      return ApiErrorCode.PAYLOAD_TOO_LARGE;
    case 415:
      return ApiErrorCode.UNSUPPORTED_MEDIA_TYPE;
    default:
      return ApiErrorCode.BAD_REQUEST;
  }
}

/**
 * The JSON API for administrators' programs (SPEC §3), as a Fastify plugin of its own under
 * /api/v1: its own bearer-key authentication, its own JSON error handler, request validation
 * and response serialisation from the route schemas, and an OpenAPI 3.1 document generated
 * from those same schemas. Cookies mean nothing here (and so CSRF does not apply): only the
 * `Authorization: Bearer <key>` header does.
 */
export const apiPlugin: FastifyPluginAsyncTypebox<ApiOptions> = async (api, { deps }) => {
  await api.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Portico administration API',
        version: API_VERSION,
        description:
          'Find users, read their second factors (never secrets), reset a user’s two-factor authentication, read the audit log, and read or change the two-factor policy. Every request needs an API key made in the admin console (API keys), sent as `Authorization: Bearer <key>`; every use is audited, but for reads of the audit log itself (so its pages hold still while they are turned). Errors are JSON with `code` and `message`; a 429 says in `Retry-After` when to try again.',
      },
      components: {
        securitySchemes: {
          apiKey: {
            type: 'http',
            scheme: 'bearer',
            description: 'An API key from /admin/api-keys',
          },
        },
      },
      security: [{ apiKey: [] }],
      tags: [
        { name: 'users', description: 'People and their second factors' },
        { name: 'audit', description: 'The security audit log' },
        { name: 'two-factor', description: 'The two-factor authentication policy' },
      ],
    },
  });

  api.decorateRequest('apiPrincipal', null);

  api.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    if (error instanceof ApiError) {
      if (error.statusCode === 401) void reply.header('www-authenticate', 'Bearer realm="portico"');
      return reply.code(error.statusCode).send({
        code: error.code,
        message: error.message,
        ...(error.details ? { details: error.details } : {}),
      });
    }
    if (error.validation) {
      const details = error.validation.map((v) => {
        // An unknown parameter or property is named where it stands, not at its parent.
        const unknown = v.keyword === 'additionalProperties' ? v.params.additionalProperty : null;
        return typeof unknown === 'string'
          ? {
              in: error.validationContext ?? 'request',
              path: `${v.instancePath}/${unknown}`,
              message:
                error.validationContext === 'body'
                  ? 'is not a property this operation takes'
                  : 'is not a parameter of this operation',
            }
          : {
              in: error.validationContext ?? 'request',
              path: v.instancePath || '/',
              message: messageOf(v),
            };
      });
      // The message names the first problem the way the details do, for a client that prints
      // only the message.
      const first = details[0];
      return reply.code(400).send({
        code: ApiErrorCode.VALIDATION_FAILED,
        message: first ? `${first.in} ${first.path} ${first.message}` : error.message,
        details,
      });
    }
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 500
        ? error.statusCode
        : 500;
    if (status >= 500) {
      request.log.error({ err: error }, 'API request failed');
      return reply.code(500).send({ code: ApiErrorCode.INTERNAL_ERROR, message: 'Internal error' });
    }
    return reply.code(status).send({ code: statusCodeOf(error), message: error.message });
  });

  const methodsOtherThan = trackRouteMethods(api);
  api.setNotFoundHandler((request, reply) => {
    const allowed = methodsOtherThan(request);
    if (allowed)
      return reply
        .code(405)
        .header('allow', allowed.join(', '))
        .send({
          code: ApiErrorCode.METHOD_NOT_ALLOWED,
          message: `This route takes ${allowed.join(', ')}`,
        });
    return reply.code(404).send({ code: ApiErrorCode.NOT_FOUND, message: 'No such API route' });
  });

  // Many HTTP clients send `Content-Type: application/json` on a POST without a body; Fastify's
  // parser refuses that as "empty JSON". It is read as no body here, and everything else as
  // Fastify reads JSON (its prototype-poisoning checks included).
  const parseJson = api.getDefaultJsonParser('error', 'error');
  api.removeContentTypeParser('application/json');
  api.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    if (body === '') done(null, undefined);
    else void parseJson(request, body.toString(), done);
  });

  // The API speaks JSON only: any other body (a form post, plain text) is refused before it is
  // parsed, and before the key is looked at.
  api.addHook('onRequest', (request, _reply, done) => {
    const type = request.headers['content-type'];
    if (type !== undefined && !/^application\/json\s*(;|$)/i.test(type))
      return done(
        new ApiError(415, ApiErrorCode.UNSUPPORTED_MEDIA_TYPE, 'Send JSON (application/json)'),
      );
    done();
  });

  api.addHook('onRequest', async (request, reply) => {
    if (request.routeOptions.config.public) return;
    const header = request.headers.authorization;
    if (!header)
      throw new ApiError(
        401,
        ApiErrorCode.MISSING_API_KEY,
        'Send an API key as "Authorization: Bearer <key>"',
      );
    const { apiKeys } = deps.services.admin;
    const meta = requestMeta(request);
    // Past its refused keys' limit an address still gets in with a valid key (anyone behind
    // the same address, or an attacker sending made-up keys, must not lock out the ticket
    // system); its refused keys are answered 429, no longer counted, and a known one audited
    // once a window (authenticate).
    const allowed = await apiKeys.mayTry(meta);
    const match = /^Bearer +(\S+)$/i.exec(header);
    const principal = match?.[1]
      ? await apiKeys.authenticate(
          match[1],
          meta,
          { method: request.method, route: request.routeOptions.url ?? 'unknown' },
          {
            recordUse: !request.routeOptions.config.unaudited,
            recordRefusal: allowed.allowed,
            ...aboutUser(request),
          },
        )
      : null;
    if (!principal && !allowed.allowed) {
      void reply.header('retry-after', String(Math.ceil(allowed.retryAfterMs / 1000)));
      throw new ApiError(
        429,
        ApiErrorCode.TOO_MANY_REQUESTS,
        'Too many requests with a key that is not valid; try again later',
      );
    }
    if (!principal) {
      await apiKeys.countRefusal(meta);
      throw new ApiError(401, ApiErrorCode.INVALID_API_KEY, 'This API key is not valid');
    }
    request.apiPrincipal = principal;
  });

  // A control character in a string (NUL above all, which PostgreSQL refuses in text) is an
  // input error wherever it is, before any route reads the value.
  api.addHook('preValidation', (request, _reply, done) => {
    for (const [where, value] of [
      ['querystring', request.query],
      ['body', request.body],
    ] as const) {
      const path = controlCharacterAt(value);
      if (path !== null && typeof path === 'object')
        return done(
          new ApiError(400, ApiErrorCode.VALIDATION_FAILED, 'A value is nested too deeply', [
            {
              in: where,
              path: path.tooDeep || '/',
              message: `must not nest more than ${MAX_NESTING} levels`,
            },
          ]),
        );
      if (path !== null)
        return done(
          new ApiError(400, ApiErrorCode.VALIDATION_FAILED, 'A value holds a control character', [
            { in: where, path: path || '/', message: 'must not contain control characters' },
          ]),
        );
    }
    done();
  });

  // A whole number in a query string is written in digits. Fastify's Ajv reads text as any
  // JavaScript number: "1e309" became Infinity, which its minimum and maximum let through (Ajv
  // checks them on finite numbers only) and the database then refused with a 500; "0x10" was
  // 16. Digits only, then Ajv's own checks (range, type) as before.
  const DIGITS = 'must be a whole number written in digits';
  api.addHook('preValidation', (request, _reply, done) => {
    const schema = request.routeOptions.schema?.querystring as
      { properties?: Record<string, { type?: unknown }> } | undefined;
    const query = request.query as Record<string, unknown> | undefined;
    if (!schema?.properties || !query) return done();
    for (const [name, value] of Object.entries(query)) {
      if (schema.properties[name]?.type !== 'integer') continue;
      if (typeof value === 'string' && /^[0-9]{1,15}$/.test(value)) continue;
      return done(
        new ApiError(400, ApiErrorCode.VALIDATION_FAILED, `querystring /${name} ${DIGITS}`, [
          { in: 'querystring', path: `/${name}`, message: DIGITS },
        ]),
      );
    }
    done();
  });

  // An operation takes no parameter and no body property beyond its schema's: one it does not
  // know is refused by name (the error handler above), never dropped. `?dryRun=true` on a
  // reset would otherwise reset, and `?search=` for `?q=` list everyone.
  api.addHook('onRoute', (route) => {
    if (!route.schema || route.schema.hide) return;
    route.schema.querystring ??= NO_PARAMETERS;
  });
  api.addHook('preValidation', (request, _reply, done) => {
    const body: unknown = request.body;
    if (request.routeOptions.schema?.body || body === undefined || body === null) return done();
    const names = typeof body === 'object' && !Array.isArray(body) ? Object.keys(body) : [''];
    if (names.length === 0) return done();
    done(
      new ApiError(400, ApiErrorCode.VALIDATION_FAILED, 'This operation takes no body', [
        {
          in: 'body',
          path: names[0] ? `/${names[0]}` : '/',
          message: 'is not a property this operation takes',
        },
      ]),
    );
  });

  api.get('/openapi.json', { schema: { hide: true }, config: { public: true } }, () =>
    (api as unknown as FastifyInstance).swagger(),
  );

  registerUserApi(api, deps);
  registerAuditApi(api, deps);
  registerPolicyApi(api, deps);
};

const NO_PARAMETERS = Type.Object({}, { additionalProperties: false });

/**
 * How deep a body or query may nest. The API's own bodies nest two levels; a body of thousands
 * of nested arrays (a few kilobytes) would run this walk out of stack.
 */
const MAX_NESTING = 32;

/**
 * The JSON pointer of the first string (or key) in `value` that holds a control character, or
 * of the first value nested deeper than MAX_NESTING (`tooDeep`).
 */
function controlCharacterAt(
  value: unknown,
  path = '',
  depth = 0,
): string | { tooDeep: string } | null {
  if (typeof value === 'string') return hasControlCharacter(value) ? path : null;
  if (value === null || typeof value !== 'object') return null;
  if (depth >= MAX_NESTING) return { tooDeep: path };
  for (const [key, item] of Object.entries(value)) {
    const here = `${path}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (hasControlCharacter(key)) return here;
    const found = controlCharacterAt(item, here, depth + 1);
    if (found !== null) return found;
  }
  return null;
}
