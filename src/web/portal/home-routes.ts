import type { FastifyInstance } from 'fastify';
import { isLocale } from '../../i18n/index.js';
import { html } from '../../lib/html.js';
import { text } from '../form-input.js';
import { requestMeta } from '../request-context.js';
import { layout } from '../views/layout.js';
import { homeCategories, searchForm } from './kb-pages.js';
import { sendPublicPage } from './kb-routes.js';
import type { WebDeps } from '../web-deps.js';
import { safeNext } from '../web-deps.js';

export function registerHomeRoutes(app: FastifyInstance, { services, tools }: WebDeps): void {
  app.get('/', async (request, reply) => {
    const ctx = tools.page(request);
    const categories = await services.knowledgeBase.catalog.topCategories(ctx.locale);
    const { t } = ctx;
    return sendPublicPage(
      request,
      reply,
      layout(ctx, {
        title: t.home.title,
        main: html`<section class="hero">
            <h1>${t.home.title}</h1>
            <p>${t.home.intro}</p>
            ${searchForm(ctx, '', { large: true })}
          </section>
          ${homeCategories(ctx, categories)}`,
      }),
    );
  });

  app.post('/language', async (request, reply) => {
    const lang = text(request.body, 'lang');
    const back = safeNext(text(request.body, 'return_to'), '/');
    if (isLocale(lang)) {
      tools.setLanguage(reply, lang);
      if (request.auth) {
        await services.accounts.credentials.updateProfile(
          request.auth.user,
          { name: request.auth.user.name, locale: lang },
          requestMeta(request),
        );
      }
    }
    return reply.redirect(back, 303);
  });

  // Liveness: the process answers. Readiness: it can also reach its database (README).
  app.get('/health', () => ({ status: 'ok' }));
  app.get('/health/ready', async (_request, reply) =>
    (await services.databaseReachable())
      ? { status: 'ok' }
      : reply.code(503).send({ status: 'unavailable', database: 'unreachable' }),
  );
}
