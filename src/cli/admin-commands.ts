import os from 'node:os';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { AUDIT_EVENT_TYPES, CLI_ACTOR, CLI_META, isAuditEventType } from '../audit/audit.js';
import { auditCsv } from '../audit/audit-csv.js';
import type { AuditFilters } from '../audit/audit-query.js';
import { createAuditQuery, DAY_FORMAT, startOfDay } from '../audit/audit-query.js';
import type { UserDirectory } from '../admin/user-directory.js';
import { createUserDirectory } from '../admin/user-directory.js';
import { buildApp } from '../app.js';
import { DAY_MS, systemClock } from '../clock.js';
import type { Config } from '../config.js';
import { normalizeEmail } from '../accounts/users.js';
import { forTerminal } from '../lib/control-characters.js';
import { urlForDisplay, databaseVariable } from '../config.js';
import type { DatabaseHandle, DatabaseOptions } from '../db/database.js';
import { openDatabase, sqliteFileOf } from '../db/database.js';
import { isUpToDate, migrateToLatest, migrationsFromNewerRelease } from '../db/migrate.js';
import type { Mailer } from '../mail/mailer.js';
import { createOutboxMailer, createSmtpMailer } from '../mail/mailer.js';

/** What the CLI's entry point lends a command: its error exit and the loaded configuration. */
export interface CliContext {
  /** Prints "portico: message" on standard error and exits (status 1 unless given). */
  fail(message: string, exitCode?: number): never;
  config(): Config;
  out(text: string): void;
}

/** Exit status of reset-2fa when the reset was done but its mail could not be sent. */
export const EXIT_MAIL_NOT_SENT = 2;

/** An error as the end of one line: its message (or its parts'), without line breaks. */
export function reasonOf(error: unknown): string {
  const parts =
    error instanceof AggregateError && error.message === ''
      ? error.errors.map((part: unknown) => reasonOf(part))
      : [error instanceof Error ? error.message || error.name : String(error)];
  return parts.join('; ').replace(/\s+/g, ' ').trim();
}

/**
 * node:util parseArgs, strict, with its errors turned into one line that names the argument
 * and shows the command's usage (its own messages suggest "--" tricks instead). An option given
 * twice is refused too: parseArgs keeps the last silently, so `--user a --user b` would show
 * b's events alone. The tokens that tell are asked for here, for every command.
 */
export function parseCommandArgs<T extends ParseArgsConfig>(
  ctx: CliContext,
  command: string,
  usage: string,
  config: T,
): ReturnType<typeof parseArgs<T & { tokens: true }>> {
  let parsed: ReturnType<typeof parseArgs<T & { tokens: true }>>;
  try {
    parsed = parseArgs({ ...config, tokens: true });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS_')) throw error;
    const message = reasonOf(error);
    const argument = /'([^' ]*)/.exec(message)?.[1] ?? '';
    const problem =
      code === 'ERR_PARSE_ARGS_UNKNOWN_OPTION'
        ? `unknown option "${argument}"`
        : code === 'ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL'
          ? `unexpected argument "${argument}"`
          : message.includes('argument missing')
            ? `option "${argument}" needs a value`
            : message.includes('ambiguous')
              ? `option "${argument}" needs a value (one that starts with "-" is written ${argument}=VALUE)`
              : `option "${argument}" takes no value`;
    ctx.fail(`${problem} for ${command}. ${usage}`);
  }
  const seen = new Set<string>();
  for (const token of parsed.tokens ?? []) {
    if (token.kind !== 'option' || token.name === undefined) continue;
    if (seen.has(token.name))
      ctx.fail(
        `option "${token.rawName ?? `--${token.name}`}" is given more than once for ${command}; give it once. ${usage}`,
      );
    seen.add(token.name);
  }
  return parsed;
}

/** A command's usage, all its lines (up to the first blank one) as one. */
const usageOf = (command: string) =>
  `${(ADMIN_HELP[command]?.split('\n\n')[0] ?? '').replace(/\s+/g, ' ')} (see "portico ${command} --help")`;

/**
 * Opens DATABASE_URL and brings it up to date. A database that cannot be reached or migrated
 * ends the command with one line naming the variable and the cause, never the password.
 */
export async function openMigratedDatabase(
  ctx: CliContext,
  config: Config,
  options: Pick<DatabaseOptions, 'onIdleError'> = {},
): Promise<{ database: DatabaseHandle; applied: string[] }> {
  let database: DatabaseHandle | undefined;
  try {
    database = openDatabase(config.databaseUrl, options);
    return { database, applied: await migrateToLatest(database.db) };
  } catch (error) {
    await database?.close().catch(() => undefined);
    ctx.fail(
      `${databaseVariable(config)}: cannot use the database ${urlForDisplay(config.databaseUrl)} (${reasonOf(error)})${sqliteAccessHint(config, error)}`,
    );
  }
}

/**
 * SQLite says "unable to open database file" or "attempt to write a readonly database" when
 * the file, or the folder it writes its -wal and -shm files in, is not this user's to write:
 * which of the two it is, and for whom, is said.
 */
function sqliteAccessHint(config: Config, error: unknown): string {
  const file = sqliteFileOf(config.databaseUrl);
  const code = (error as { code?: unknown }).code;
  if (file === null || (code !== 'SQLITE_CANTOPEN' && !String(code).startsWith('SQLITE_READONLY')))
    return '';
  const user = os.userInfo().username;
  return `: ${user} must be able to write ${file} and its folder ${path.dirname(path.resolve(file))} (SQLite writes its -wal and -shm files there)`;
}

/** What was typed, as an error message repeats it: one line, at most 60 characters. */
function typed(value: string): string {
  return forTerminal(value.length > 60 ? `${value.slice(0, 60)}…` : value);
}

/**
 * The start (UTC) of the day a date option names. A date in the right form that the calendar
 * does not have (2026-02-30) is said to be that, not to be in the wrong form.
 */
function dayOption(ctx: CliContext, option: string, value: string): number {
  const start = startOfDay(value);
  if (start !== undefined) return start;
  if (DAY_FORMAT.test(value)) ctx.fail(`${option}: there is no day ${value}`);
  ctx.fail(`${option} needs a date as YYYY-MM-DD, not "${typed(value)}"`);
}

/** How many single-letter edits turn one word into the other (Levenshtein). */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      const replace = (previous[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      row.push(Math.min(replace, (previous[j] ?? 0) + 1, (row[j - 1] ?? 0) + 1));
    }
    previous = row;
  }
  return previous[b.length] ?? 0;
}

/** "; did you mean …?" for the event type a mistyped one is closest to, or ''. */
function meant(typed: string): string {
  const wanted = typed.trim().toLowerCase().slice(0, 100);
  let best: { type: string; distance: number } | undefined;
  for (const type of AUDIT_EVENT_TYPES) {
    const distance = editDistance(wanted, type);
    if (!best || distance < best.distance) best = { type, distance };
  }
  return best && best.distance <= 3 ? `; did you mean "${best.type}"?` : '';
}

/** The event types, a family (the part before the dot) to a paragraph, for the audit command's help. */
function eventTypeLines(): string {
  const families = new Map<string, string[]>();
  for (const type of AUDIT_EVENT_TYPES) {
    const family = type.split('.')[0] ?? type;
    families.set(family, [...(families.get(family) ?? []), type]);
  }
  const lines: string[] = [];
  for (const types of families.values()) {
    let line = ' ';
    for (const [i, type] of types.entries()) {
      const word = ` ${type}${i < types.length - 1 ? ',' : ''}`;
      if (line.length + word.length > 78) {
        lines.push(line);
        line = '   ';
      }
      line += word;
    }
    lines.push(line);
  }
  return lines.join('\n');
}

export const ADMIN_HELP: Record<string, string> = {
  'reset-2fa': `Usage: portico reset-2fa EMAIL

Resets the two-factor authentication of the account that verified this email
address, as "Reset two-factor authentication" in the admin console does: every
method, recovery code, trusted device and session of the account is removed,
the person is emailed, and the audit log records it with the actor "cli". An
address only added to an account, or registered and never confirmed, proves
nothing and finds no account. When the two-factor policy requires it of them,
their next log-in asks them to set it up again; otherwise they can set it up
again from Your 2FA in their profile. Works for administrators too (the way
back in for an administrator who lost their second factor). If the email
cannot be sent, the reset still stands: the command says why on standard error
and exits with status 2. An account without a method has nothing to reset: the
command says so and changes nothing.`,
  'unlock-2fa': `Usage: portico unlock-2fa EMAIL

Lifts the lock on the second step of the account that verified this email
address, as "Unlock two-factor sign-in" in the admin console does: its
methods, recovery codes and sessions stay, the count of wrong codes starts
again, and the audit log records it with the actor "cli". For an owner locked
out by someone else's guesses (after ten wrong codes in a row), where a reset
would leave the account to the password alone. Works for administrators too.
An account that is not locked has nothing to unlock: the command says so and
changes nothing.`,
  users: `Usage: portico users list [--search TEXT] [--admins] [--limit N]

Lists accounts by name, one per line, tab-separated: email, name, role,
two-factor methods, status (active, unverified: email address not verified
yet, or disabled), created (UTC).
  --search TEXT   only accounts whose name or email address contains TEXT
  --admins        only administrators
  --limit N       at most N accounts (default 100)`,
  audit: `Usage: portico audit [--user EMAIL] [--since DATE] [--until DATE] [--event TYPE]
                     [--limit N] [--csv]

Prints security events, newest first, one per line, tab-separated, under a
header line: time (UTC), event, actor, target, IP address, details.
  --user EMAIL    events the account that verified EMAIL did, or that were done
                  to it
  --since DATE    from this day on (YYYY-MM-DD, UTC)
  --until DATE    up to and including this day
  --event TYPE    one event type, such as two_factor.reset_by_admin
  --limit N       at most N events (default 100; with --csv, all unless given)
  --csv           the matching events as CSV (as the admin console exports it)

Event types:
${eventTypeLines()}`,
};

/**
 * Opens DATABASE_URL for a command that reads or changes accounts, which needs this release's
 * schema and migrates nothing: run against the live database of older processes, or against
 * a mistyped URL, it must neither upgrade the one nor fill the other with tables.
 */
async function openCurrentDatabase(ctx: CliContext, config: Config): Promise<DatabaseHandle> {
  const shown = urlForDisplay(config.databaseUrl);
  const refuse = (what: string): never =>
    ctx.fail(
      `${databaseVariable(config)}: the database ${shown} ${what}; run "portico migrate" (or start the server) first`,
    );
  // A missing SQLite file is not made: an empty one would be left behind by a command that
  // only reads, or under a mistyped path.
  const file = sqliteFileOf(config.databaseUrl);
  if (file !== null && !fs.existsSync(file)) refuse('is not there (no such file)');
  let database: DatabaseHandle | undefined;
  let current: boolean;
  try {
    database = openDatabase(config.databaseUrl, { existingFileOnly: true });
    current = await isUpToDate(database.db);
  } catch (error) {
    await database?.close().catch(() => undefined);
    ctx.fail(
      `${databaseVariable(config)}: cannot use the database ${shown} (${reasonOf(error)})${sqliteAccessHint(config, error)}`,
    );
  }
  if (!current) {
    const newer = await migrationsFromNewerRelease(database.db);
    await database.close().catch(() => undefined);
    if (newer.length > 0)
      ctx.fail(
        `${databaseVariable(config)}: the database ${shown} was migrated by a newer release of Portico (migration ${newer.join(', ')} is not in this one); run that release or a later one`,
      );
    refuse("does not have this release's tables");
  }
  return database;
}

async function withDatabase<T>(
  ctx: CliContext,
  run: (database: DatabaseHandle, config: Config) => Promise<T>,
): Promise<T> {
  const config = ctx.config();
  const database = await openCurrentDatabase(ctx, config);
  try {
    return await run(database, config);
  } finally {
    await database.close();
  }
}

/** The mailer the app would build, with every send's outcome kept for the command to wait on. */
function watchedMailer(config: Config): { mailer: Mailer; outcomes: Array<Promise<unknown>> } {
  const inner = config.smtpUrl
    ? createSmtpMailer(config.smtpUrl, config.mailFrom)
    : createOutboxMailer(path.join(config.dataDir, 'outbox'), config.mailFrom, (line) =>
        process.stderr.write(line + '\n'),
      );
  const outcomes: Array<Promise<unknown>> = [];
  return {
    outcomes,
    mailer: {
      send(message) {
        const sending = inner.send(message);
        outcomes.push(
          sending.then(
            () => null,
            (error: unknown) => error ?? 'unknown error',
          ),
        );
        return sending;
      },
      close: () => inner.close(),
    },
  };
}

/**
 * Why an address finds no account: none holds it, or only accounts that never verified it (an
 * address someone added or registered, which proves nothing). The second is worth telling: the
 * operator sees the address in `users list` and would wonder why it is "not found".
 */
async function noAccountWith(directory: UserDirectory, email: string): Promise<string> {
  const unverified = await directory.countUnverifiedHolders(email);
  if (unverified === 0) return `no account has the email address ${email}`;
  const holders = unverified === 1 ? '1 account has' : `${unverified} accounts have`;
  return `no account has verified the email address ${email}: ${holders} it unverified (an address added or registered and never confirmed, which proves nothing); "portico users list --search ${email}" lists ${unverified === 1 ? 'it' : 'them'}`;
}

/** The one email address a command about an account takes (reset-2fa, unlock-2fa). */
function oneEmailOf(args: string[], ctx: CliContext, command: 'reset-2fa' | 'unlock-2fa'): string {
  const { positionals } = parseCommandArgs(ctx, command, usageOf(command), {
    args,
    allowPositionals: true,
    options: {},
  });
  const email = positionals[0]?.trim() ?? '';
  if (positionals.length > 1)
    ctx.fail(
      `${command} takes one email address; "${typed(positionals[1] ?? '')}" is one argument too many. ${usageOf(command)}`,
    );
  if (!email) ctx.fail(`${command} needs an email address. ${usageOf(command)}`);
  return email;
}

export async function resetTwoFactorCommand(args: string[], ctx: CliContext): Promise<void> {
  const email = oneEmailOf(args, ctx, 'reset-2fa');
  await withDatabase(ctx, async (database, config) => {
    // The whole app's services: the reset mails the person, like the console's. The app sends
    // that mail in the background and only logs a failure; here the operator is told.
    const { mailer, outcomes } = watchedMailer(config);
    const portico = await buildApp({ config, database, logger: false, mailer, settleKey: false });
    try {
      const { directory, accounts } = portico.services.admin;
      const user = await directory.findByEmail(email);
      if (!user) ctx.fail(await noAccountWith(directory, email));
      const methods = await directory.methodsOf(user.id);
      const result = await accounts.resetTwoFactor(
        user.id,
        { actorLabel: CLI_ACTOR, meta: CLI_META },
        { administrators: true },
      );
      if (!result.ok && result.error === 'NOTHING_TO_RESET') {
        // What was asked for is already so: said, and not an error for a script.
        ctx.out(
          `${forTerminal(user.name)} <${normalizeEmail(email)}> has no two-factor method: nothing to reset, nothing changed.\n`,
        );
        return;
      }
      if (!result.ok) ctx.fail(`could not reset ${email} (${result.error})`);
      const removed =
        methods.length === 1 ? '1 method removed' : `${methods.length} methods removed`;
      const done = `Reset two-factor authentication for ${forTerminal(user.name)} <${normalizeEmail(email)}>: ${removed}, every session ended`;
      const failure = (await Promise.all(outcomes)).find((outcome) => outcome !== null);
      if (failure === undefined) {
        const mailed =
          outcomes.length === 0
            ? ', the account has no address to email'
            : config.smtpUrl
              ? ', the user has been emailed'
              : ', the email to the user is in the mail outbox (SMTP_URL is not set)';
        ctx.out(`${done}${mailed}.\n`);
        return;
      }
      ctx.out(`${done}.\n`);
      ctx.fail(
        `the reset is done, but the email telling ${email} about it could not be sent (${reasonOf(failure)}); tell them another way`,
        EXIT_MAIL_NOT_SENT,
      );
    } finally {
      await portico.close();
    }
  });
}

export async function unlockTwoFactorCommand(args: string[], ctx: CliContext): Promise<void> {
  const email = oneEmailOf(args, ctx, 'unlock-2fa');
  await withDatabase(ctx, async (database, config) => {
    const portico = await buildApp({ config, database, logger: false, settleKey: false });
    try {
      const { directory, accounts } = portico.services.admin;
      const user = await directory.findByEmail(email);
      if (!user) ctx.fail(await noAccountWith(directory, email));
      const who = `${forTerminal(user.name)} <${normalizeEmail(email)}>`;
      const result = await accounts.unlockSecondFactor(
        user.id,
        { actorLabel: CLI_ACTOR, meta: CLI_META },
        { administrators: true },
      );
      if (!result.ok && result.error === 'ALREADY') {
        // What was asked for is already so: said, and not an error for a script.
        ctx.out(`${who} is not locked out of two-factor sign-in: nothing changed.\n`);
        return;
      }
      if (!result.ok) ctx.fail(`could not unlock ${email} (${result.error})`);
      ctx.out(
        `Unlocked two-factor sign-in for ${who}: their methods are kept, and wrong codes count from zero.\n`,
      );
    } finally {
      await portico.close();
    }
  });
}

function limitOf(ctx: CliContext, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  if (!/^\d{1,6}$/.test(raw) || Number(raw) < 1)
    ctx.fail('--limit needs a whole number from 1 to 999999');
  return Number(raw);
}

/** The first `n` of a stream of rows; the rest are never read. */
async function* firstOf<T>(rows: AsyncIterable<T>, n: number): AsyncGenerator<T> {
  let left = n;
  if (left <= 0) return;
  for await (const row of rows) {
    yield row;
    if (--left === 0) return;
  }
}

const tsv = (fields: Array<string | number | null>) =>
  fields.map((f) => forTerminal(String(f ?? ''))).join('\t') + '\n';

export async function usersCommand(args: string[], ctx: CliContext): Promise<void> {
  const { positionals, values } = parseCommandArgs(ctx, 'users', usageOf('users'), {
    args,
    allowPositionals: true,
    options: {
      search: { type: 'string' },
      admins: { type: 'boolean' },
      limit: { type: 'string' },
    },
  });
  const [command, stray] = positionals;
  if (command === undefined) ctx.fail(`users needs a command. ${usageOf('users')}`);
  if (command !== 'list')
    ctx.fail(
      `unknown users command "${typed(command)}" (the one there is: list). ${usageOf('users')}`,
    );
  if (stray !== undefined)
    ctx.fail(`unexpected argument "${typed(stray)}" for users list. ${usageOf('users')}`);
  const limit = limitOf(ctx, values.limit, 100);
  await withDatabase(ctx, async (database) => {
    const directory = createUserDirectory({
      db: database.db,
      clock: systemClock,
      sessionIdleMs: 0,
      sessionMaxMs: 0,
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
          u.disabled ? 'disabled' : u.emailVerified ? 'active' : 'unverified',
          new Date(u.createdAt).toISOString(),
        ]),
      );
    }
    if (total > users.length) process.stderr.write(`(${users.length} of ${total} shown)\n`);
  });
}

export async function auditCommand(args: string[], ctx: CliContext): Promise<void> {
  const { values } = parseCommandArgs(ctx, 'audit', usageOf('audit'), {
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
  if (values.since !== undefined) filters.from = dayOption(ctx, '--since', values.since);
  if (values.until !== undefined) filters.to = dayOption(ctx, '--until', values.until) + DAY_MS;
  // As the API refuses it: a range that ends before it starts is a typing mistake, not "none".
  if (filters.from !== undefined && filters.to !== undefined && filters.to <= filters.from)
    ctx.fail('--until is before --since');
  if (values.event !== undefined) {
    if (!isAuditEventType(values.event))
      ctx.fail(
        `--event: no event type is called "${typed(values.event)}"${meant(values.event)} ("portico help audit" lists them)`,
      );
    filters.event = values.event;
  }
  await withDatabase(ctx, async (database) => {
    const auditLog = createAuditQuery(database.db);
    if (values.user) {
      const directory = createUserDirectory({
        db: database.db,
        clock: systemClock,
        sessionIdleMs: 0,
        sessionMaxMs: 0,
        auditQuery: auditLog,
      });
      const user = await directory.findByEmail(values.user);
      if (!user) ctx.fail(await noAccountWith(directory, values.user));
      filters.userId = user.id;
    }
    if (values.csv) {
      const rows = auditLog.each(filters);
      const lines = auditCsv(values.limit === undefined ? rows : firstOf(rows, limit));
      for await (const line of lines) ctx.out(line);
      return;
    }
    const { total, events } = await auditLog.list(filters, 1, limit);
    ctx.out(tsv(['time', 'event', 'actor', 'target', 'ip', 'details']));
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
