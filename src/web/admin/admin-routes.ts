import type { FastifyInstance } from 'fastify';
import { html } from '../../lib/html.js';
import type { WebDeps } from '../web-deps.js';
import { sendHtml } from '../web-deps.js';
import { requireAdmin } from './admin-guard.js';
import { adminLayout } from './admin-layout.js';

/** The admin console (SPEC §2.7): every page behind `requireAdmin`. */
export function registerAdminRoutes(app: FastifyInstance, deps: WebDeps): void {
  const { tools } = deps;
  app.get('/admin', (request, reply) => {
    if (!requireAdmin(request, reply)) return reply;
    const ctx = tools.page(request);
    return sendHtml(
      reply,
      adminLayout(ctx, {
        section: 'dashboard',
        sectionIndex: true,
        title: ctx.t.admin.dashboardPage.heading,
        main: html`<h1>${ctx.t.admin.dashboardPage.heading}</h1>`,
      }),
    );
  });
}
