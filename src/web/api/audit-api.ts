import type { AuditFilters } from '../../audit/audit-query.js';
import { startOfDay } from '../../audit/audit-query.js';
import { DAY_MS } from '../../clock.js';
import type { WebDeps } from '../web-deps.js';
import type { ApiErrorDetail } from './api-errors.js';
import { ApiError, ApiErrorCode } from './api-errors.js';
import type { ApiInstance } from './api-plugin.js';
import { errors, idOf } from './api-plugin.js';
import { AuditList, AuditQuery } from './api-schemas.generated.js';
import { iso } from './user-api.js';

function detailsOf(raw: string | null): Record<string, string | number | boolean | null> {
  if (!raw) return {};
  try {
    const parsed = JSON.parse(raw) as unknown;
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? (parsed as Record<string, string | number | boolean | null>)
      : {};
  } catch {
    return {};
  }
}

/** The audit log with the console's filters: user, event type, date range; newest first. */
export function registerAuditApi(api: ApiInstance, { services }: WebDeps): void {
  const { auditLog, directory } = services.admin;

  api.get(
    '/audit-events',
    {
      config: { unaudited: true },
      schema: {
        tags: ['audit'],
        summary: 'List audit events',
        description:
          'Newest first. `user` (an email address) or `userId` selects events the user did or that were done to them; `user` finds the account that verified the address, and an address no account has verified matches nothing.',
        querystring: AuditQuery,
        response: { 200: AuditList, ...errors() },
      },
    },
    async (request) => {
      const q = request.query;
      const page = q.page ?? 1;
      const perPage = q.perPage ?? 50;
      const problems: ApiErrorDetail[] = [];
      const filters: AuditFilters = {};
      if (q.event) filters.event = q.event;
      if (q.from) {
        const from = startOfDay(q.from);
        if (from === undefined)
          problems.push({ in: 'querystring', path: '/from', message: 'is no date' });
        else filters.from = from;
      }
      if (q.to) {
        const to = startOfDay(q.to);
        if (to === undefined)
          problems.push({ in: 'querystring', path: '/to', message: 'is no date' });
        else filters.to = to + DAY_MS;
      }
      if (filters.from !== undefined && filters.to !== undefined && filters.from >= filters.to)
        problems.push({ in: 'querystring', path: '/to', message: 'is before "from"' });
      if (problems.length > 0)
        throw new ApiError(
          400,
          ApiErrorCode.VALIDATION_FAILED,
          'querystring has bad dates',
          problems,
        );

      let userId = q.userId === undefined ? undefined : idOf(q.userId);
      if (q.user) {
        const user = await directory.findByEmail(q.user);
        if (!user || (userId && userId !== user.id)) return { total: 0, page, perPage, events: [] };
        userId = user.id;
      }
      if (userId) filters.userId = userId;
      const { total, events } = await auditLog.list(filters, page, perPage);
      return {
        total,
        page,
        perPage,
        events: events.map((e) => ({
          id: e.id,
          time: iso(e.created_at),
          event: e.event,
          actor: e.actor_user_id
            ? { id: e.actor_user_id, name: e.actor_name, email: e.actor_email }
            : null,
          actorLabel: e.actor_label,
          target: e.target_user_id
            ? { id: e.target_user_id, name: e.target_name, email: e.target_email }
            : null,
          ip: e.ip,
          userAgent: e.user_agent,
          details: detailsOf(e.details),
        })),
      };
    },
  );
}
