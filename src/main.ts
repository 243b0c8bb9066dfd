#!/usr/bin/env node
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { createAdministrators } from './accounts/administrators.js';
import {
  ARGON2_PARAMS,
  createPasswordHasher,
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
} from './accounts/passwords.js';
import {
  findUserById,
  findVerifiedAddress,
  isPlainEmail,
  isValidEmail,
  NAME_MAX_LENGTH,
} from './accounts/users.js';
import { isBlank, isOneLine } from './lib/control-characters.js';
import type { Weakness } from './accounts/password-screen.js';
import { createPasswordScreen, personalWords } from './accounts/password-screen.js';
import { buildApp, installationKeys } from './app.js';
import { en } from './i18n/en.js';
import { CLI_ACTOR, CLI_META, createAudit } from './audit/audit.js';
import { MINUTE_MS, systemClock } from './clock.js';
import { startHousekeeping } from './db/housekeeping.js';
import type { Config } from './config.js';
import { ConfigError, loadConfig, mailLinksLeadNowhere } from './config.js';
import type { CliContext } from './cli/admin-commands.js';
import {
  ADMIN_HELP,
  auditCommand,
  openMigratedDatabase,
  parseCommandArgs,
  reasonOf,
  resetTwoFactorCommand,
  unlockTwoFactorCommand,
  usersCommand,
} from './cli/admin-commands.js';
import { reportIdleError, sqliteFileOf } from './db/database.js';
import { makeDirectories } from './lib/directories.js';
import { createSmtpMailer, MailDeliveryError, mailServerWarning } from './mail/mailer.js';
import { securityKeysWorkAt } from './two-factor/webauthn/security-keys.js';

/** The mail server is asked after this long, when the first requests have been answered. */
const MAIL_SERVER_CHECK_DELAY_MS = 1_000;

const HELP: Record<string, string> = {
  ...ADMIN_HELP,
  main: `Usage: portico <command> [options]

Commands:
  serve          Run the help center (migrates the database first)
  migrate        Apply pending database migrations and exit
  create-admin   Create an administrator (or promote an existing account)
  reset-2fa      Reset the two-factor authentication of an account (by email)
  unlock-2fa     Lift the lock after too many wrong codes, keeping the methods
  users list     List accounts, optionally only those matching a search
  audit          Print security events (filter by user, dates, event type)

Run "portico <command> --help" for a command's options, "portico --version"
for the version. Configuration comes from the environment; see the README.`,
  serve: `Usage: portico serve

Migrates the database, listens on HOST:PORT, and then creates the
administrator from PORTICO_ADMIN_EMAIL and PORTICO_ADMIN_PASSWORD when none
exists (or, on a fresh database, a generated one whose password is printed
once). Takes no options: every setting comes from the environment (see the
README).`,
  migrate: `Usage: portico migrate

Applies every pending migration to DATABASE_URL and exits. Takes no options.`,
  'create-admin': `Usage: portico create-admin --email EMAIL [--name NAME]

Creates a verified administrator account. The password is read from a prompt,
or from standard input when it is not a terminal:
  echo "$PW" | portico create-admin --email EMAIL --name NAME
It needs 12 to 256 characters and must not be easily guessed (a common
password, or one made of the name and address). An existing account with that
address is made administrator instead, and keeps its name and password (neither
is asked for); --name is needed for a new account only.`,
};

function fail(message: string, exitCode = 1): never {
  process.stderr.write(`portico: ${message}\n`);
  process.exit(exitCode);
}

function config(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
}

async function readPassword(): Promise<string> {
  if (!process.stdin.isTTY) {
    let input = '';
    for await (const chunk of process.stdin) input += String(chunk);
    // The first line is the password (`echo`, `printf '%s\n'`, a file with a last newline);
    // anything after it is a mistake to say, not part of a password nobody could type.
    const [first = '', ...rest] = input.split(/\r?\n/);
    if (rest.some((line) => line !== '')) fail('the password on standard input must be one line');
    return first;
  }
  const rl = readline.createInterface({
    input: process.stdin,
    output: process.stdout,
    terminal: true,
  });
  // Echo nothing while the password is typed.
  const output = rl as unknown as { _writeToOutput: (s: string) => void };
  process.stdout.write('Password: ');
  output._writeToOutput = () => undefined;
  const answer = await new Promise<string>((resolve) => rl.question('', resolve));
  rl.close();
  process.stdout.write('\n');
  return answer;
}

/** How long a stop waits for the requests it has before it closes their connections. */
const STOP_GRACE_MS = 10_000;

const LISTEN_ERRORS: Record<string, string> = {
  EADDRINUSE: 'address already in use',
  EADDRNOTAVAIL: 'no such address on this machine',
  EACCES: 'permission denied',
  ENOTFOUND: 'host name not found',
  EAI_AGAIN: 'host name not found',
};

/**
 * Without SMTP_URL every mail is a file in the outbox: a folder this process cannot write
 * would lose each one later (registration says "check your email" all the same), so it is
 * said at start. On SQLite the database file finds such a folder first; on PostgreSQL only
 * this does.
 */
function ensureOutbox(dataDir: string): void {
  const outbox = path.join(dataDir, 'outbox');
  try {
    makeDirectories(outbox, 0o700);
    fs.accessSync(outbox, fs.constants.W_OK);
  } catch (error) {
    fail(
      `PORTICO_DATA_DIR: cannot write the mail outbox ${outbox} (${reasonOf(error)}); give a folder this process may write to, or set SMTP_URL`,
    );
  }
}

async function serve(args: string[]): Promise<void> {
  parseCommandArgs(
    cli,
    'serve',
    'Usage: portico serve (settings such as PORT and HOST come from the environment)',
    { args, options: {} },
  );
  const cfg = config();
  if (!cfg.smtpUrl) ensureOutbox(cfg.dataDir);
  // A pooled PostgreSQL connection that fails while idle is said in the log, as a JSON line
  // beside the requests', once the app and its log exist.
  const idleErrors: { report: (error: Error) => void } = { report: reportIdleError };
  const { database, applied } = await openMigratedDatabase(cli, cfg, {
    onIdleError: (error) => idleErrors.report(error),
  });
  // The schema changed at this start: the operator's log says when, as `portico migrate` does
  // (most worth knowing when a new process migrates a database older ones still use).
  if (applied.length > 0) process.stdout.write(`Applied migrations: ${applied.join(', ')}\n`);
  const portico = await buildApp({ config: cfg, database });
  idleErrors.report = (error) =>
    portico.app.log.warn(
      { err: error },
      'a database connection waiting in the pool failed; a new one is opened when needed',
    );
  if (await portico.services.knowledgeBase.seedIfEmpty()) {
    process.stdout.write('Added the built-in knowledge-base articles (English and Dutch).\n');
  }
  // Listen before the administrator is made: a generated password is printed once, and a
  // start that cannot listen must not have used it up. Whether the database is fresh is read
  // before listening, so a registration in between does not cancel the generated one.
  const administrators = createAdministrators(portico.services);
  const freshDatabase = !(await administrators.hasAnyUser());
  const listening = `${cfg.host.includes(':') ? `[${cfg.host}]` : cfg.host}:${cfg.port}`;
  try {
    await portico.app.listen({ port: cfg.port, host: cfg.host });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    fail(
      `cannot listen on ${listening} (${LISTEN_ERRORS[code] ?? reasonOf(error)}); set PORT or HOST`,
    );
  }
  await administrators.ensure(
    {
      email: cfg.adminEmail,
      password: cfg.adminPassword,
      fallbackDomain: cfg.publicUrl.hostname.includes('.')
        ? cfg.publicUrl.hostname
        : 'portico.localhost',
    },
    (line) => process.stdout.write(line + '\n'),
    {
      freshDatabase,
      warn: (line) => process.stderr.write(`portico: warning: ${line}\n`),
    },
  );
  const stopHousekeeping = startHousekeeping(
    database.db,
    systemClock,
    cfg.sessionIdleMinutes * MINUTE_MS,
    portico.app.log,
  );
  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    // A second signal (Ctrl-C again, a supervisor that lost patience) ends it at once.
    if (stopping) {
      process.stdout.write(
        `Portico stopped at once (${signal} again): open requests were cut off\n`,
      );
      process.exit(1);
    }
    stopping = true;
    process.stdout.write(`Portico is stopping (${signal}): finishing the requests it has\n`);
    // Requests still open after the grace time (a client that never finishes sending, a
    // response that never ends) have their connections closed, so a stop always ends.
    setTimeout(() => portico.app.server.closeAllConnections(), STOP_GRACE_MS).unref();
    void stopHousekeeping()
      .then(() => portico.close())
      .then(() => database.close())
      .then(() => process.stdout.write('Portico stopped\n'))
      .finally(() => process.exit(0));
  };
  // Listened for before the line a supervisor waits for: a signal that came between the two
  // would end the process at once, without finishing its requests.
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // PUBLIC_URL is where people go (a load balancer, perhaps); the address this process listens
  // on is said as well, so several processes behind one name can be told apart.
  process.stdout.write(
    `Portico is running at ${cfg.publicUrl.href} (listening on ${listening}; ${database.dialect}${cfg.smtpUrl ? ', SMTP' : `, mail outbox in ${cfg.dataDir}/outbox`})\n`,
  );
  if (!securityKeysWorkAt(cfg.publicUrl)) {
    process.stderr.write(
      `portico: warning: PUBLIC_URL ${cfg.publicUrl.href} is an IP address, and browsers use security keys only on a host name: they are not offered. Give the help center a name (http://localhost:${cfg.port} on this machine).\n`,
    );
  }
  // An https address is a real installation: there the dev outbox means nobody gets a code,
  // and the codes and links are printed on this process's output instead.
  if (!cfg.smtpUrl && cfg.publicUrl.protocol === 'https:') {
    process.stderr.write(
      `portico: warning: SMTP_URL is not set, so no mail leaves this machine: each is written to ${cfg.dataDir}/outbox and its codes and links printed here. Set SMTP_URL.\n`,
    );
  }
  if (mailLinksLeadNowhere(cfg)) {
    process.stderr.write(
      `portico: warning: PUBLIC_URL is ${cfg.publicUrl.href}, so the links in mails lead to the reader's own computer, while this process listens on ${cfg.host} for others: set PUBLIC_URL to the address people use.\n`,
    );
  }
  if (cfg.smtpUrl) checkMailServer(cfg.smtpUrl, cfg.mailFrom);
}

/**
 * Asks the mail server, once the first requests have been answered, whether it takes mail from
 * us, and says so on standard error when it does not (a refused certificate, a wrong port or
 * password): registration answers "check your email" whatever happens to the mail.
 */
function checkMailServer(smtpUrl: string, from: string): void {
  setTimeout(() => {
    const mailer = createSmtpMailer(smtpUrl, from);
    mailer
      .check()
      .catch((error: unknown) => {
        if (error instanceof MailDeliveryError)
          process.stderr.write(`${mailServerWarning(smtpUrl, error)}\n`);
      })
      .finally(() => void mailer.close());
  }, MAIL_SERVER_CHECK_DELAY_MS).unref();
}

async function migrate(args: string[]): Promise<void> {
  parseCommandArgs(
    cli,
    'migrate',
    'Usage: portico migrate (the database comes from DATABASE_URL)',
    { args, options: {} },
  );
  const cfg = config();
  const { database, applied } = await openMigratedDatabase(cli, cfg);
  try {
    process.stdout.write(
      applied.length ? `Applied: ${applied.join(', ')}\n` : 'The database is up to date.\n',
    );
  } finally {
    await database.close();
  }
}

async function createAdmin(args: string[]): Promise<void> {
  const { values } = parseCommandArgs(
    cli,
    'create-admin',
    'Usage: portico create-admin --email EMAIL [--name NAME]',
    {
      args,
      options: {
        email: { type: 'string' },
        name: { type: 'string' },
        help: { type: 'boolean' },
      },
    },
  );
  if (values.help) return void process.stdout.write(HELP['create-admin'] + '\n');
  const email = values.email?.trim() ?? '';
  // In one Unicode form, as a name from a form is (Validator.required).
  const name = values.name?.trim().normalize('NFC') ?? '';
  if (!isValidEmail(email)) fail('create-admin needs --email with a valid address');
  const nameRule = `create-admin needs --name (1 to ${NAME_MAX_LENGTH} characters on one line)`;
  const nameOk = !isBlank(name) && name.length <= NAME_MAX_LENGTH && isOneLine(name);
  if (values.name !== undefined && !nameOk) fail(nameRule);
  const cfg = config();
  // No database file yet: no account to promote, so a missing name is said before one is made.
  const file = sqliteFileOf(cfg.databaseUrl);
  if (!name && file !== null && file !== ':memory:' && !fs.existsSync(file))
    fail(`${nameRule} for a new account`);
  const { database } = await openMigratedDatabase(cli, cfg);
  let outcome: 'created' | 'promoted' | 'already' | { refused: Weakness };
  let disabled = false;
  try {
    // The password is hashed with the installation's pepper, so the master key must be the
    // one the database was set up with.
    const keys = await installationKeys(cfg, database, systemClock.now());
    const admins = createAdministrators({
      db: database.db,
      clock: systemClock,
      hasher: createPasswordHasher({ ...ARGON2_PARAMS, secret: keys.pepper }),
      audit: createAudit(database.db, systemClock),
    });
    // An address that has an account is promoted and keeps its name and password: none is
    // asked for.
    const existing = await findVerifiedAddress(database.db, email);
    if (!existing && !name) fail(`${nameRule} for a new account`);
    if (!existing && !isPlainEmail(email))
      fail(
        'create-admin needs --email typed with ordinary characters (none invisible or look-alike, no commas, colons or angle brackets)',
      );
    const password = existing ? '' : await readPassword();
    if (
      !existing &&
      (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH)
    )
      fail(`the password must have ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters`);
    const weakness = existing
      ? null
      : await screenOnce(password, personalWords(name, email, cfg.siteName));
    outcome = weakness
      ? { refused: weakness }
      : await admins.create({ email, name, password }, CLI_ACTOR, CLI_META);
    if (existing) {
      const account = await findUserById(database.db, existing.user_id);
      disabled = account !== undefined && account.disabled_at !== null;
    }
  } finally {
    await database.close();
  }
  if (typeof outcome === 'object')
    fail(`the password is refused. ${en.errors.passwordWeak[outcome.refused]}`);
  process.stdout.write(
    outcome === 'created'
      ? `Created administrator ${email}.\n`
      : outcome === 'already'
        ? `${email} is an administrator already; nothing changed.\n`
        : `${email} already had an account; it is now an administrator (its name and password are unchanged).\n`,
  );
  // Administrator or not, a disabled account cannot sign in; the console enables it.
  if (disabled && outcome !== 'created')
    process.stdout.write(
      `The account is disabled: it cannot sign in until another administrator enables it (admin console, Users).\n`,
    );
}

/** Judges one password on a worker of its own, which is stopped afterwards. */
async function screenOnce(password: string, personal: string[]): Promise<Weakness | null> {
  const screen = createPasswordScreen();
  try {
    return await screen.screen(password, personal);
  } finally {
    await screen.close();
  }
}

const cli: CliContext = { fail, config, out: (text) => void process.stdout.write(text) };

/**
 * `portico audit | head -1`: the reader has gone and the rest is not wanted. Only the commands
 * that print for a reader; serve's standard output is its log.
 */
function stopQuietlyWhenOutputCloses(): void {
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(0);
    fail(`cannot write to standard output (${reasonOf(error)})`);
  });
}

async function main(argv: string[]): Promise<void> {
  const [command, ...rest] = argv;
  if (command !== 'serve') stopQuietlyWhenOutputCloses();
  if (command === '--version' || command === '-V' || command === 'version') {
    // package.json sits one folder above this file, in the sources and in dist/ alike.
    const { version } = JSON.parse(
      fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8'),
    ) as { version: string };
    process.stdout.write(`portico ${version}\n`);
    return;
  }
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    // `portico help help` and `portico help --help` are asking how help works: the main text.
    const asked = command === 'help' ? rest[0] : undefined;
    const topic = asked === 'help' || asked === '--help' || asked === '-h' ? undefined : asked;
    if (topic !== undefined && !Object.hasOwn(HELP, topic))
      fail(`unknown command "${topic}". Run "portico --help".`);
    process.stdout.write(HELP[topic ?? 'main'] + '\n');
    return;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    const help = Object.hasOwn(HELP, command) ? HELP[command] : undefined;
    if (!help) fail(`unknown command "${command}". Run "portico --help".`);
    process.stdout.write(help + '\n');
    return;
  }
  switch (command) {
    case 'serve':
      return serve(rest);
    case 'migrate':
      return migrate(rest);
    case 'create-admin':
      return createAdmin(rest);
    case 'reset-2fa':
      return resetTwoFactorCommand(rest, cli);
    case 'unlock-2fa':
      return unlockTwoFactorCommand(rest, cli);
    case 'users':
      return usersCommand(rest, cli);
    case 'audit':
      return auditCommand(rest, cli);
    default:
      fail(`unknown command "${command}". Run "portico --help".`);
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`portico: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
