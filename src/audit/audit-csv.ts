import { withEscapesShown } from '../lib/control-characters.js';
import type { AuditRow } from './audit-query.js';

export const AUDIT_CSV_COLUMNS = [
  'time',
  'event',
  'actor_user_id',
  'actor_name',
  'actor_email',
  'actor_label',
  'target_user_id',
  'target_name',
  'target_email',
  'ip',
  'user_agent',
  'details',
] as const;

/**
 * One CSV field (RFC 4180): always quoted, quotes doubled. Names and user agents are typed by
 * anyone, so a field that a spreadsheet would run as a formula (=, +, -, @, tab, CR) gets a
 * leading apostrophe (OWASP "CSV injection"); escape sequences show as U+FFFD.
 */
export function csvField(value: string | number | null): string {
  // The export may be read in a terminal (`portico audit --csv`) as well as a spreadsheet.
  let text = value === null ? '' : withEscapesShown(String(value));
  if (/^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

function csvLine(row: AuditRow): string {
  return (
    [
      new Date(row.created_at).toISOString(),
      row.event,
      row.actor_user_id,
      row.actor_name,
      row.actor_email,
      row.actor_label,
      row.target_user_id,
      row.target_name,
      row.target_email,
      row.ip,
      row.user_agent,
      row.details,
    ]
      .map(csvField)
      .join(',') + '\r\n'
  );
}

/** The audit log as CSV lines, header first; times in ISO 8601 UTC. */
export async function* auditCsv(rows: AsyncIterable<AuditRow>): AsyncGenerator<string> {
  yield AUDIT_CSV_COLUMNS.join(',') + '\r\n';
  for await (const row of rows) yield csvLine(row);
}
