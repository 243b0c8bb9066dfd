import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { HasherBusyError } from '../accounts/passwords.js';
import type { WebTools } from './request-context.js';
import { messagePage } from './views/message-page.js';
import { CsrfError } from './csrf.js';
import { trackRouteMethods } from './route-methods.js';

/**
 * Under /api, also as a client that joins a base URL with a slash too many (`//api/v1`) or
 * writes it in capitals (`/API/v1`) asks: such a client reads JSON, not a page.
 */
function wantsJson(request: FastifyRequest): boolean {
  return /^\/+api(?:[/?#]|$)/i.test(request.url);
}

/**
 * Every failure ends in a styled page (or a JSON error under /api): user input gets a 4xx
 * that says what to do, never a stack trace or a bare 500.
 */
export interface ErrorPages {
  /**
   * For a request the router refused before any hook ran: a path that does not decode (400)
   * or a path parameter over the router's length limit (414).
   */
  badRequest: (request: FastifyRequest, reply: FastifyReply, status: number) => FastifyReply;
}

/** What a busy answer asks the browser to wait before trying again. */
const BUSY_RETRY_AFTER_SECONDS = 5;

export function registerErrorPages(app: FastifyInstance, tools: WebTools): ErrorPages {
  const render = (
    request: FastifyRequest,
    reply: FastifyReply,
    status: number,
    title: string,
    text: string,
  ) => {
    const ctx = tools.page(request);
    return reply
      .code(status)
      .type('text/html; charset=utf-8')
      .send(messagePage(ctx, title, text, { href: '/', label: ctx.t.errors.goHome }).value);
  };

  const methodsOtherThan = trackRouteMethods(app, (url) => !url.startsWith('/api/'));
  app.setNotFoundHandler((request, reply) => {
    if (wantsJson(request))
      return reply.code(404).send({ code: 'NOT_FOUND', message: 'No such route' });
    // A page asked with a method it does not take (a monitor that POSTs to /health).
    const allowed = methodsOtherThan(request);
    if (allowed) {
      void reply.header('allow', allowed.join(', '));
      return render(
        request,
        reply,
        405,
        request.t.errors.methodNotAllowedTitle,
        request.t.errors.methodNotAllowedText,
      );
    }
    return render(
      request,
      reply,
      404,
      request.t.errors.notFoundTitle,
      request.t.errors.notFoundText,
    );
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof HasherBusyError) {
      // Load, not a fault: said as it is, with when to try again.
      request.log.warn('password checks queue full; answered busy');
      void reply.header('retry-after', String(BUSY_RETRY_AFTER_SECONDS));
      if (wantsJson(request))
        return reply.code(503).send({ code: error.code, message: 'Busy; try again shortly' });
      return render(request, reply, 503, request.t.errors.busyTitle, request.t.errors.busyText);
    }
    const status =
      error.statusCode && error.statusCode >= 400 && error.statusCode < 600
        ? error.statusCode
        : 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    else
      request.log.info(
        { code: error.code, status, reason: error instanceof CsrfError ? error.reason : undefined },
        'request refused',
      );
    if (wantsJson(request)) {
      return reply.code(status).send({
        code: status >= 500 ? 'INTERNAL_ERROR' : (error.code ?? 'BAD_REQUEST'),
        message: status >= 500 ? 'Internal error' : error.message,
      });
    }
    const t = request.t;
    if (error instanceof CsrfError)
      return render(request, reply, 403, t.errors.forbiddenTitle, t.errors.csrf);
    if (status === 413)
      return render(request, reply, 413, t.errors.tooLargeTitle, t.errors.tooLargeText);
    if (status === 403)
      return render(request, reply, 403, t.errors.forbiddenTitle, t.errors.forbiddenText);
    if (status === 404)
      return render(request, reply, 404, t.errors.notFoundTitle, t.errors.notFoundText);
    if (status < 500)
      return render(request, reply, status, t.errors.badRequestTitle, t.errors.badRequestText);
    return render(request, reply, 500, t.errors.serverErrorTitle, t.errors.serverErrorText);
  });

  return {
    badRequest(request, reply, status) {
      if (wantsJson(request))
        return reply.code(status).send({ code: 'BAD_REQUEST', message: 'This URL is not valid' });
      const t = request.t.errors;
      return render(request, reply, status, t.badRequestTitle, t.badRequestText);
    },
  };
}
