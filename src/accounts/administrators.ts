import { randomBytes } from 'node:crypto';
import type { RequestMeta } from '../audit/audit.js';
import { START_META, SYSTEM_ACTOR } from '../audit/audit.js';
import { en } from '../i18n/en.js';
import { newId } from '../security/tokens.js';
import type { AccountDeps } from './deps.js';
import { personalWords } from './password-screen.js';
import { findVerifiedAddress, normalizeEmail } from './users.js';

export interface NewAdministrator {
  email: string;
  name: string;
  password: string;
}

export function createAdministrators(
  deps: Pick<AccountDeps, 'db' | 'clock' | 'hasher' | 'audit'> &
    Partial<Pick<AccountDeps, 'passwordScreen' | 'siteName'>>,
) {
  const { db, clock, hasher, audit, passwordScreen } = deps;

  async function hasAdministrator(): Promise<boolean> {
    const row = await db
      .selectFrom('users')
      .select('id')
      .where('is_admin', '=', 1)
      .executeTakeFirst();
    return row !== undefined;
  }

  /**
   * Creates a verified administrator, or promotes the account that owns the address.
   * Returns whether a new account was made.
   */
  async function create(
    input: NewAdministrator,
    actorLabel: string,
    meta: RequestMeta,
  ): Promise<'created' | 'promoted' | 'already'> {
    const now = clock.now();
    const existing = await findVerifiedAddress(db, input.email);
    if (existing) {
      // Made administrator, as the console's "Make administrator" does and is audited: one
      // guarded UPDATE and its entry in one transaction.
      return db.transaction().execute(async (trx) => {
        const promoted = await trx
          .updateTable('users')
          .set({ is_admin: 1, updated_at: now })
          .where('id', '=', existing.user_id)
          .where('is_admin', '=', 0)
          .executeTakeFirst();
        if (promoted.numUpdatedRows === 0n) return 'already';
        await audit.record(
          { event: 'user.admin_granted', actorLabel, targetUserId: existing.user_id, meta },
          trx,
        );
        return 'promoted';
      });
    }
    const passwordHash = await hasher.hash(input.password);
    const userId = newId();
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('users')
        .values({
          id: userId,
          name: input.name,
          locale: null,
          password_hash: passwordHash,
          is_admin: 1,
          disabled_at: null,
          created_at: now,
          updated_at: now,
        })
        .execute();
      await trx
        .insertInto('email_addresses')
        .values({
          id: newId(),
          user_id: userId,
          email: input.email.trim(),
          email_normalized: normalizeEmail(input.email),
          verified_at: now,
          is_primary: 1,
          created_at: now,
        })
        .execute();
      await audit.record(
        {
          event: 'user.created_by_admin',
          actorLabel,
          targetUserId: userId,
          meta,
          details: { admin: true },
        },
        trx,
      );
    });
    return 'created';
  }

  /**
   * On start: when no administrator exists, create the configured one, or on a database with
   * no users at all a generated one whose credentials are printed once.
   */
  async function ensure(
    configured: { email: string | null; password: string | null; fallbackDomain: string },
    print: (line: string) => void,
    /**
     * Whether the database had no users when the start began (`hasAnyUser` before listening):
     * someone who registers in the moment between listening and this call must not stop the
     * generated administrator from being made.
     */
    options: {
      freshDatabase?: boolean;
      /** Where a warning goes (standard error, at a start); by default `print`, marked so. */
      warn?: (line: string) => void;
    } = {},
  ): Promise<void> {
    const warn = options.warn ?? ((line: string) => print(`Warning: ${line}`));
    if (await hasAdministrator()) return;
    const meta = START_META;
    if (configured.email && configured.password) {
      const input = {
        email: configured.email,
        name: 'Administrator',
        password: configured.password,
      };
      if ((await create(input, SYSTEM_ACTOR, meta)) === 'promoted') {
        print(`Made ${configured.email} an administrator (from PORTICO_ADMIN_EMAIL).`);
        return;
      }
      print(`Created administrator ${configured.email} (from PORTICO_ADMIN_EMAIL).`);
      // The operator chose this password; refusing it would stop the start (a container would
      // restart in a loop), so it is used and named as weak. An administrator gives a second
      // factor at every sign-in, and the warning says where to change it.
      const weakness = await passwordScreen?.screen(
        input.password,
        personalWords(input.name, input.email, deps.siteName ?? ''),
      );
      if (weakness)
        warn(
          `PORTICO_ADMIN_PASSWORD is easy to guess. ${en.errors.passwordWeak[weakness]} ` +
            'Sign in and change it under Your password.',
        );
      return;
    }
    if (!(options.freshDatabase ?? !(await hasAnyUser()))) return;
    const email = `admin@${configured.fallbackDomain}`;
    const password = randomBytes(15).toString('base64url');
    await create({ email, name: 'Administrator', password }, SYSTEM_ACTOR, meta);
    print(
      [
        '',
        'No administrator was configured, so one was created. These credentials are shown once:',
        `  email:    ${email}`,
        `  password: ${password}`,
        'Sign in at /login and set up two-factor authentication. To choose your own, set',
        'PORTICO_ADMIN_EMAIL and PORTICO_ADMIN_PASSWORD on a fresh database, or run `portico create-admin`.',
        '',
      ].join('\n'),
    );
  }

  async function hasAnyUser(): Promise<boolean> {
    return (await db.selectFrom('users').select('id').executeTakeFirst()) !== undefined;
  }

  return { hasAdministrator, hasAnyUser, create, ensure };
}
