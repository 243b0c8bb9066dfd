import { createHash } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { MAX_QUERY_LENGTH } from '../../knowledge-base/text-search.js';
import { SEARCH_RESULTS_LIMIT } from '../../knowledge-base/search.js';
import { filterText } from '../form-input.js';
import type { SafeHtml } from '../../lib/html.js';
import type { WebDeps } from '../web-deps.js';
import { sendHtml } from '../web-deps.js';
import { articlePage, categoryPage, kbIndexPage, searchPage } from './kb-pages.js';

/** Longest slug a URL may carry before it is a 404 without a lookup. */
const SLUG_PARAM_MAX = 100;

/**
 * Sends a published-content page. A shared cache must never keep it: every page carries the
 * visitor's own CSRF token (language switch) and, when signed in, their name, so the only
 * caching allowed is the visitor's own browser, and only for anonymous visitors:
 * `private, no-cache` with an ETag of the exact bytes. The browser asks again each time and
 * gets a 304 while nothing changed; anything that changes the page (another token, a
 * published edit, another language) changes the ETag. Signed-in pages and pages with a
 * one-time notice keep the app-wide `no-store`.
 */
export function sendPublicPage(
  request: FastifyRequest,
  reply: FastifyReply,
  page: SafeHtml,
  status = 200,
): FastifyReply {
  if (request.auth || request.notice || status !== 200) return sendHtml(reply, page, status);
  const etag = `W/"${createHash('sha256').update(page.value).digest('base64url').slice(0, 27)}"`;
  // The page depends on the language (a cookie, or Accept-Language) and on being signed in.
  void reply
    .header('cache-control', 'private, no-cache')
    .header('vary', 'Accept-Language, Cookie')
    .header('etag', etag);
  const match = request.headers['if-none-match'];
  if (typeof match === 'string' && match.split(/\s*,\s*/).includes(etag)) {
    return reply.code(304).send();
  }
  return sendHtml(reply, page, status);
}

function slugParam(value: string): string | null {
  return value.length > 0 && value.length <= SLUG_PARAM_MAX ? value : null;
}

export function registerKbRoutes(app: FastifyInstance, { services, tools }: WebDeps): void {
  const kb = services.knowledgeBase;

  app.get('/kb', async (request, reply) => {
    const ctx = tools.page(request);
    const categories = await kb.catalog.topCategories(ctx.locale);
    return sendPublicPage(request, reply, kbIndexPage(ctx, categories));
  });

  app.get<{ Params: { slug: string } }>('/kb/categories/:slug', async (request, reply) => {
    const slug = slugParam(request.params.slug);
    const page = slug ? await kb.catalog.category(slug, request.locale) : null;
    if (!page) return reply.callNotFound();
    return sendPublicPage(request, reply, categoryPage(tools.page(request), page));
  });

  app.get<{ Params: { slug: string } }>('/kb/articles/:slug', async (request, reply) => {
    const slug = slugParam(request.params.slug);
    const article = slug ? await kb.catalog.article(slug, request.locale) : null;
    if (!article) {
      // An address the article had before it was renamed: links to it keep working.
      const renamed = slug ? await kb.catalog.renamedTo(slug, request.locale) : null;
      if (renamed) return reply.redirect(`/kb/articles/${renamed}`, 301);
      return reply.callNotFound();
    }
    return sendPublicPage(request, reply, articlePage(tools.page(request), article));
  });

  app.get<{ Querystring: { q?: unknown } }>('/kb/search', async (request, reply) => {
    // The query is repeated in the heading, the messages and the search box: control
    // characters, line breaks and bidi controls are taken out rather than the whole query
    // refused (a stray one in a pasted text should still search for the words around it).
    const query = filterText(request.query, 'q').slice(0, MAX_QUERY_LENGTH);
    const outcome = await kb.search(query, request.locale, SEARCH_RESULTS_LIMIT);
    return sendPublicPage(
      request,
      reply,
      searchPage(tools.page(request), query, outcome, SEARCH_RESULTS_LIMIT),
    );
  });
}
