import os from 'node:os';
import argon2 from 'argon2';
import type { HashOptions } from 'argon2';

/** OWASP's Argon2id minimum (SPEC §4): m=19 MiB, t=2, p=1. */
export const ARGON2_PARAMS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
export const PASSWORD_MIN_LENGTH = 12;
/** Longer inputs are refused before hashing: a megabyte password must not cost a megabyte of work. */
export const PASSWORD_MAX_LENGTH = 256;

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(hash: string, password: string): Promise<boolean>;
  /** Spends the same work as a real verification, for unknown accounts (no timing oracle). */
  verifyDummy(password: string): Promise<void>;
}

/** A counting semaphore: at most `limit` hashes run at once, the rest wait their turn. */
export function createLimiter(limit: number) {
  let active = 0;
  const waiting: Array<() => void> = [];
  return async function run<T>(task: () => Promise<T>): Promise<T> {
    if (active >= limit) await new Promise<void>((resolve) => waiting.push(resolve));
    active++;
    try {
      return await task();
    } finally {
      active--;
      waiting.shift()?.();
    }
  };
}

export interface HasherOptions {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
  concurrency?: number;
}

/**
 * Argon2id through the argon2 addon, which hashes on libuv's thread pool, never on the event
 * loop. Concurrency is bounded to the core count so a burst of sign-ins queues instead of
 * exhausting memory and starving other thread-pool work.
 */
export function createPasswordHasher(options: HasherOptions = ARGON2_PARAMS): PasswordHasher {
  const limit = createLimiter(options.concurrency ?? Math.max(1, os.availableParallelism()));
  const params: HashOptions = {
    type: argon2.argon2id,
    memoryCost: options.memoryCost,
    timeCost: options.timeCost,
    parallelism: options.parallelism,
  };
  let dummyHash: Promise<string> | null = null;
  const hash = (password: string) => limit(() => argon2.hash(password, params));
  const verify = (stored: string, password: string) =>
    limit(() => argon2.verify(stored, password)).catch(() => false);
  return {
    hash,
    verify,
    async verifyDummy(password: string) {
      dummyHash ??= hash('portico-dummy-password');
      await verify(await dummyHash, password);
    },
  };
}
