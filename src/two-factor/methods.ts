import { holdAccountRow } from '../accounts/users.js';
import { sql } from '../db/kysely.js';
import type { Kysely } from 'kysely';
import type { RequestMeta } from '../audit/audit.js';
import { literalLimit } from '../db/literal-limit.js';
import { precompiled } from '../db/precompiled.js';
import type { Database, MethodType, TwoFactorMethod, User } from '../db/schema.js';
import { SECURITY_KEY_NAME_INDEX } from '../db/schema.js';
import { decrypt, encrypt } from '../security/encryption.js';
import type { Keys } from '../security/secret-key.js';
import { newId } from '../security/tokens.js';
import type { TwoFactorDeps } from './deps.js';
import type { TfResult, TwoFactorErrorCode } from './error-codes.js';
import { TwoFactorError, tfFail, tfOk } from './error-codes.js';
import type { Notify } from './notifications.js';
import type { Policy } from './policy.js';
import type { RecoveryCodes } from './recovery-codes/recovery-codes.js';
import { forgetAllIn } from './trusted-devices.js';

const TYPE_ORDER: Record<MethodType, number> = { totp: 0, webauthn: 1, email: 2 };

/** The secret's associated data ties a ciphertext to its row: a copied value fails to open. */
const secretContext = (methodId: string) => `totp-method:${methodId}`;

/** A stored TOTP secret, or null when it does not open (sealed under another master key). */
function openSecret(keys: Keys, methodId: string, sealed: string): string | null {
  try {
    return decrypt(keys.encryption, sealed, secretContext(methodId)).toString('utf8');
  } catch {
    return null;
  }
}

/**
 * Whether `keys` opens the TOTP secrets already stored (true when there are none): asked
 * before a database written without a key check records this key as its own (secret-key.ts).
 */
export async function opensStoredTotpSecret(db: Kysely<Database>, keys: Keys): Promise<boolean> {
  const method = await db
    .selectFrom('two_factor_methods')
    .select(['id', 'secret_encrypted'])
    .where('secret_encrypted', 'is not', null)
    .limit(literalLimit(1))
    .executeTakeFirst();
  if (!method?.secret_encrypted) return true;
  return openSecret(keys, method.id, method.secret_encrypted) !== null;
}

/**
 * Bumps the credential version: any pending sign-in made before the change dies (SPEC §4
 * "sign-in state").
 */
export async function bumpCredentialVersion(db: Kysely<Database>, userId: string, now: number) {
  await db
    .updateTable('users')
    .set({ credential_version: sql`credential_version + 1`, updated_at: now })
    .where('id', '=', userId)
    .execute();
}

/** Read on every 2FA page and every sign-in step. */
const methodsOf = precompiled((db, p: { userId: string }) =>
  db.selectFrom('two_factor_methods').selectAll().where('user_id', '=', p.userId),
);

const claimStep = precompiled((db, p: { methodId: string; step: number; now: number }) =>
  db
    .updateTable('two_factor_methods')
    .set({ last_used_step: p.step, last_used_at: p.now })
    .where('id', '=', p.methodId)
    .where((eb) => eb.or([eb('last_used_step', 'is', null), eb('last_used_step', '<', p.step)]))
    .returning('id'),
);

/** A security key's credential, as verified at registration (webauthn/security-keys.ts). */
export interface NewCredential {
  credentialId: string;
  publicKey: string;
  signCount: number;
  transports: string[];
}

export interface NewMethod {
  type: MethodType;
  name: string;
  /** Security keys: the credential (a person may have several keys). */
  credential?: NewCredential;
  email?: string;
  /** TOTP: the base32 secret, and the step of the code that proved it (never accepted again). */
  secret?: string;
  lastUsedStep?: number;
}

/** Whether a write was refused because another of the person's keys has the name. */
const isNameTaken = (error: unknown) => String(error).includes(SECURITY_KEY_NAME_INDEX);

/** A refusal from inside a transaction: thrown so that the transaction rolls back. */
class Refusal extends Error {
  constructor(readonly code: TwoFactorErrorCode) {
    super(code);
  }
}

export function createMethods(
  deps: TwoFactorDeps,
  policy: Policy,
  recovery: RecoveryCodes,
  notify: Notify,
) {
  const { db, clock, audit, keys } = deps;

  async function list(userId: string, executor: Kysely<Database> = db): Promise<TwoFactorMethod[]> {
    const { rows } = await methodsOf(executor, { userId });
    return rows.sort(
      (a, b) => TYPE_ORDER[a.type] - TYPE_ORDER[b.type] || a.created_at - b.created_at,
    );
  }

  /**
   * The methods a sign-in may ask for: every one the person has. Turning a method off hides it
   * for new set-ups only (SPEC §2.7); one already in use keeps working, or its owner would fall
   * back to the password alone, unasked and untold.
   */
  async function usable(userId: string): Promise<TwoFactorMethod[]> {
    return list(userId);
  }

  async function find(userId: string, type: MethodType): Promise<TwoFactorMethod | undefined> {
    return db
      .selectFrom('two_factor_methods')
      .selectAll()
      .where('user_id', '=', userId)
      .where('type', '=', type)
      .orderBy('created_at', 'asc')
      .executeTakeFirst();
  }

  /** The TOTP secret, or null when it does not open with this process's master key. */
  function secretOf(method: TwoFactorMethod): string | null {
    if (!method.secret_encrypted) throw new Error('Method has no secret');
    return openSecret(keys, method.id, method.secret_encrypted);
  }

  /**
   * Adds a proven method. The first method of an account also gets its recovery codes, which
   * are returned to be shown once.
   */
  async function add(
    user: User,
    input: NewMethod,
    meta: RequestMeta,
  ): Promise<TfResult<{ method: TwoFactorMethod; recoveryCodes: string[] | null }>> {
    const now = clock.now();
    const id = newId();
    const method: TwoFactorMethod = {
      id,
      user_id: user.id,
      type: input.type,
      name: input.name,
      email: input.email ?? null,
      secret_encrypted: input.secret
        ? encrypt(keys.encryption, Buffer.from(input.secret, 'utf8'), secretContext(id))
        : null,
      last_used_step: input.lastUsedStep ?? null,
      created_at: now,
      last_used_at: null,
    };
    try {
      const recoveryCodes = await db.transaction().execute(async (trx) => {
        // Two first methods added at once must not both think they are the first and each
        // hand out a set of recovery codes, one of them dead on arrival.
        await holdAccountRow(trx, user.id);
        // One email method and one app; security keys as many as the person likes.
        const existing =
          input.type === 'webauthn'
            ? undefined
            : await trx
                .selectFrom('two_factor_methods')
                .select('id')
                .where('user_id', '=', user.id)
                .where('type', '=', input.type)
                .executeTakeFirst();
        if (existing) return 'exists' as const;
        const hadMethod = await trx
          .selectFrom('two_factor_methods')
          .select('id')
          .where('user_id', '=', user.id)
          .executeTakeFirst();
        await trx.insertInto('two_factor_methods').values(method).execute();
        if (input.credential) {
          await trx
            .insertInto('webauthn_credentials')
            .values({
              method_id: id,
              user_id: user.id,
              credential_id: input.credential.credentialId,
              public_key: input.credential.publicKey,
              sign_count: input.credential.signCount,
              transports: JSON.stringify(input.credential.transports),
              created_at: now,
            })
            .execute();
        }
        await bumpCredentialVersion(trx, user.id, now);
        if (!hadMethod) {
          // Sessions shortened to a grace date (set-up postponed, docs/decisions.md) were
          // shortened for want of a method: with the first one they get their lifetime back.
          await trx
            .updateTable('sessions')
            .set((eb) => ({ expires_at: eb('created_at', '+', deps.sessionMaxMs) }))
            .where('user_id', '=', user.id)
            .where('expires_at', '>', now)
            .where((eb) => eb('expires_at', '<', eb('created_at', '+', deps.sessionMaxMs)))
            .execute();
        }
        const codes = hadMethod ? null : await recovery.replace(user.id, now, trx);
        await audit.record(
          {
            event: 'two_factor.method_added',
            actorUserId: user.id,
            meta,
            details: { type: input.type, name: input.name },
          },
          trx,
        );
        return codes;
      });
      if (recoveryCodes === 'exists') return tfFail(TwoFactorError.METHOD_EXISTS);
      await notify(user, { kind: 'method_added', name: input.name });
      return tfOk({ method, recoveryCodes });
    } catch (error) {
      if (isNameTaken(error)) return tfFail(TwoFactorError.NAME_TAKEN);
      if (/unique|duplicate/i.test(String(error))) return tfFail(TwoFactorError.METHOD_EXISTS);
      throw error;
    }
  }

  async function rename(
    user: User,
    methodId: string,
    name: string,
    meta: RequestMeta,
  ): Promise<TfResult<TwoFactorMethod>> {
    try {
      return await db.transaction().execute(async (trx) => {
        // The name before, for the audit log: which of several keys was renamed.
        const before = await trx
          .selectFrom('two_factor_methods')
          .selectAll()
          .where('id', '=', methodId)
          .where('user_id', '=', user.id)
          .executeTakeFirst();
        if (!before) return tfFail(TwoFactorError.NOT_FOUND);
        // Saved as it was: nothing to write, and nothing the audit log should hold.
        if (before.name === name) return tfOk(before);
        const updated = await trx
          .updateTable('two_factor_methods')
          .set({ name })
          .where('id', '=', methodId)
          .where('user_id', '=', user.id)
          .returningAll()
          .executeTakeFirst();
        if (!updated) return tfFail(TwoFactorError.NOT_FOUND);
        await audit.record(
          {
            event: 'two_factor.method_renamed',
            actorUserId: user.id,
            meta,
            details: { type: updated.type, name, previous_name: before.name },
          },
          trx,
        );
        return tfOk(updated);
      });
    } catch (error) {
      // Another key took the name since the form checked it.
      if (isNameTaken(error)) return tfFail(TwoFactorError.NAME_TAKEN);
      throw error;
    }
  }

  /** Whether removing this method would leave someone who must use 2FA without any. */
  async function isLastRequired(user: User, methodId: string): Promise<boolean> {
    const current = await policy.get();
    if (!(await policy.isRequiredFor(user, current))) return false;
    return noneLeftWithout(await list(user.id), methodId);
  }

  /** Whether no method is left once `methodId` is gone. */
  function noneLeftWithout(methods: TwoFactorMethod[], methodId: string): boolean {
    return !methods.some((m) => m.id !== methodId);
  }

  async function remove(
    user: User,
    methodId: string,
    meta: RequestMeta,
  ): Promise<TfResult<TwoFactorMethod>> {
    const current = await policy.get();
    const required = await policy.isRequiredFor(user, current);
    const now = clock.now();
    let removed: TwoFactorMethod;
    let last = false;
    try {
      removed = await db.transaction().execute(async (trx) => {
        // The account's row first: on PostgreSQL this write holds it until the commit, so two
        // removals of one person's last two methods run one after the other, and the second
        // sees that the first left it the only one (checked before this transaction, both
        // would see the other's method and remove both). A refusal is thrown, not returned,
        // so that the write does not stay.
        await bumpCredentialVersion(trx, user.id, now);
        const mine = await list(user.id, trx);
        if (!mine.some((m) => m.id === methodId)) throw new Refusal(TwoFactorError.NOT_FOUND);
        if (required && noneLeftWithout(mine, methodId))
          throw new Refusal(TwoFactorError.LAST_METHOD_REQUIRED);
        const row = await trx
          .deleteFrom('two_factor_methods')
          .where('id', '=', methodId)
          .where('user_id', '=', user.id)
          .returningAll()
          .executeTakeFirstOrThrow();
        // Recovery codes stand in for a method, and a trusted device for having given one;
        // with no method left they would be a back door once a method is set up again.
        last = mine.length === 1;
        if (last) {
          await trx.deleteFrom('recovery_codes').where('user_id', '=', user.id).execute();
          await forgetAllIn(trx, user.id);
        }
        await audit.record(
          {
            event: 'two_factor.method_removed',
            actorUserId: user.id,
            meta,
            details: { type: row.type, name: row.name },
          },
          trx,
        );
        return row;
      });
    } catch (error) {
      if (error instanceof Refusal) return tfFail(error.code);
      throw error;
    }
    await notify(user, { kind: 'method_removed', name: removed.name, last });
    return tfOk(removed);
  }

  async function changeEmail(
    user: User,
    methodId: string,
    email: string,
    meta: RequestMeta,
  ): Promise<TfResult<TwoFactorMethod>> {
    const now = clock.now();
    const updated = await db.transaction().execute(async (trx) => {
      // The account first, as a reset takes it before the methods: the other order waits on
      // a reset that waits on this.
      await holdAccountRow(trx, user.id);
      const before = await trx
        .selectFrom('two_factor_methods')
        .select('email')
        .where('id', '=', methodId)
        .where('user_id', '=', user.id)
        .where('type', '=', 'email')
        .executeTakeFirst();
      if (!before) return undefined;
      const row = await trx
        .updateTable('two_factor_methods')
        .set({ email })
        .where('id', '=', methodId)
        .where('user_id', '=', user.id)
        .where('type', '=', 'email')
        .returningAll()
        .executeTakeFirst();
      if (!row) return undefined;
      await bumpCredentialVersion(trx, user.id, now);
      await audit.record(
        {
          event: 'two_factor.method_email_changed',
          actorUserId: user.id,
          meta,
          details: { email },
        },
        trx,
      );
      return { row, from: before.email };
    });
    if (!updated) return tfFail(TwoFactorError.NOT_FOUND);
    // Where the codes go is the factor itself: its old address hears of the change too.
    await notify(user, {
      kind: 'method_email_changed',
      name: updated.row.name,
      from: updated.from,
      to: email,
    });
    return tfOk(updated.row);
  }

  /**
   * Records a TOTP step as used. One guarded UPDATE: of two concurrent requests with the same
   * code, only one finds last_used_step below the step (RFC 6238 §5.2).
   */
  async function claimTotpStep(
    methodId: string,
    step: number,
    executor: Kysely<Database> = db,
  ): Promise<boolean> {
    const claimed = await claimStep(executor, { methodId, step, now: clock.now() });
    return claimed.rows.length > 0;
  }

  async function touch(methodId: string, executor: Kysely<Database> = db): Promise<void> {
    await executor
      .updateTable('two_factor_methods')
      .set({ last_used_at: clock.now() })
      .where('id', '=', methodId)
      .execute();
  }

  return {
    list,
    usable,
    find,
    secretOf,
    add,
    rename,
    remove,
    changeEmail,
    claimTotpStep,
    touch,
    isLastRequired,
  };
}

export type Methods = ReturnType<typeof createMethods>;
