import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AuditFilters } from '../../audit/audit-query.js';
import { AUDIT_PAGE_SIZE, startOfDay } from '../../audit/audit-query.js';
import { isAuditEventType } from '../../audit/audit.js';
import { auditCsv } from '../../audit/audit-csv.js';
import { DAY_MS } from '../../clock.js';
import { filterText, isRepeated, text } from '../form-input.js';
import type { FieldErrors } from '../views/components.js';
import type { WebDeps } from '../web-deps.js';
import { sendHtml } from '../web-deps.js';
import { lastPage, pageNumber, queryString, UUID } from './admin-components.js';
import { requireAdmin } from './admin-guard.js';
import type { AuditFilterForm } from './audit-pages.js';
import { auditPage } from './audit-pages.js';

/**
 * The download starts with a byte order mark: without it, Excel reads the file as the system's
 * legacy code page, and a name such as "Zoë" arrives garbled. The CLI's CSV, written for
 * programs and pipes, has none.
 */
async function* withByteOrderMark(lines: AsyncIterable<string>): AsyncGenerator<string> {
  yield '\uFEFF';
  yield* lines;
}

/** The audit log (SPEC §2.7): filter by user, event type and dates; page; export as CSV. */
export function registerAuditRoutes(
  app: FastifyInstance,
  { services, tools, clock }: WebDeps,
): void {
  const { auditLog, directory } = services.admin;

  /** The filters of the query string, as the form shows them and as the query needs them. */
  async function readFilters(request: FastifyRequest): Promise<{
    form: AuditFilterForm;
    filters: AuditFilters;
    errors: FieldErrors;
    /** A filter that can match nothing (an unknown user): skip the query. */
    empty: boolean;
  }> {
    const t = request.t.admin.auditPage;
    const q = request.query;
    const form: AuditFilterForm = {
      user: filterText(q, 'user').trim().slice(0, 254),
      account: filterText(q, 'account').trim().slice(0, 64),
      event: filterText(q, 'event').trim().slice(0, 100),
      from: filterText(q, 'from').trim().slice(0, 10),
      to: filterText(q, 'to').trim().slice(0, 10),
    };
    const errors: FieldErrors = {};
    const filters: AuditFilters = {};
    let empty = false;
    // A filter given twice (a hand-made link) would read as none: the log unfiltered, with
    // nothing said. Each filter takes one value.
    for (const name of ['user', 'event', 'from', 'to'] as const)
      if (isRepeated(q, name)) errors[name] = t.repeatedFilter;
    // A name, not an address: the log is filtered by address; Users finds people by name.
    if (form.user && !form.user.includes('@')) {
      errors.user = t.userNotAnAddress;
      empty = true;
    } else if (form.user) {
      // With the account it was shown beside (a user's page), the address may be unverified.
      const user =
        (UUID.test(form.account)
          ? await directory.findHolder(form.account, form.user)
          : undefined) ?? (await directory.findByEmail(form.user));
      if (user) filters.userId = user.id;
      else {
        const unverified = await directory.countUnverifiedHolders(form.user);
        errors.user = unverified > 0 ? t.onlyUnverified(unverified) : t.noSuchUser;
        empty = true;
      }
    }
    // A type Portico never writes (a typed or mangled link) is said so, as the API answers 400,
    // not shown as a log without such events.
    if (form.event) {
      if (isAuditEventType(form.event)) filters.event = form.event;
      else errors.event = t.unknownEvent(form.event);
    }
    if (form.from) {
      const from = startOfDay(form.from);
      if (from === undefined) errors.from = t.invalidDate;
      else filters.from = from;
    }
    if (form.to) {
      const to = startOfDay(form.to);
      if (to === undefined) errors.to = t.invalidDate;
      else filters.to = to + DAY_MS;
    }
    if (filters.from !== undefined && filters.to !== undefined && filters.from >= filters.to)
      errors.to = t.rangeReversed;
    return { form, filters, errors, empty: empty || Object.keys(errors).length > 0 };
  }

  app.get('/admin/audit', async (request, reply) => {
    if (!requireAdmin(request, reply)) return reply;
    const { form, filters, errors, empty } = await readFilters(request);
    const page = pageNumber(text(request.query, 'page'));
    const { total, events } = empty
      ? { total: 0, events: [] }
      : await auditLog.list(filters, page, AUDIT_PAGE_SIZE);
    const pages = Math.max(1, Math.ceil(total / AUDIT_PAGE_SIZE));
    // A page past the end (an old link, a typed number) goes to the last page there is.
    if (page > pages)
      return reply.redirect(`/admin/audit${queryString({ ...form, page: lastPage(pages) })}`, 303);
    return sendHtml(
      reply,
      auditPage(tools.page(request), {
        filters: form,
        eventTypes: await auditLog.eventTypes(),
        errors,
        page,
        pages,
        total,
        events,
      }),
      Object.keys(errors).length > 0 ? 422 : 200,
    );
  });

  app.get('/admin/audit.csv', async (request, reply) => {
    if (!requireAdmin(request, reply)) return reply;
    const { filters, errors, empty } = await readFilters(request);
    // Bad filters are explained on the page itself, with the query as it came (the path may
    // have come percent-encoded, and is not the length of '/admin/audit.csv').
    if (Object.keys(errors).length > 0) {
      const query = request.url.indexOf('?');
      return reply.redirect(`/admin/audit${query < 0 ? '' : request.url.slice(query)}`, 303);
    }
    const rows = empty ? (async function* () {})() : auditLog.each(filters);
    const day = new Date(clock.now()).toISOString().slice(0, 10);
    return reply
      .type('text/csv; charset=utf-8')
      .header('content-disposition', `attachment; filename="portico-audit-${day}.csv"`)
      .send(Readable.from(withByteOrderMark(auditCsv(rows))));
  });
}
