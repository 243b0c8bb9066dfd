import type { FastifyInstance } from 'fastify';
import { isLocale } from '../../i18n/index.js';
import { html } from '../../lib/html.js';
import { text } from '../form-input.js';
import { layout } from '../views/layout.js';
import type { WebDeps } from '../web-deps.js';
import { safeNext, sendHtml } from '../web-deps.js';

export function registerHomeRoutes(app: FastifyInstance, { services, tools }: WebDeps): void {
  app.get('/', (request, reply) => {
    const ctx = tools.page(request);
    const { t } = ctx;
    return sendHtml(
      reply,
      layout(ctx, {
        title: t.home.title,
        main: html`<section class="hero">
            <h1>${t.home.title}</h1>
            <p>${t.home.intro}</p>
            <form method="get" action="/search" role="search" class="search-form">
              <label for="q" class="visually-hidden">${t.home.searchLabel}</label>
              <input
                id="q"
                name="q"
                type="search"
                maxlength="200"
                placeholder="${t.home.searchLabel}"
              />
              <button type="submit" class="button">${t.home.searchButton}</button>
            </form>
          </section>
          <section aria-labelledby="categories-heading">
            <h2 id="categories-heading">${t.home.categoriesHeading}</h2>
            <p>${t.home.noCategories}</p>
          </section>`,
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
          { ip: request.ip, userAgent: String(request.headers['user-agent'] ?? '') },
        );
      }
    }
    return reply.redirect(back, 303);
  });

  app.get('/health', () => ({ status: 'ok' }));
}
