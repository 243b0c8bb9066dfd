import type { FastifyInstance } from 'fastify';
import type { WebDeps } from '../web-deps.js';
import { registerApiKeyRoutes } from './api-key-routes.js';
import { registerAuditRoutes } from './audit-routes.js';
import { registerDashboardRoutes } from './dashboard-routes.js';
import { registerGroupRoutes } from './group-routes.js';
import { registerTwoFactorSettingsRoutes } from './two-factor-settings-routes.js';
import { registerUserRoutes } from './user-routes.js';

/** The admin console (SPEC §2.7): every page behind `requireAdmin`. /admin/kb has its own. */
export function registerAdminRoutes(app: FastifyInstance, deps: WebDeps): void {
  registerDashboardRoutes(app, deps);
  registerUserRoutes(app, deps);
  registerGroupRoutes(app, deps);
  registerTwoFactorSettingsRoutes(app, deps);
  registerAuditRoutes(app, deps);
  registerApiKeyRoutes(app, deps);
}
