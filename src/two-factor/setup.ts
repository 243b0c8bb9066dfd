import { mailLocaleOf, primaryAddressOf } from '../accounts/users.js';
import type { RequestMeta } from '../audit/audit.js';
import type { SetupKind, TwoFactorSetup, User } from '../db/schema.js';
import { consumeRateLimit } from '../security/rate-limit.js';
import { decrypt, encrypt } from '../security/encryption.js';
import { newId } from '../security/tokens.js';
import { SETUP_MAX_FAILURES, SETUP_TTL_MS } from './constants.js';
import type { TwoFactorDeps } from './deps.js';
import type { EmailCodes } from './email/email-codes.js';
import type { TfResult } from './error-codes.js';
import { TwoFactorError, tfFail, tfOk } from './error-codes.js';
import type { Methods } from './methods.js';
import { emailCodeMail } from './notifications.js';
import type { Policy } from './policy.js';
import { generateTotpSecret, matchTotpStep, totpUri } from './totp/totp.js';

const setupContext = (id: string) => `totp-setup:${id}`;

export interface TotpSetupView {
  setupId: string;
  secret: string;
  uri: string;
}

/**
 * Whose a set-up is: the person's, and only in the session or pending sign-in that started it
 * (`requestId`, the hash of its token). Another browser of the same person, perhaps a stranger
 * who has the password, never sees its secret nor finishes it (migration 0009).
 */
export interface SetupOwner {
  user: User;
  requestId: string;
}

export interface Created {
  methodId: string;
  recoveryCodes: string[] | null;
}

/**
 * Setting up a method: a secret or address is held in a set-up record until a correct code
 * proves it; only then does the method exist (SPEC §2.3, §2.4).
 */
export function createSetup(
  deps: TwoFactorDeps,
  parts: { methods: Methods; emailCodes: EmailCodes; policy: Policy },
) {
  const { db, clock, postman, keys } = deps;
  const { methods, emailCodes, policy } = parts;

  async function findSetup(
    owner: SetupOwner,
    id: string,
    kind: SetupKind,
  ): Promise<TwoFactorSetup | undefined> {
    return db
      .selectFrom('two_factor_setups')
      .selectAll()
      .where('id', '=', id)
      .where('user_id', '=', owner.user.id)
      .where('request_id', '=', owner.requestId)
      .where('kind', '=', kind)
      .where('expires_at', '>', clock.now())
      .executeTakeFirst();
  }

  /** The owner's newest live set-up of a kind, in their request. */
  function newestSetup(owner: SetupOwner, kind: SetupKind): Promise<TwoFactorSetup | undefined> {
    return db
      .selectFrom('two_factor_setups')
      .selectAll()
      .where('user_id', '=', owner.user.id)
      .where('request_id', '=', owner.requestId)
      .where('kind', '=', kind)
      .where('expires_at', '>', clock.now())
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
  }

  /**
   * Ends the owner's other set-ups of a kind in this request, and any of theirs that expired;
   * those of their other sessions stay theirs to finish.
   */
  function dropOtherSetups(owner: SetupOwner, kind: SetupKind, keepId: string, now: number) {
    return db
      .deleteFrom('two_factor_setups')
      .where('user_id', '=', owner.user.id)
      .where('kind', '=', kind)
      .where('id', '!=', keepId)
      .where((eb) => eb.or([eb('request_id', '=', owner.requestId), eb('expires_at', '<=', now)]))
      .execute();
  }

  /**
   * Wrong codes per set-up are capped: after five the set-up is discarded. A try is taken
   * before its code is checked, in one upsert: guesses sent at once are counted before any is
   * checked, so a burst gets no more tries than the same guesses one after the other. Null when
   * none is left (the set-up is then gone); `last` when this is the last one.
   */
  async function takeSetupTry(setup: TwoFactorSetup): Promise<{ last: boolean } | null> {
    const tries = await consumeRateLimit(
      db,
      `setup-fail:${setup.id}`,
      SETUP_MAX_FAILURES,
      SETUP_TTL_MS,
      clock.now(),
    );
    if (tries.allowed) return { last: tries.remaining === 0 };
    await db.deleteFrom('two_factor_setups').where('id', '=', setup.id).execute();
    return null;
  }

  /** A wrong code at a set-up: audited; the last try ends the set-up. */
  async function setupCodeWrong(
    setup: TwoFactorSetup,
    taken: { last: boolean },
    meta: RequestMeta,
  ): Promise<TfResult<never>> {
    await deps.audit.record({
      event: 'two_factor.setup_failed',
      actorUserId: setup.user_id,
      meta,
      details: { kind: setup.kind },
    });
    if (!taken.last) return tfFail(TwoFactorError.INVALID_CODE);
    await db.deleteFrom('two_factor_setups').where('id', '=', setup.id).execute();
    return tfFail(TwoFactorError.SETUP_EXPIRED);
  }

  /**
   * The app set-up screen. Reloading it shows the same secret (a person may have scanned it
   * already); the secret is stored encrypted and exists only until the set-up ends.
   */
  async function startTotp(owner: SetupOwner): Promise<TfResult<TotpSetupView>> {
    const { user } = owner;
    if (!policy.isMethodEnabled(await policy.get(), 'totp'))
      return tfFail(TwoFactorError.METHOD_DISABLED);
    if (await methods.find(user.id, 'totp')) return tfFail(TwoFactorError.METHOD_EXISTS);
    const now = clock.now();
    const existing = await newestSetup(owner, 'totp');
    let id = existing?.id;
    let secret = existing?.secret_encrypted
      ? decrypt(keys.encryption, existing.secret_encrypted, setupContext(existing.id)).toString(
          'utf8',
        )
      : undefined;
    if (!id || !secret) {
      id = newId();
      secret = generateTotpSecret();
      await dropOtherSetups(owner, 'totp', id, now);
      await db
        .insertInto('two_factor_setups')
        .values({
          id,
          user_id: user.id,
          kind: 'totp',
          method_id: null,
          name: null,
          email: null,
          secret_encrypted: encrypt(keys.encryption, Buffer.from(secret, 'utf8'), setupContext(id)),
          request_id: owner.requestId,
          created_at: now,
          expires_at: now + SETUP_TTL_MS,
        })
        .execute();
    }
    return tfOk({
      setupId: id,
      secret,
      uri: totpUri({
        issuer: deps.issuer,
        account: (await primaryAddressOf(db, user.id))?.email ?? user.name,
        secret,
      }),
    });
  }

  async function finishTotp(
    owner: SetupOwner,
    setupId: string,
    name: string,
    code: string,
    meta: RequestMeta,
  ): Promise<TfResult<Created>> {
    if (!policy.isMethodEnabled(await policy.get(), 'totp'))
      return tfFail(TwoFactorError.METHOD_DISABLED);
    const setup = await findSetup(owner, setupId, 'totp');
    if (!setup?.secret_encrypted) return tfFail(TwoFactorError.SETUP_EXPIRED);
    const taken = await takeSetupTry(setup);
    if (!taken) return tfFail(TwoFactorError.SETUP_EXPIRED);
    const secret = decrypt(
      keys.encryption,
      setup.secret_encrypted,
      setupContext(setup.id),
    ).toString('utf8');
    const step = matchTotpStep(secret, code, clock.now());
    if (step === null) return setupCodeWrong(setup, taken, meta);
    const added = await methods.add(
      owner.user,
      { type: 'totp', name, secret, lastUsedStep: step },
      meta,
    );
    if (!added.ok) return added;
    await db.deleteFrom('two_factor_setups').where('id', '=', setup.id).execute();
    return tfOk({ methodId: added.value.method.id, recoveryCodes: added.value.recoveryCodes });
  }

  async function sendSetupCode(
    user: User,
    setup: TwoFactorSetup,
    meta: RequestMeta,
  ): Promise<TfResult<{ setupId: string }>> {
    if (!setup.email) return tfFail(TwoFactorError.SETUP_EXPIRED);
    const purpose = setup.kind === 'email_change' ? 'change' : 'setup';
    // The address may be any; until the code comes back, nobody has proven it is theirs.
    const mailContext = postman.context(setup.email, null, mailLocaleOf(user));
    const sent = await emailCodes.send(
      { userId: user.id, purpose, requestId: setup.id, email: setup.email },
      clock.now(),
      (code) => postman.sendNow(emailCodeMail(mailContext, purpose, code)),
    );
    if (!sent.ok) return sent;
    // Who asked for codes to which address, and when: the address may be anyone's.
    await deps.audit.record({
      event: 'two_factor.email_code_sent',
      actorUserId: user.id,
      meta,
      details: { purpose, email: setup.email },
    });
    return tfOk({ setupId: setup.id });
  }

  /**
   * Starts an email set-up (or a change of address of the email method): the code goes to
   * the address being proven, which may differ from the sign-in address.
   */
  async function startEmail(
    owner: SetupOwner,
    input: { name: string; email: string; methodId?: string },
    meta: RequestMeta,
  ): Promise<TfResult<{ setupId: string }>> {
    const { user } = owner;
    // Turned off, email is hidden for new set-ups; the method someone has keeps working, and
    // its address may still move (methods.usable).
    if (!input.methodId && !policy.isMethodEnabled(await policy.get(), 'email'))
      return tfFail(TwoFactorError.METHOD_DISABLED);
    const kind: SetupKind = input.methodId ? 'email_change' : 'email';
    if (!input.methodId && (await methods.find(user.id, 'email')))
      return tfFail(TwoFactorError.METHOD_EXISTS);
    const now = clock.now();
    const setup: TwoFactorSetup = {
      id: newId(),
      user_id: user.id,
      kind,
      method_id: input.methodId ?? null,
      name: input.name,
      email: input.email,
      secret_encrypted: null,
      request_id: owner.requestId,
      created_at: now,
      expires_at: now + SETUP_TTL_MS,
    };
    await db.insertInto('two_factor_setups').values(setup).execute();
    const sent = await sendSetupCode(user, setup, meta);
    if (!sent.ok) {
      // Refused (asked again within the minute, or too often), or the mail was not sent: the
      // earlier set-up and the code already sent for it stay usable.
      await db.deleteFrom('two_factor_setups').where('id', '=', setup.id).execute();
      return sent;
    }
    await dropOtherSetups(owner, kind, setup.id, now);
    return sent;
  }

  /**
   * An email set-up under way: the one the form names, else the person's newest live one of
   * that kind (a form opened afresh names none, yet the code already sent is for that one).
   */
  async function emailSetup(owner: SetupOwner, setupId: string, kind: 'email' | 'email_change') {
    const named = setupId ? await findSetup(owner, setupId, kind) : undefined;
    return named ?? newestSetup(owner, kind);
  }

  /** `name`: the method's name as the form has it now (it may have changed since the code). */
  async function finishEmail(
    owner: SetupOwner,
    setupId: string,
    code: string,
    name: string,
    meta: RequestMeta,
  ): Promise<TfResult<Created>> {
    if (!policy.isMethodEnabled(await policy.get(), 'email'))
      return tfFail(TwoFactorError.METHOD_DISABLED);
    const setup = await findSetup(owner, setupId, 'email');
    if (!setup?.email) return tfFail(TwoFactorError.SETUP_EXPIRED);
    const taken = await takeSetupTry(setup);
    if (!taken) return tfFail(TwoFactorError.SETUP_EXPIRED);
    const checked = await emailCodes.verify(
      { userId: owner.user.id, purpose: 'setup', requestId: setup.id },
      code,
      clock.now(),
    );
    if (!checked.ok)
      return checked.error === TwoFactorError.INVALID_CODE
        ? setupCodeWrong(setup, taken, meta)
        : checked;
    const added = await methods.add(owner.user, { type: 'email', name, email: setup.email }, meta);
    if (!added.ok) return added;
    await db.deleteFrom('two_factor_setups').where('id', '=', setup.id).execute();
    return tfOk({ methodId: added.value.method.id, recoveryCodes: added.value.recoveryCodes });
  }

  async function finishEmailChange(
    owner: SetupOwner,
    setupId: string,
    code: string,
    meta: RequestMeta,
  ): Promise<TfResult<{ email: string }>> {
    const setup = await findSetup(owner, setupId, 'email_change');
    if (!setup?.email || !setup.method_id) return tfFail(TwoFactorError.SETUP_EXPIRED);
    const taken = await takeSetupTry(setup);
    if (!taken) return tfFail(TwoFactorError.SETUP_EXPIRED);
    const checked = await emailCodes.verify(
      { userId: owner.user.id, purpose: 'change', requestId: setup.id },
      code,
      clock.now(),
    );
    if (!checked.ok)
      return checked.error === TwoFactorError.INVALID_CODE
        ? setupCodeWrong(setup, taken, meta)
        : checked;
    const changed = await methods.changeEmail(owner.user, setup.method_id, setup.email, meta);
    if (!changed.ok) return changed;
    await db.deleteFrom('two_factor_setups').where('id', '=', setup.id).execute();
    return tfOk({ email: setup.email });
  }

  return {
    startTotp,
    finishTotp,
    startEmail,
    emailSetup,
    finishEmail,
    finishEmailChange,
  };
}

export type Setup = ReturnType<typeof createSetup>;
