import { createHmac, randomBytes } from 'node:crypto';
import os from 'node:os';
import { promisify } from 'node:util';
import type { Algorithm, Version } from '@node-rs/argon2';
import { hashRaw, verify as argon2Verify } from '@node-rs/argon2';

/** OWASP's Argon2id minimum (SPEC §4): m=19 MiB, t=2, p=1. */
export const ARGON2_PARAMS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
export const PASSWORD_MIN_LENGTH = 12;
/** Longer inputs are refused before hashing: a megabyte password must not cost a megabyte of work. */
export const PASSWORD_MAX_LENGTH = 256;

/** Unpadded standard base64, as PHC strings carry salts and hashes. */
const phcBase64 = (bytes: Uint8Array) => Buffer.from(bytes).toString('base64').replace(/=+$/, '');

/** The binding declares its enums `const`, which this build cannot inline: their values. */
const ARGON2ID = 2 satisfies Algorithm;
const VERSION_0X13 = 1 satisfies Version;
const SALT_BYTES = 16;
const HASH_BYTES = 32;

const randomBytesAsync = promisify(randomBytes);
/** Password checks that may wait per hash running at once (see HasherOptions.maxWaiting). */
const CHECKS_WAITING_PER_HASH = 100;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /**
   * Whether a stored hash is in another form than `hash` writes now (without the pepper, or
   * with other parameters): after a verification that succeeded, it is hashed again.
   */
  needsRehash(hash: string): boolean;
  /** Spends the same work as a real verification, for unknown accounts (no timing oracle). */
  verifyDummy(password: string): Promise<void>;
  /**
   * Throws {@link HasherBusyError} when too many password checks wait already. Asked where a
   * typed password is checked (log-in, re-entry), before the attempt is counted, and for known
   * and unknown addresses alike; a new password's checks and hash are never refused.
   */
  admit(): void;
}

/**
 * Too many password checks are waiting already: answered "busy, try again" (503) instead of
 * queued, so a flood of log-ins from many addresses cannot grow the queue, and every answer's
 * wait, without bound, nor leave the server hashing for people who gave up long ago.
 */
export class HasherBusyError extends Error {
  readonly statusCode = 503;
  readonly code = 'BUSY';
  constructor() {
    super('Too many password checks are waiting');
  }
}

/**
 * A counting semaphore: at most `limit` hashes run at once, the rest wait their turn. `admit`
 * throws {@link HasherBusyError} while `maxWaiting` already wait: asked before a request counts
 * an attempt, so a refusal costs the person nothing; `run` itself always waits.
 */
export function createLimiter(limit: number, maxWaiting = Number.POSITIVE_INFINITY) {
  let active = 0;
  const waiting: Array<() => void> = [];
  async function run<T>(task: () => Promise<T>): Promise<T> {
    // A task that ends hands its place to the next in line, so none comes in between.
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    else active++;
    try {
      return await task();
    } finally {
      const next = waiting.shift();
      if (next) next();
      else active--;
    }
  }
  function admit(): void {
    if (active >= limit && waiting.length >= maxWaiting) throw new HasherBusyError();
  }
  return Object.assign(run, { admit });
}

export interface HasherOptions {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
  /** At most this many hashes run at once (default: the core count). */
  concurrency?: number;
  /**
   * At most this many password checks wait for their turn (default: 100 per running hash,
   * about a second's work); more are refused with {@link HasherBusyError}.
   */
  maxWaiting?: number;
  /**
   * The pepper (NIST SP 800-63B 5.1.1.2): Argon2's own secret input, a key derived from the
   * installation's master key and kept apart from the database, so stolen hashes cannot be
   * guessed at without it. Hashes made with it carry a `keyid` that names it.
   */
  secret?: Buffer;
}

/** Names a pepper in the hashes made with it, without giving it away: 6 bytes of an HMAC. */
export function pepperId(secret: Buffer): string {
  return phcBase64(
    createHmac('sha256', secret).update('portico password pepper id').digest().subarray(0, 6),
  );
}

/** The `keyid` parameter of a PHC string, or null for a hash made without a pepper. */
function keyIdOf(stored: string): string | null {
  const params = stored.split('$')[3] ?? '';
  return /(?:^|,)keyid=([A-Za-z0-9+/]+)(?:,|$)/.exec(params)?.[1] ?? null;
}

/** libuv's largest thread pool. */
const MAX_THREAD_POOL = 1024;

/**
 * The size of libuv's thread pool, read as libuv reads it when the pool starts: UV_THREADPOOL_SIZE
 * through `atoi` (so a value that is no number means 1, a negative one the maximum), else 4.
 */
export function threadPoolSize(value: string | undefined = process.env.UV_THREADPOOL_SIZE): number {
  if (value === undefined) return 4;
  const threads = Number.parseInt(value, 10);
  if (Number.isNaN(threads) || threads === 0) return 1;
  return threads < 0 ? MAX_THREAD_POOL : Math.min(threads, MAX_THREAD_POOL);
}

/**
 * How many hashes are handed to libuv's thread pool at once. The pool runs as many as it has
 * threads; when those are no more than `concurrency`, each thread also gets one hash waiting in
 * the pool's queue, so a thread that finishes a hash starts the next at once, instead of idling
 * until the event loop has taken the result and handed over another (in a sign-in storm the
 * loop is often busy with other requests: docs/performance.md, item 12). With more threads
 * than `concurrency`, a waiting hash would run at once, so only `concurrency` are handed over and
 * the rest wait here. Either way at most `concurrency` hashes run, and hold their memory, at once.
 */
export function hashesInFlight(concurrency: number, threadPool: number): number {
  return threadPool <= concurrency ? 2 * threadPool : concurrency;
}

/**
 * Argon2id through @node-rs/argon2, which hashes on libuv's thread pool, never on the event
 * loop. Concurrency is bounded to the core count so a burst of sign-ins queues instead of
 * exhausting memory. How many hashes the pool holds at once depends on its size
 * ({@link hashesInFlight}): with more threads than cores (libuv's default on two cores), other
 * pool work (files, DNS) finds a thread free; with no more threads than cores (`bin/portico.cjs`
 * gives it two to four), it waits behind the few hashes already queued, one to two hashes' time.
 * The binding's allocator gives each hash's memory back to the system when the hash ends, so
 * the process holds at most `concurrency` blocks of `memoryCost` KiB, and none between bursts
 * (docs/decisions.md).
 *
 * New hashes are PHC strings in the form Portico has always stored,
 * `$argon2id$v=19$m=…,p=…,t=…$salt$hash` (16-byte salt, 32-byte hash), with `,keyid=…` after
 * the parameters when a pepper was used; verification reads the parameters from the stored
 * string, and uses the pepper only for a hash that names it. A hash that names another pepper
 * never verifies.
 */
export function createPasswordHasher(options: HasherOptions = ARGON2_PARAMS): PasswordHasher {
  const concurrency = options.concurrency ?? Math.max(1, os.availableParallelism());
  const limit = createLimiter(
    hashesInFlight(concurrency, threadPoolSize()),
    options.maxWaiting ?? CHECKS_WAITING_PER_HASH * concurrency,
  );
  const { memoryCost, timeCost, parallelism, secret } = options;
  const keyId = secret ? pepperId(secret) : null;
  const prefix = `$argon2id$v=19$m=${memoryCost},p=${parallelism},t=${timeCost}${keyId ? `,keyid=${keyId}` : ''}$`;
  let dummyHash: Promise<string> | null = null;
  const hash = (password: string) =>
    limit(async () => {
      const salt = await randomBytesAsync(SALT_BYTES);
      const output = await hashRaw(password, {
        algorithm: ARGON2ID,
        version: VERSION_0X13,
        memoryCost,
        timeCost,
        parallelism,
        outputLen: HASH_BYTES,
        salt,
        ...(secret ? { secret } : {}),
      });
      return `${prefix}${phcBase64(salt)}$${phcBase64(output)}`;
    });
  const verifyDummy = async (password: string) => {
    dummyHash ??= hash('portico-dummy-password');
    await verify(await dummyHash, password);
  };
  const verify = async (stored: string, password: string): Promise<boolean> => {
    const storedKeyId = keyIdOf(stored);
    if (storedKeyId === null) return limit(() => argon2Verify(stored, password)).catch(() => false);
    if (storedKeyId !== keyId || !secret) {
      // Made with another pepper (or with one where this hasher has none): it cannot match.
      // The key check at start (src/security/secret-key.ts) keeps processes from getting here;
      // the same work is spent as for any other wrong password, so the answer's time says
      // nothing about the account.
      await verifyDummy(password);
      return false;
    }
    return limit(() => argon2Verify(stored, password, { secret })).catch(() => false);
  };
  return {
    hash,
    verify,
    needsRehash: (stored: string) => !stored.startsWith(prefix),
    verifyDummy,
    admit: limit.admit,
  };
}
