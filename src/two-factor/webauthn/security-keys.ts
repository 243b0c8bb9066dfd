import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { isIP } from 'node:net';
import type * as SimpleWebAuthn from '@simplewebauthn/server';
import type { Kysely } from 'kysely';
import { sql } from '../../db/kysely.js';
import { primaryAddressOf } from '../../accounts/users.js';
import type { RequestMeta } from '../../audit/audit.js';
import type {
  Database,
  TwoFactorMethod,
  User,
  WebauthnCredential,
  WebauthnPurpose,
} from '../../db/schema.js';
import { newId } from '../../security/tokens.js';
import {
  WEBAUTHN_CHALLENGE_TTL_MS,
  WEBAUTHN_CHALLENGES_KEPT,
  WEBAUTHN_RESPONSE_MAX_LENGTH,
} from '../constants.js';
import type { TwoFactorDeps } from '../deps.js';
import type { TfResult, TwoFactorErrorCode } from '../error-codes.js';
import { TwoFactorError, tfFail, tfOk } from '../error-codes.js';
import type { Methods } from '../methods.js';
import type { Policy } from '../policy.js';

// Loaded when a key is first used, not at start: the library and its ASN.1 parsers are about
// 300 modules, a third of a start's CPU (docs/performance.md).
let library: Promise<typeof SimpleWebAuthn> | null = null;
const webauthn = () => (library ??= import('@simplewebauthn/server'));

export interface SecurityKey {
  method: TwoFactorMethod;
  credential: WebauthnCredential;
}

type Transports = NonNullable<RegistrationResponseJSON['response']['transports']>;

function transportsOf(credential: WebauthnCredential): Transports {
  try {
    const value: unknown = JSON.parse(credential.transports);
    return Array.isArray(value)
      ? value.filter((v): v is Transports[number] => typeof v === 'string')
      : [];
  } catch {
    return [];
  }
}

/** The challenge the browser signed, read from clientDataJSON (base64url JSON). */
function signedChallenge(clientDataJSON: unknown): string | null {
  if (typeof clientDataJSON !== 'string' || clientDataJSON.length > WEBAUTHN_RESPONSE_MAX_LENGTH)
    return null;
  try {
    const data: unknown = JSON.parse(Buffer.from(clientDataJSON, 'base64url').toString('utf8'));
    const challenge = (data as { challenge?: unknown } | null)?.challenge;
    return typeof challenge === 'string' && challenge.length <= 128 ? challenge : null;
  } catch {
    return null;
  }
}

/** Parses a response posted by the browser; anything malformed is simply not a response. */
function parseResponse<T extends { id: string; response: { clientDataJSON: string } }>(
  json: string,
): T | null {
  if (json.length === 0 || json.length > WEBAUTHN_RESPONSE_MAX_LENGTH) return null;
  try {
    const value = JSON.parse(json) as T | null;
    if (typeof value?.id !== 'string' || typeof value.response !== 'object' || !value.response)
      return null;
    return value;
  } catch {
    return null;
  }
}

/**
 * Security keys and passkeys (WebAuthn Level 2, SPEC §3) through @simplewebauthn/server. The
 * relying party is PUBLIC_URL: its host name is the RP ID and its origin the only origin
 * accepted. Every ceremony's challenge is made and kept here, bound to one user, purpose and
 * request, and taken by one guarded DELETE when a response comes back: it works once, for
 * that request only, until it expires.
 */
/** A key's name as two names are compared: trimmed and in lower case. */
export function comparableName(name: string): string {
  return name.trim().toLowerCase();
}

/**
 * `base` when no name in `taken` (as takenNames gives them) is it, else the first of
 * "base (2)", "base (3)" … that is free: the form's suggestion for a second key must not be
 * refused.
 */
export function freeName(base: string, taken: string[]): string {
  const names = new Set(taken);
  if (!names.has(comparableName(base))) return base;
  for (let n = 2; ; n++) {
    const name = `${base} (${n})`;
    if (!names.has(comparableName(name))) return name;
  }
}

/**
 * Browsers run WebAuthn only for a page on a domain name (localhost too), never on an IP
 * address: at `http://192.0.2.1/` every ceremony fails. So at such an address keys are not
 * offered for set-up, and the start says why.
 */
export function securityKeysWorkAt(publicUrl: URL): boolean {
  return isIP(publicUrl.hostname.replace(/^\[|\]$/g, '')) === 0;
}

export function createSecurityKeys(
  deps: TwoFactorDeps,
  parts: { methods: Methods; policy: Policy },
) {
  const { db, clock } = deps;
  const { methods, policy } = parts;
  const rpId = deps.publicUrl.hostname;
  const origin = deps.publicUrl.origin;

  async function list(userId: string, executor: Kysely<Database> = db): Promise<SecurityKey[]> {
    const rows = await executor
      .selectFrom('webauthn_credentials')
      .innerJoin('two_factor_methods', 'two_factor_methods.id', 'webauthn_credentials.method_id')
      .selectAll('webauthn_credentials')
      .select([
        'two_factor_methods.type',
        'two_factor_methods.name',
        'two_factor_methods.email',
        'two_factor_methods.secret_encrypted',
        'two_factor_methods.last_used_step',
        'two_factor_methods.created_at as method_created_at',
        'two_factor_methods.last_used_at',
      ])
      .where('webauthn_credentials.user_id', '=', userId)
      .orderBy('two_factor_methods.created_at', 'asc')
      .execute();
    return rows.map((row) => ({
      method: {
        id: row.method_id,
        user_id: row.user_id,
        type: row.type,
        name: row.name,
        email: row.email,
        secret_encrypted: row.secret_encrypted,
        last_used_step: row.last_used_step,
        created_at: row.method_created_at,
        last_used_at: row.last_used_at,
      },
      credential: {
        method_id: row.method_id,
        user_id: row.user_id,
        credential_id: row.credential_id,
        public_key: row.public_key,
        sign_count: Number(row.sign_count),
        transports: row.transports,
        created_at: row.created_at,
      },
    }));
  }

  async function find(userId: string, methodId: string): Promise<SecurityKey | undefined> {
    return (await list(userId)).find((key) => key.method.id === methodId);
  }

  /**
   * Whether another of the person's keys (not `exceptMethodId`) already has this name,
   * compared trimmed and case-insensitively: two keys of one name cannot be told apart in the
   * list, nor in "Remove …?".
   */
  async function nameTaken(
    userId: string,
    name: string,
    exceptMethodId?: string,
  ): Promise<boolean> {
    const wanted = comparableName(name);
    return (await list(userId)).some(
      (key) => key.method.id !== exceptMethodId && comparableName(key.method.name) === wanted,
    );
  }

  /** The names of the person's keys as nameTaken compares them: trimmed, lower case. */
  async function takenNames(userId: string): Promise<string[]> {
    return (await list(userId)).map((key) => comparableName(key.method.name));
  }

  /**
   * Why a credential id cannot be added for `user`, when it is already stored: METHOD_EXISTS
   * when it is theirs; INVALID_CODE when it is another account's, which is not theirs to hear.
   */
  async function takenCredential(
    user: User,
    credentialId: string,
  ): Promise<TwoFactorErrorCode | null> {
    const row = await db
      .selectFrom('webauthn_credentials')
      .select('user_id')
      .where('credential_id', '=', credentialId)
      .executeTakeFirst();
    if (!row) return null;
    return row.user_id === user.id ? TwoFactorError.METHOD_EXISTS : TwoFactorError.INVALID_CODE;
  }

  async function storeChallenge(
    userId: string,
    purpose: WebauthnPurpose,
    requestId: string,
    challenge: string,
  ): Promise<void> {
    const now = clock.now();
    await db.transaction().execute(async (trx) => {
      // Expired challenges of this person are of no use to anyone.
      await trx
        .deleteFrom('webauthn_challenges')
        .where('user_id', '=', userId)
        .where('expires_at', '<=', now)
        .execute();
      const id = newId();
      await trx
        .insertInto('webauthn_challenges')
        .values({
          id,
          user_id: userId,
          purpose,
          request_id: requestId,
          challenge,
          created_at: now,
          expires_at: now + WEBAUTHN_CHALLENGE_TTL_MS,
        })
        .execute();
      // Every opening of the page makes one, so a page reloaded in a loop would add rows
      // without end: this request keeps its newest few (a page open in several tabs).
      await trx
        .deleteFrom('webauthn_challenges')
        .where('user_id', '=', userId)
        .where('purpose', '=', purpose)
        .where('request_id', '=', requestId)
        .where('id', 'not in', (qb) =>
          qb
            .selectFrom('webauthn_challenges')
            .select('id')
            .where('user_id', '=', userId)
            .where('purpose', '=', purpose)
            .where('request_id', '=', requestId)
            // The one just made first, whatever another process's clock wrote beside it.
            .orderBy(sql`id = ${id}`, 'desc')
            .orderBy('created_at', 'desc')
            .limit(WEBAUTHN_CHALLENGES_KEPT),
        )
        .execute();
    });
  }

  /** The one challenge of this user, purpose and request that a response signed. */
  const deleteChallenge = (
    executor: Kysely<Database>,
    where: { userId: string; purpose: WebauthnPurpose; requestId: string },
    challenge: string,
  ) =>
    executor
      .deleteFrom('webauthn_challenges')
      .where('challenge', '=', challenge)
      .where('user_id', '=', where.userId)
      .where('purpose', '=', where.purpose)
      .where('request_id', '=', where.requestId);

  /**
   * Takes the challenge a response signed. One guarded DELETE: of two requests carrying the
   * same response only one finds it, and a challenge made for another user, purpose or
   * request is never found.
   */
  async function takeChallenge(
    executor: Kysely<Database>,
    where: { userId: string; purpose: WebauthnPurpose; requestId: string },
    challenge: string | null,
  ): Promise<TfResult<string>> {
    if (!challenge) return tfFail(TwoFactorError.INVALID_CODE);
    const row = await deleteChallenge(executor, where, challenge)
      .returning(['challenge', 'expires_at'])
      .executeTakeFirst();
    if (!row) return tfFail(TwoFactorError.INVALID_CODE);
    if (Number(row.expires_at) <= clock.now()) return tfFail(TwoFactorError.CODE_EXPIRED);
    return tfOk(row.challenge);
  }

  /**
   * Whether an assertion answers a challenge this pending sign-in was given that has run out
   * (a page left open longer than WEBAUTHN_CHALLENGE_TTL_MS): the challenge is taken, and
   * nothing else is looked at. Such a response is the key holder's own stale page, not a
   * guess, and the caller neither counts it nor warns the owner of it; a challenge made for
   * another sign-in, or already used, is not this and is checked, and counted, as before.
   */
  async function challengeRanOut(
    executor: Kysely<Database>,
    userId: string,
    requestId: string,
    responseJson: string,
  ): Promise<boolean> {
    const response = parseResponse<AuthenticationResponseJSON>(responseJson);
    const challenge = signedChallenge(response?.response.clientDataJSON);
    if (!challenge) return false;
    const taken = await deleteChallenge(
      executor,
      { userId, purpose: 'authenticate', requestId },
      challenge,
    )
      .where('expires_at', '<=', clock.now())
      .returning('id')
      .executeTakeFirst();
    return taken !== undefined;
  }

  /**
   * Options for adding a key, for the person's current session or pending sign-in
   * (`requestId`). Keys they already have are excluded, so one key is not added twice.
   */
  async function registrationOptions(
    user: User,
    requestId: string,
  ): Promise<TfResult<PublicKeyCredentialCreationOptionsJSON>> {
    if (!policy.isMethodEnabled(await policy.get(), 'webauthn'))
      return tfFail(TwoFactorError.METHOD_DISABLED);
    const existing = await list(user.id);
    const options = await (
      await webauthn()
    ).generateRegistrationOptions({
      rpName: deps.issuer,
      rpID: rpId,
      userID: Buffer.from(user.id, 'utf8'),
      userName: (await primaryAddressOf(db, user.id))?.email ?? user.name,
      userDisplayName: user.name,
      timeout: WEBAUTHN_CHALLENGE_TTL_MS,
      attestationType: 'none',
      excludeCredentials: existing.map((key) => ({
        id: key.credential.credential_id,
        transports: transportsOf(key.credential),
      })),
      // A key is the second step after the password, never found without it: the key need not
      // keep the credential on itself, which a key without a PIN refuses (and a key with one
      // does in a few slots). Passkey managers keep it there anyway.
      authenticatorSelection: { residentKey: 'discouraged', userVerification: 'preferred' },
    });
    await storeChallenge(user.id, 'register', requestId, options.challenge);
    return tfOk(options);
  }

  /** Verifies a new key's attestation and adds it as a method named `name`. */
  async function finishRegistration(
    user: User,
    requestId: string,
    name: string,
    responseJson: string,
    meta: RequestMeta,
  ): Promise<TfResult<{ methodId: string; recoveryCodes: string[] | null }>> {
    if (!policy.isMethodEnabled(await policy.get(), 'webauthn'))
      return tfFail(TwoFactorError.METHOD_DISABLED);
    const response = parseResponse<RegistrationResponseJSON>(responseJson);
    const taken = await takeChallenge(
      db,
      { userId: user.id, purpose: 'register', requestId },
      signedChallenge(response?.response.clientDataJSON),
    );
    if (!taken.ok || !response) {
      await audit(user, meta, taken.ok ? TwoFactorError.INVALID_CODE : taken.error);
      return taken.ok ? tfFail(TwoFactorError.INVALID_CODE) : taken;
    }
    let verified;
    try {
      verified = await (
        await webauthn()
      ).verifyRegistrationResponse({
        response,
        expectedChallenge: taken.value,
        expectedOrigin: origin,
        expectedRPID: rpId,
        requireUserVerification: false,
      });
    } catch {
      verified = null;
    }
    if (!verified?.verified) {
      await audit(user, meta, TwoFactorError.INVALID_CODE);
      return tfFail(TwoFactorError.INVALID_CODE);
    }
    const { credential } = verified.registrationInfo;
    // excludeCredentials keeps a browser from offering a key twice; a response that comes
    // anyway is told apart here rather than by the unique index alone.
    const stored = await takenCredential(user, credential.id);
    if (stored) {
      await audit(user, meta, stored);
      return tfFail(stored);
    }
    const added = await methods.add(
      user,
      {
        type: 'webauthn',
        name,
        credential: {
          credentialId: credential.id,
          publicKey: Buffer.from(credential.publicKey).toString('base64url'),
          signCount: credential.counter,
          transports: credential.transports ?? [],
        },
      },
      meta,
    );
    if (!added.ok && added.error === TwoFactorError.METHOD_EXISTS) {
      // The same credential id stored meanwhile (the unique index said so): say whose it is.
      const raced = (await takenCredential(user, credential.id)) ?? added.error;
      await audit(user, meta, raced);
      return tfFail(raced);
    }
    if (!added.ok) return added;
    return tfOk({ methodId: added.value.method.id, recoveryCodes: added.value.recoveryCodes });
  }

  async function audit(user: User, meta: RequestMeta, reason: string): Promise<void> {
    await deps.audit.record({
      event: 'two_factor.setup_failed',
      actorUserId: user.id,
      meta,
      details: { kind: 'webauthn', reason },
    });
  }

  /**
   * Options for signing in (or stepping up) with one of the person's usable keys, for the
   * pending sign-in `requestId`; null when they have none.
   */
  async function authenticationOptions(
    userId: string,
    requestId: string,
  ): Promise<PublicKeyCredentialRequestOptionsJSON | null> {
    // A key set up before security keys were turned off still signs in (methods.usable).
    const keys = await list(userId);
    if (keys.length === 0) return null;
    const options = await (
      await webauthn()
    ).generateAuthenticationOptions({
      rpID: rpId,
      timeout: WEBAUTHN_CHALLENGE_TTL_MS,
      userVerification: 'preferred',
      allowCredentials: keys.map((key) => ({
        id: key.credential.credential_id,
        transports: transportsOf(key.credential),
      })),
    });
    await storeChallenge(userId, 'authenticate', requestId, options.challenge);
    return options;
  }

  /**
   * Checks an assertion inside the second step's transaction (challenge.ts): the challenge
   * must be this pending sign-in's, the credential this user's, the signature good and the
   * signature counter higher than the last one seen (unless the key keeps none). Returns the
   * key's method id.
   */
  async function checkAssertion(
    executor: Kysely<Database>,
    userId: string,
    requestId: string,
    responseJson: string,
  ): Promise<TfResult<string>> {
    const response = parseResponse<AuthenticationResponseJSON>(responseJson);
    const taken = await takeChallenge(
      executor,
      { userId, purpose: 'authenticate', requestId },
      signedChallenge(response?.response.clientDataJSON),
    );
    if (!taken.ok) return taken;
    if (!response) return tfFail(TwoFactorError.INVALID_CODE);
    const key = (await list(userId, executor)).find(
      (k) => k.credential.credential_id === response.id,
    );
    if (!key) return tfFail(TwoFactorError.INVALID_CODE);
    let verified;
    try {
      verified = await (
        await webauthn()
      ).verifyAuthenticationResponse({
        response,
        expectedChallenge: taken.value,
        expectedOrigin: origin,
        expectedRPID: rpId,
        requireUserVerification: false,
        credential: {
          id: key.credential.credential_id,
          publicKey: new Uint8Array(Buffer.from(key.credential.public_key, 'base64url')),
          counter: key.credential.sign_count,
          transports: transportsOf(key.credential),
        },
      });
    } catch (error) {
      // The library refuses a counter that did not grow: a replayed response, or a copy of the
      // key that has signed more often than this one (the audit log names the key).
      return /counter/i.test(String(error))
        ? tfFail(TwoFactorError.KEY_COUNTER_WENT_BACK, key.method.name)
        : tfFail(TwoFactorError.INVALID_CODE);
    }
    if (!verified.verified) return tfFail(TwoFactorError.INVALID_CODE);
    const next = verified.authenticationInfo.newCounter;
    // Guarded UPDATE: of two concurrent assertions with the same counter only one moves it on.
    const moved = await executor
      .updateTable('webauthn_credentials')
      .set({ sign_count: next })
      .where('method_id', '=', key.method.id)
      .where((eb) => (next === 0 ? eb('sign_count', '=', 0) : eb('sign_count', '<', next)))
      .returning('method_id')
      .executeTakeFirst();
    if (!moved) return tfFail(TwoFactorError.CODE_ALREADY_USED, key.method.name);
    await methods.touch(key.method.id, executor);
    return tfOk(key.method.id);
  }

  return {
    rpId,
    origin,
    list,
    find,
    nameTaken,
    takenNames,
    registrationOptions,
    finishRegistration,
    authenticationOptions,
    challengeRanOut,
    checkAssertion,
  };
}

export type SecurityKeys = ReturnType<typeof createSecurityKeys>;
