import { setImmediate } from 'node:timers/promises';
import type { Kysely } from 'kysely';
import { literalLimit } from '../db/literal-limit.js';
import type { AuditEvent, Database } from '../db/schema.js';

/** Which events to show; every field is optional. `to` is exclusive. */
export interface AuditFilters {
  /** Events the user did or that were done to them. */
  userId?: string;
  event?: string;
  from?: number;
  to?: number;
}

/** An event with the names and primary addresses of who acted and who was acted on. */
export interface AuditRow extends AuditEvent {
  actor_name: string | null;
  actor_email: string | null;
  target_name: string | null;
  target_email: string | null;
}

export const AUDIT_PAGE_SIZE = 50;
const EXPORT_BATCH = 500;

/**
 * Reading the audit log: filtered, newest first (ties broken by id, so pages never overlap or
 * skip), with names resolved. There is deliberately no way to change or delete an event.
 */
export function createAuditQuery(db: Kysely<Database>) {
  function filtered(filters: AuditFilters) {
    let query = db.selectFrom('audit_events');
    if (filters.userId) {
      const id = filters.userId;
      query = query.where((eb) =>
        eb.or([
          eb('audit_events.target_user_id', '=', id),
          eb('audit_events.actor_user_id', '=', id),
        ]),
      );
    }
    if (filters.event) query = query.where('audit_events.event', '=', filters.event);
    if (filters.from !== undefined)
      query = query.where('audit_events.created_at', '>=', filters.from);
    if (filters.to !== undefined) query = query.where('audit_events.created_at', '<', filters.to);
    return query;
  }

  function withNames(filters: AuditFilters) {
    return filtered(filters)
      .leftJoin('users as actor', 'actor.id', 'audit_events.actor_user_id')
      .leftJoin('users as target', 'target.id', 'audit_events.target_user_id')
      .selectAll('audit_events')
      .select((eb) => [
        'actor.name as actor_name',
        'target.name as target_name',
        eb
          .selectFrom('email_addresses')
          .select('email_addresses.email')
          .whereRef('email_addresses.user_id', '=', 'actor.id')
          .orderBy('email_addresses.is_primary', 'desc')
          .orderBy('email_addresses.created_at', 'asc')
          .limit(literalLimit(1))
          .as('actor_email'),
        eb
          .selectFrom('email_addresses')
          .select('email_addresses.email')
          .whereRef('email_addresses.user_id', '=', 'target.id')
          .orderBy('email_addresses.is_primary', 'desc')
          .orderBy('email_addresses.created_at', 'asc')
          .limit(literalLimit(1))
          .as('target_email'),
      ]);
  }

  async function count(filters: AuditFilters): Promise<number> {
    const row = await filtered(filters)
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** One page of events, newest first. */
  async function list(
    filters: AuditFilters,
    page = 1,
    perPage = AUDIT_PAGE_SIZE,
  ): Promise<{ total: number; events: AuditRow[] }> {
    const total = await count(filters);
    const events = await withNames(filters)
      .orderBy('audit_events.created_at', 'desc')
      .orderBy('audit_events.id', 'desc')
      .limit(perPage)
      .offset((page - 1) * perPage)
      .execute();
    return { total, events };
  }

  /**
   * Every matching event, newest first, read in batches by keyset (created_at, id), so an
   * export of a large log never holds it all in memory and is not shifted by new events.
   */
  async function* each(filters: AuditFilters): AsyncGenerator<AuditRow> {
    let after: { createdAt: number; id: string } | null = null;
    for (;;) {
      let query = withNames(filters);
      if (after) {
        const { createdAt, id } = after;
        // The bound on created_at alone first: it is what the index can seek to (inside an OR,
        // the database scanned the log from its newest event for every batch).
        query = query
          .where('audit_events.created_at', '<=', createdAt)
          .where((eb) =>
            eb.or([eb('audit_events.created_at', '<', createdAt), eb('audit_events.id', '<', id)]),
          );
      }
      const batch = await query
        .orderBy('audit_events.created_at', 'desc')
        .orderBy('audit_events.id', 'desc')
        .limit(literalLimit(EXPORT_BATCH))
        .execute();
      yield* batch;
      const last = batch.at(-1);
      if (!last || batch.length < EXPORT_BATCH) return;
      // SQLite answers in the same turn of the event loop, and a fast reader (a socket on
      // this machine) asks for the next batch at once: without a turn given back, an export
      // of a large log would answer no other request until it ended.
      await setImmediate();
      after = { createdAt: last.created_at, id: last.id };
    }
  }

  /** The event types that occur in the log, for the filter's choices. */
  async function eventTypes(): Promise<string[]> {
    const rows = await db
      .selectFrom('audit_events')
      .select('event')
      .distinct()
      .orderBy('event')
      .execute();
    return rows.map((r) => r.event);
  }

  /** How many events of a type happened since a moment (for the dashboard). */
  async function countSince(event: string, since: number): Promise<number> {
    return count({ event, from: since });
  }

  return { list, each, count, eventTypes, countSince };
}

export type AuditQuery = ReturnType<typeof createAuditQuery>;

/** A day as the filters take it: YYYY-MM-DD (whether the calendar has it is `startOfDay`'s). */
export const DAY_FORMAT = /^\d{4}-\d{2}-\d{2}$/;

/** A YYYY-MM-DD date as the start of that day in UTC; undefined when it is no real date. */
export function startOfDay(value: string): number | undefined {
  if (!DAY_FORMAT.test(value)) return undefined;
  const start = Date.parse(`${value}T00:00:00Z`);
  if (Number.isNaN(start) || new Date(start).toISOString().slice(0, 10) !== value) return undefined;
  return start;
}
