import { parseArgs } from 'node:util';
import { CLI_META } from '../audit/audit.js';
import { auditCsv } from '../audit/audit-csv.js';
import type { AuditFilters } from '../audit/audit-query.js';
import { createAuditQuery, startOfDay } from '../audit/audit-query.js';
import { createUserDirectory } from '../admin/user-directory.js';
import { buildApp } from '../app.js';
import { DAY_MS, systemClock } from '../clock.js';
import type { Config } from '../config.js';
import type { DatabaseHandle } from '../db/database.js';
import { openDatabase } from '../db/database.js';
import { migrateToLatest } from '../db/migrate.js';

/** What the CLI's entry point lends a command: its error exit and the loaded configuration. */
export interface CliContext {
  fail(message: string): never;
  config(): Config;
  out(text: string): void;
}

export const ADMIN_HELP: Record<string, string> = {
  'reset-2fa': `Usage: portico reset-2fa EMAIL

Resets the two-factor authentication of the account with this email address, as
"Reset two-factor authentication" in the admin console does: every method,
recovery code, trusted device and session of the account is removed, the person
is emailed, and the audit log records it with the actor "cli". They set up
two-factor authentication again at their next log-in. Works for administrators too (the way
back in for an administrator who lost their second factor).`,
  users: `Usage: portico users list [--search TEXT] [--admins] [--limit N]

Lists accounts by name, one per line, tab-separated: email, name, role,
two-factor methods, status, created (UTC).
  --search TEXT   only accounts whose name or email address contains TEXT
  --admins        only administrators
  --limit N       at most N accounts (default 100)`,
  audit: `Usage: portico audit [--user EMAIL] [--since DATE] [--until DATE] [--event TYPE]
                     [--limit N] [--csv]

Prints security events, newest first, tab-separated: time (UTC), event, actor,
target, IP address, details.
  --user EMAIL    events the account did or that were done to it
  --since DATE    from this day on (YYYY-MM-DD, UTC)
  --until DATE    up to and including this day
  --event TYPE    one event type, such as two_factor.reset_by_admin
  --limit N       at most N events (default 100)
  --csv           every matching event as CSV (as the admin console exports it)`,
};

async function withDatabase<T>(
  ctx: CliContext,
  run: (database: DatabaseHandle, config: Config) => Promise<T>,
): Promise<T> {
  const config = ctx.config();
  const database = openDatabase(config.databaseUrl);
  try {
    await migrateToLatest(database.db);
    return await run(database, config);
  } finally {
    await database.close();
  }
}

export async function resetTwoFactorCommand(args: string[], ctx: CliContext): Promise<void> {
  const { positionals } = parseArgs({ args, allowPositionals: true, options: {} });
  const email = positionals[0]?.trim() ?? '';
  if (positionals.length !== 1 || !email) ctx.fail('reset-2fa needs one email address');
  await withDatabase(ctx, async (database, config) => {
    // The whole app's services: the reset mails the person, like the console's.
    const portico = await buildApp({
      config,
      database,
      logger: false,
      outboxLog: (line) => process.stderr.write(line + '\n'),
    });
    try {
      const { directory, accounts } = portico.services.admin;
      const user = await directory.findByEmail(email);
      if (!user) ctx.fail(`no account has the email address ${email}`);
      const methods = await directory.methodsOf(user.id);
      const result = await accounts.resetTwoFactor(user.id, { actorLabel: 'cli', meta: CLI_META });
      if (!result.ok) ctx.fail(`could not reset ${email} (${result.error})`);
      ctx.out(
        `Reset two-factor authentication for ${user.name} <${email}>: ${methods.length} method(s) removed, every session ended, the user has been emailed.\n`,
      );
    } finally {
      await portico.close();
    }
  });
}

function limitOf(ctx: CliContext, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1) ctx.fail('--limit needs a whole number from 1');
  return Number(raw);
}

const tsv = (fields: Array<string | number | null>) =>
  fields.map((f) => String(f ?? '').replace(/[\t\r\n]/g, ' ')).join('\t') + '\n';

export async function usersCommand(args: string[], ctx: CliContext): Promise<void> {
  const { positionals, values } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      search: { type: 'string' },
      admins: { type: 'boolean' },
      limit: { type: 'string' },
    },
  });
  if (positionals[0] !== 'list' || positionals.length !== 1)
    ctx.fail('unknown users command. Run "portico users --help".');
  const limit = limitOf(ctx, values.limit, 100);
  await withDatabase(ctx, async (database) => {
    const directory = createUserDirectory({
      db: database.db,
      clock: systemClock,
      sessionIdleMs: 0,
      auditQuery: createAuditQuery(database.db),
    });
    const { total, users } = await directory.search({
      text: values.search,
      admins: values.admins,
      perPage: limit,
    });
    ctx.out(tsv(['email', 'name', 'role', 'two-factor', 'status', 'created']));
    for (const u of users) {
      ctx.out(
        tsv([
          u.email,
          u.name,
          u.isAdmin ? 'admin' : 'user',
          u.methods.length ? u.methods.join(',') : '-',
          u.disabled ? 'disabled' : 'active',
          new Date(u.createdAt).toISOString(),
        ]),
      );
    }
    if (total > users.length) process.stderr.write(`(${users.length} of ${total} shown)\n`);
  });
}

export async function auditCommand(args: string[], ctx: CliContext): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      user: { type: 'string' },
      since: { type: 'string' },
      until: { type: 'string' },
      event: { type: 'string' },
      limit: { type: 'string' },
      csv: { type: 'boolean' },
    },
  });
  const limit = limitOf(ctx, values.limit, 100);
  const filters: AuditFilters = {};
  if (values.since !== undefined) {
    const since = startOfDay(values.since);
    if (since === undefined) ctx.fail('--since needs a date as YYYY-MM-DD');
    filters.from = since;
  }
  if (values.until !== undefined) {
    const until = startOfDay(values.until);
    if (until === undefined) ctx.fail('--until needs a date as YYYY-MM-DD');
    filters.to = until + DAY_MS;
  }
  if (values.event) filters.event = values.event;
  await withDatabase(ctx, async (database) => {
    const auditLog = createAuditQuery(database.db);
    if (values.user) {
      const directory = createUserDirectory({
        db: database.db,
        clock: systemClock,
        sessionIdleMs: 0,
        auditQuery: auditLog,
      });
      const user = await directory.findByEmail(values.user);
      if (!user) ctx.fail(`no account has the email address ${values.user}`);
      filters.userId = user.id;
    }
    if (values.csv) {
      for await (const line of auditCsv(auditLog.each(filters))) ctx.out(line);
      return;
    }
    const { total, events } = await auditLog.list(filters, 1, limit);
    for (const e of events) {
      const actor = e.actor_user_id
        ? `${e.actor_email ?? e.actor_user_id}${e.actor_label ? ` (${e.actor_label})` : ''}`
        : (e.actor_label ?? '-');
      ctx.out(
        tsv([
          new Date(e.created_at).toISOString(),
          e.event,
          actor,
          e.target_email ?? e.target_user_id ?? '-',
          e.ip ?? '-',
          e.details ?? '',
        ]),
      );
    }
    if (total > events.length) process.stderr.write(`(${events.length} of ${total} shown)\n`);
  });
}
