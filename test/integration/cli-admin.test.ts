/**
 * The operator's commands (issue "Administration", CLI): `portico reset-2fa EMAIL` does what
 * the console's reset does (methods, codes and sessions gone, mailed, audited with the actor
 * "cli"), `portico users list` and `portico audit` read what the console shows. Run as an
 * operator would, against the database of a running app.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_EVENT_TYPES } from '../../src/audit/audit.js';
import { openDatabase } from '../../src/db/database.js';
import { sql } from '../../src/db/kysely.js';
import { migrateToLatest } from '../../src/db/migrate.js';
import { adminClient, plainUser, signedInAdmin } from '../helpers/admin.js';
import { logIn, PASSWORD, registerAndVerify, uniqueEmail } from '../helpers/flows.js';
import type { TestApp } from '../helpers/test-app.js';
import { createTestApp } from '../helpers/test-app.js';
import { setUpApp } from '../helpers/two-factor.js';
import { PORTICO, requireBuiltProgram, ROOT } from '../helpers/command.js';

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

// Runs the compiled program: the whole file fails when it could not be built.
beforeAll(requireBuiltProgram);

describe('administration from the command line', () => {
  let app: TestApp;

  function portico(args: string[], env: Record<string, string> = {}): Promise<Run> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [PORTICO, ...args], {
        cwd: ROOT,
        env: {
          PATH: process.env.PATH ?? '/usr/bin:/bin',
          HOME: process.env.HOME ?? os.tmpdir(),
          TMPDIR: os.tmpdir(),
          PORTICO_DATA_DIR: app.dataDir,
          DATABASE_URL: `sqlite:${path.join(app.dataDir, 'portico.db')}`,
          SMTP_URL: app.mail.url,
          PUBLIC_URL: 'http://localhost:3000',
          ...env,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
  }

  beforeAll(async () => {
    app = await createTestApp();
  });
  afterAll(async () => {
    await app?.close();
  });

  // Allow the runs time on a busy two-core machine.
  const SLOW = 120_000;

  it(
    'explains the new commands in --help',
    async () => {
      const [main, reset, audit, helpReset, helpUnknown, version, helpHelp, helpDashes] =
        await Promise.all([
          portico(['--help']),
          portico(['reset-2fa', '--help']),
          portico(['audit', '--help']),
          portico(['help', 'reset-2fa']),
          portico(['help', 'constructor']),
          portico(['--version']),
          portico(['help', 'help']),
          portico(['help', '--help']),
        ]);
      // Asking help about itself gets the main text, not "unknown command".
      expect(helpHelp.code).toBe(0);
      expect(helpHelp.stdout).toBe(main.stdout);
      expect(helpDashes.stdout).toBe(main.stdout);
      expect(version.stdout).toMatch(/^portico \d+\.\d+\.\d+\n$/);
      expect(helpReset.stdout).toBe(reset.stdout);
      expect(helpUnknown.code).toBe(1);
      expect(helpUnknown.stderr).toBe(
        'portico: unknown command "constructor". Run "portico --help".\n',
      );
      expect(main.stdout).toMatch(/reset-2fa\s+Reset the two-factor authentication/);
      expect(main.stdout).toMatch(/unlock-2fa\s+Lift the lock after too many wrong codes/);
      expect(main.stdout).toMatch(/users list\s+/);
      expect(main.stdout).toMatch(/audit\s+Print security events/);
      expect(reset.stdout).toContain('Usage: portico reset-2fa EMAIL');
      expect(audit.stdout).toContain('--since DATE');
      // Every event type --event takes, on lines a terminal shows whole.
      const types = audit.stdout.split('Event types:\n')[1] ?? '';
      for (const type of AUDIT_EVENT_TYPES)
        expect(types).toMatch(new RegExp(`[ ,]${type}(,|\n|$)`));
      for (const line of audit.stdout.split('\n')) expect(line.length).toBeLessThanOrEqual(80);
    },
    SLOW,
  );

  it(
    'never lets a stored name act on the terminal: escape sequences show as U+FFFD, line breaks as spaces',
    async () => {
      const client = adminClient(app);
      const { email, userId } = await registerAndVerify(app, client, { name: 'Tess Terminal' });
      await logIn(client, email);
      await setUpApp(app, client);
      // As a name saved before forms refused such characters, or written by other means.
      const hostile = 'Tess\u001b]0;owned\u0007\u001b[31mRED\nfake@example.com\tactive\u202e';
      await app.db.updateTable('users').set({ name: hostile }).where('id', '=', userId).execute();
      await app.services.audit.record({
        event: 'user.enabled',
        targetUserId: userId,
        meta: { ip: '192.0.2.1', userAgent: 'agent\u001b[2J' },
      });

      const [users, csv, reset] = await Promise.all([
        portico(['users', 'list', '--search', email]),
        portico(['audit', '--user', email, '--csv']),
        portico(['reset-2fa', email]),
      ]);
      const shown = 'Tess\ufffd]0;owned\ufffd\ufffd[31mRED fake@example.com active\ufffd';
      for (const run of [users, csv, reset]) {
        expect(run.code).toBe(0);
        for (const raw of ['\u001b', '\u0007', '\u202e']) expect(run.stdout).not.toContain(raw);
      }
      expect(users.stdout.trimEnd().split('\n')).toHaveLength(2);
      expect(users.stdout).toContain(`${email}\t${shown}\tuser\t`);
      expect(reset.stdout.startsWith(`Reset two-factor authentication for ${shown} <`)).toBe(true);
      expect(reset.stdout.trimEnd().split('\n')).toHaveLength(1);
      expect(csv.stdout).toContain('agent\ufffd[2J');
    },
    SLOW,
  );

  it(
    'resets a user’s 2FA like the console does, audited as "cli", and reads it back',
    async () => {
      const admin = await signedInAdmin(app);
      const client = adminClient(app);
      const { email, userId } = await registerAndVerify(app, client, { name: 'Carl Cli' });
      await logIn(client, email);
      await setUpApp(app, client);
      const since = app.mail.messages.length;

      const reset = await portico(['reset-2fa', email.toUpperCase()]);
      expect(reset.stderr).toBe('');
      expect(reset.code).toBe(0);
      expect(reset.stdout).toContain(
        `Reset two-factor authentication for Carl Cli <${email.toLowerCase()}>: 1 method removed`,
      );
      expect(await app.services.twoFactor.methods.list(userId)).toEqual([]);
      expect((await client.get('/profile')).location).toMatch(/^\/login/);
      const [event] = await app.db
        .selectFrom('audit_events')
        .selectAll()
        .where('event', '=', 'two_factor.reset_by_admin')
        .where('target_user_id', '=', userId)
        .execute();
      expect(event).toMatchObject({ actor_user_id: null, actor_label: 'cli', ip: 'cli' });
      await app.mail.waitFor(email, /two-factor authentication was reset/, { since });
      // Again: already so, said, and not an error.
      const again = await portico(['reset-2fa', email]);
      expect(again.code).toBe(0);
      expect(again.stdout).toBe(
        `Carl Cli <${email.toLowerCase()}> has no two-factor method: nothing to reset, nothing changed.\n`,
      );
      // Registered, its address never verified: listed as such, not as active.
      const unverified = uniqueEmail('carl.unverified');
      await adminClient(app).submit('/register', {
        name: 'Carl Cli Unverified',
        email: unverified,
        password: PASSWORD,
      });
      // The account is written just after the answer (registration.ts).
      await app.services.postman.drain();

      const today = new Date().toISOString().slice(0, 10);
      const [audit, users, csv, admins, csvOne] = await Promise.all([
        portico(['audit', '--user', email, '--since', today]),
        portico(['users', 'list', '--search', 'carl cli']),
        portico(['audit', '--user', email, '--csv']),
        portico(['users', 'list', '--admins']),
        portico(['audit', '--user', email, '--csv', '--limit', '1']),
      ]);
      expect(audit.code).toBe(0);
      const lines = audit.stdout.trim().split('\n');
      expect(lines[0]).toBe('time\tevent\tactor\ttarget\tip\tdetails');
      expect(lines.some((line) => /^\S+\ttwo_factor\.reset_by_admin\tcli\t/.test(line))).toBe(true);
      expect(audit.stdout).toContain('\tuser.registered\t');
      expect(users.stdout.split('\n')[0]).toBe('email\tname\trole\ttwo-factor\tstatus\tcreated');
      expect(users.stdout).toContain(`${email}\tCarl Cli\tuser\t-\tactive\t`);
      expect(users.stdout).toContain(`${unverified}\tCarl Cli Unverified\tuser\t-\tunverified\t`);
      expect(csv.stdout.split('\r\n')[0]).toMatch(/^time,event,/);
      expect(csv.stdout).toContain('"two_factor.reset_by_admin"');
      // --limit holds for CSV too when it is given: the header and the newest event.
      expect(csv.stdout.trimEnd().split('\r\n').length).toBeGreaterThan(2);
      const one = csvOne.stdout.trimEnd().split('\r\n');
      expect(one).toHaveLength(2);
      expect(one[1]).toBe(csv.stdout.split('\r\n')[1]);
      expect(admins.stdout).toContain(`${admin.email}\tAda Admin\tadmin\ttotp\tactive`);
      expect(admins.stdout).not.toContain('Carl Cli');
    },
    SLOW,
  );

  /*
   * Anyone may put an address that is not theirs on their own account, unverified. An operator
   * who resets "bob@"'s 2FA from the command line must not reset that account instead: an
   * address finds the account that verified it, or none.
   */
  it(
    'resets nothing, and lists no events, for an address no account has verified',
    async () => {
      const claimer = adminClient(app);
      const { email, userId } = await registerAndVerify(app, claimer, { name: 'Cleo Claimer' });
      await logIn(claimer, email);
      const claimed = uniqueEmail('bob.claimed');
      expect((await claimer.submit('/profile/emails', { email: claimed })).status).toBe(303);
      await setUpApp(app, claimer);
      const waiting = uniqueEmail('bob.waiting');
      await adminClient(app).submit('/register', {
        name: 'Bob Waiting',
        email: waiting,
        password: PASSWORD,
      });
      await app.services.postman.drain();

      const [reset, audit, resetWaiting] = await Promise.all([
        portico(['reset-2fa', claimed]),
        portico(['audit', '--user', claimed]),
        portico(['reset-2fa', waiting]),
      ]);
      expect(reset.code).toBe(1);
      expect(reset.stdout).toBe('');
      expect(reset.stderr).toBe(
        `portico: no account has verified the email address ${claimed}: 1 account has it unverified (an address added or registered and never confirmed, which proves nothing); "portico users list --search ${claimed}" lists it\n`,
      );
      expect(audit.code).toBe(1);
      expect(audit.stderr).toBe(
        `portico: no account has verified the email address ${claimed}: 1 account has it unverified (an address added or registered and never confirmed, which proves nothing); "portico users list --search ${claimed}" lists it\n`,
      );
      expect(resetWaiting.code).toBe(1);
      expect(resetWaiting.stderr).toContain(
        `portico: no account has verified the email address ${waiting}: 1 account has it unverified`,
      );
      expect(await app.services.twoFactor.methods.list(userId)).toHaveLength(1);
      expect((await claimer.get('/profile')).status).toBe(200);
    },
    SLOW,
  );

  it(
    'makes an existing account administrator without asking for a password, and says when it was one already',
    async () => {
      const { email, userId } = await registerAndVerify(app, adminClient(app), {
        name: 'Pat Promoted',
      });
      // Standard input is empty: a password asked for would be refused as too short. No name
      // is needed either: the account keeps its own.
      const promoted = await portico(['create-admin', '--email', email]);
      expect(promoted.stderr).toBe('');
      expect(promoted.stdout).toBe(
        `${email} already had an account; it is now an administrator (its name and password are unchanged).\n`,
      );
      const again = await portico(['create-admin', '--email', email, '--name', 'Pat']);
      expect(again.stdout).toBe(`${email} is an administrator already; nothing changed.\n`);
      const row = await app.db
        .selectFrom('users')
        .select(['is_admin', 'name'])
        .where('id', '=', userId)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ is_admin: 1, name: 'Pat Promoted' });
      // Audited as the console's "Make administrator" is, once.
      const audited = await app.db
        .selectFrom('audit_events')
        .select(['event', 'actor_label'])
        .where('target_user_id', '=', userId)
        .where('event', 'in', ['user.admin_granted', 'user.created_by_admin'])
        .execute();
      expect(audited).toEqual([{ event: 'user.admin_granted', actor_label: 'cli' }]);
      // A disabled account is made administrator, and the command says it cannot sign in yet.
      const off = await registerAndVerify(app, adminClient(app), { name: 'Dee Disabled' });
      await app.db
        .updateTable('users')
        .set({ disabled_at: app.clock.now() })
        .where('id', '=', off.userId)
        .execute();
      const disabled = await portico(['create-admin', '--email', off.email]);
      expect(disabled.stdout).toBe(
        `${off.email} already had an account; it is now an administrator (its name and password are unchanged).\n` +
          'The account is disabled: it cannot sign in until another administrator enables it (admin console, Users).\n',
      );
      // A new account needs its name.
      const nameless = await portico(['create-admin', '--email', uniqueEmail('nameless')]);
      expect(nameless.code).toBe(1);
      expect(nameless.stderr).toBe(
        'portico: create-admin needs --name (1 to 100 characters on one line) for a new account\n',
      );
      // Nor a name with nothing to see.
      const blank = await portico([
        'create-admin',
        '--email',
        uniqueEmail('blank'),
        '--name',
        '\u200b\u3164',
      ]);
      expect(blank.code).toBe(1);
      expect(blank.stderr).toBe(
        'portico: create-admin needs --name (1 to 100 characters on one line)\n',
      );
    },
    SLOW,
  );

  it(
    'lifts a lock on the second step like the console does, keeps the methods, audited as "cli"',
    async () => {
      const client = adminClient(app);
      const { email, userId } = await registerAndVerify(app, client, { name: 'Lou Locked' });
      await logIn(client, email);
      await setUpApp(app, client);
      const notLocked = await portico(['unlock-2fa', email]);
      expect(notLocked).toMatchObject({
        code: 0,
        stdout: `Lou Locked <${email}> is not locked out of two-factor sign-in: nothing changed.\n`,
      });
      // Locked until a reset (a hundred wrong codes in a row).
      await app.db
        .updateTable('users')
        .set({
          second_factor_failures: 10,
          second_factor_locked_until: 8_640_000_000_000_000,
          second_factor_locks: 10,
        })
        .where('id', '=', userId)
        .execute();
      const unlocked = await portico(['unlock-2fa', email.toUpperCase()]);
      expect(unlocked).toMatchObject({
        code: 0,
        stdout: `Unlocked two-factor sign-in for Lou Locked <${email}>: their methods are kept, and wrong codes count from zero.\n`,
      });
      expect(await app.services.admin.directory.find(userId)).toMatchObject({
        second_factor_failures: 0,
        second_factor_locked_until: null,
        second_factor_locks: 0,
      });
      expect(await app.services.twoFactor.methods.list(userId)).toHaveLength(1);
      const audited = await app.db
        .selectFrom('audit_events')
        .select(['actor_label', 'actor_user_id'])
        .where('event', '=', 'two_factor.unlocked_by_admin')
        .where('target_user_id', '=', userId)
        .execute();
      expect(audited).toEqual([{ actor_label: 'cli', actor_user_id: null }]);
      const usage = await portico(['unlock-2fa']);
      expect(usage.code).toBe(1);
      expect(usage.stderr).toMatch(
        /^portico: unlock-2fa needs an email address\. Usage: portico unlock-2fa EMAIL/,
      );
    },
    SLOW,
  );

  it(
    'says so, keeps the reset and exits with status 2 when the mail to the user fails',
    async () => {
      const client = adminClient(app);
      const { email, userId } = await registerAndVerify(app, client, { name: 'Mia Mailless' });
      await logIn(client, email);
      await setUpApp(app, client);
      // A port nothing listens on: the relay refuses the connection.
      const closed = net.createServer();
      await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
      const { port } = closed.address() as AddressInfo;
      await new Promise<void>((resolve) => closed.close(() => resolve()));

      const reset = await portico(['reset-2fa', email], { SMTP_URL: `smtp://127.0.0.1:${port}` });
      expect(reset.code).toBe(2);
      expect(reset.stdout).toBe(
        `Reset two-factor authentication for Mia Mailless <${email}>: 1 method removed, every session ended.\n`,
      );
      const lines = reset.stderr.trimEnd().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(/^portico: the reset is done, but the email telling /);
      expect(lines[0]).toContain(`${email} about it could not be sent (SMTP connection failed: `);
      expect(lines[0]).toContain('ECONNREFUSED');
      expect(await app.services.twoFactor.methods.list(userId)).toEqual([]);
    },
    SLOW,
  );

  it(
    'says what is wrong, with exit code 1',
    async () => {
      const user = await plainUser(app);
      const runs = await Promise.all([
        portico(['reset-2fa', 'nobody@example.com']),
        portico(['reset-2fa']),
        portico(['audit', '--since', 'last week']),
        portico(['users', 'delete']),
        portico(['audit', '--since', '2027-01-01', '--until', '2026-01-01']),
        portico(['users', 'list', '--limit', '-1']),
        portico(['audit', '--event', 'two_factor.lockd']),
        portico(['audit', '--event', `everything${'x'.repeat(10_000)}`]),
        portico(['reset-2fa', 'a@example.com', 'b@example.com']),
        portico(['users']),
        portico(['users', 'list', 'ada']),
        portico(['audit', '--until', '2026-02-30']),
        portico(['audit', '--user', 'a@example.com', '--user=b@example.com']),
        portico(['users', 'list', '--search', 'ada', '--search', 'jan']),
        portico(['users', 'list', '--limit', '1e9']),
      ]);
      const [
        unknown,
        noEmail,
        badSince,
        badSub,
        backwards,
        negative,
        unknownEvent,
        strangeEvent,
        twoEmails,
        noSub,
        strayList,
        noSuchDay,
        twoUsers,
        twoSearches,
        hugeLimit,
      ] = runs;
      expect(hugeLimit.stderr).toBe('portico: --limit needs a whole number from 1 to 999999\n');
      // parseArgs keeps the last of an option given twice: refused, not half of what was asked.
      expect(twoUsers.stderr).toMatch(
        /^portico: option "--user" is given more than once for audit; give it once\. Usage: portico audit/,
      );
      expect(twoSearches.stderr).toMatch(
        /^portico: option "--search" is given more than once for users; give it once\. Usage: portico users list/,
      );
      expect(unknownEvent.stderr).toBe(
        'portico: --event: no event type is called "two_factor.lockd"; did you mean "two_factor.locked"? ("portico help audit" lists them)\n',
      );
      expect(strangeEvent.stderr).toBe(
        `portico: --event: no event type is called "everything${'x'.repeat(50)}…" ("portico help audit" lists them)\n`,
      );
      expect(twoEmails.stderr).toMatch(
        /^portico: reset-2fa takes one email address; "b@example\.com" is one argument too many\. Usage: portico reset-2fa EMAIL/,
      );
      expect(noSub.stderr).toMatch(/^portico: users needs a command\. Usage: portico users list /);
      expect(strayList.stderr).toMatch(
        /^portico: unexpected argument "ada" for users list\. Usage: portico users list \[--search TEXT\]/,
      );
      expect(negative.stderr).toMatch(
        /^portico: option "--limit" needs a value \(one that starts with "-" is written --limit=VALUE\)/,
      );
      expect(backwards.stderr).toBe('portico: --until is before --since\n');
      expect(unknown.stderr).toBe('portico: no account has the email address nobody@example.com\n');
      expect(noEmail.stderr).toMatch(
        /^portico: reset-2fa needs an email address\. Usage: portico reset-2fa EMAIL/,
      );
      expect(badSince.stderr).toBe(
        'portico: --since needs a date as YYYY-MM-DD, not "last week"\n',
      );
      expect(noSuchDay.stderr).toBe('portico: --until: there is no day 2026-02-30\n');
      expect(badSub.stderr).toContain('unknown users command "delete" (the one there is: list)');
      for (const run of runs) expect(run.code).toBe(1);
      expect(await app.services.admin.directory.find(user.userId)).toBeDefined();
    },
    SLOW,
  );

  it(
    "migrates nothing: a database without this release's tables is named, and left as it was; a missing file is not made",
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-cli-empty-'));
      const file = path.join(dir, 'other.db');
      const commands = [['users', 'list'], ['audit'], ['reset-2fa', 'ada@example.com']];
      try {
        const missing = await Promise.all(
          commands.map((args) => portico(args, { DATABASE_URL: `sqlite:${file}` })),
        );
        for (const run of missing) {
          expect(run.code).toBe(1);
          expect(run.stdout).toBe('');
          expect(run.stderr).toBe(
            `portico: DATABASE_URL: the database sqlite:${file} is not there (no such file); run "portico migrate" (or start the server) first\n`,
          );
        }
        expect(fs.readdirSync(dir)).toEqual([]);

        // An empty file is an empty SQLite database: named, and left without tables.
        fs.writeFileSync(file, '');
        const runs = await Promise.all(
          commands.map((args) => portico(args, { DATABASE_URL: `sqlite:${file}` })),
        );
        for (const run of runs) {
          expect(run.code).toBe(1);
          expect(run.stdout).toBe('');
          expect(run.stderr).toBe(
            `portico: DATABASE_URL: the database sqlite:${file} does not have this release's tables; run "portico migrate" (or start the server) first\n`,
          );
        }
        const database = openDatabase(`sqlite:${file}`);
        try {
          const { rows } = await sql<{ name: string }>`
            select name from sqlite_master where type = 'table'`.execute(database.db);
          expect(rows).toEqual([]);
        } finally {
          await database.close();
        }

        // A database a newer release migrated: named as such, not sent to "portico migrate"
        // (which would refuse it too).
        const newer = path.join(dir, 'newer.db');
        const ahead = openDatabase(`sqlite:${newer}`);
        try {
          await migrateToLatest(ahead.db);
          await sql`insert into kysely_migration (name, timestamp) values ('9999-from-the-future', '2030-01-01T00:00:00.000Z')`.execute(
            ahead.db,
          );
        } finally {
          await ahead.close();
        }
        const refused = await portico(['users', 'list'], { DATABASE_URL: `sqlite:${newer}` });
        expect(refused.code).toBe(1);
        expect(refused.stderr).toBe(
          `portico: DATABASE_URL: the database sqlite:${newer} was migrated by a newer release of Portico (migration 9999-from-the-future is not in this one); run that release or a later one\n`,
        );
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    SLOW,
  );

  it(
    'decides no installation key on a database no server has started: reset-2fa and unlock-2fa only look',
    async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-cli-key-'));
      const env = { PORTICO_DATA_DIR: dir, DATABASE_URL: `sqlite:${path.join(dir, 'portico.db')}` };
      try {
        expect((await portico(['migrate'], env)).code).toBe(0);
        for (const command of ['reset-2fa', 'unlock-2fa']) {
          const run = await portico([command, 'nobody@example.com'], env);
          expect(run.code, run.stderr).toBe(1);
          expect(run.stderr).toContain('no account has the email address nobody@example.com');
        }
        // Neither a key file nor the database's record of a key: the first server decides it,
        // PORTICO_SECRET_KEY included.
        expect(fs.existsSync(path.join(dir, 'secret.key'))).toBe(false);
        const database = openDatabase(env.DATABASE_URL);
        try {
          const recorded = await database.db
            .selectFrom('settings')
            .select('key')
            .where('key', '=', 'secret_key_check')
            .execute();
          expect(recorded).toEqual([]);
        } finally {
          await database.close();
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
    SLOW,
  );

  it(
    'says who must be able to write where, when SQLite cannot open or write its file',
    async () => {
      // A file no one may use as a database, root included: SQLite cannot open it for writing.
      const run = await portico(['users', 'list'], { DATABASE_URL: 'sqlite:/proc/version' });
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('cannot use the database sqlite:/proc/version');
      expect(run.stderr).toContain(
        `${os.userInfo().username} must be able to write /proc/version and its folder /proc (SQLite writes its -wal and -shm files there)`,
      );
    },
    SLOW,
  );
});
