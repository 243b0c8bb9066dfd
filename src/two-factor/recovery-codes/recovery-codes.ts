import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { firstRow, precompiled } from '../../db/precompiled.js';
import type { Database } from '../../db/schema.js';
import { hmac, newId, safeEqual } from '../../security/tokens.js';
import { RECOVERY_CODE_BYTES, RECOVERY_CODE_COUNT } from '../constants.js';

const BASE32 = 'abcdefghijklmnopqrstuvwxyz234567';

/** 80 random bits as 16 base32 characters, shown as xxxx-xxxx-xxxx-xxxx. */
function newCode(): string {
  const bytes = randomBytes(RECOVERY_CODE_BYTES);
  let bits = 0;
  let value = 0;
  let out = '';
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  return out.replace(/(.{4})(?=.)/g, '$1-');
}

/**
 * Digits the codes never hold, read for the letters they are mistaken for (as RFC 4648 §6
 * suggests): on a printout or in a monospace font `l` passes for `1`, `o` for `0`, `b` for `8`,
 * and a misread code must not count as a wrong one.
 */
const MISREAD: Record<string, string> = { '0': 'o', '1': 'l', '8': 'b' };

/** What people type: any case, with or without dashes and spaces, 0, 1 and 8 for o, l and b. */
export function normalizeRecoveryCode(input: string): string {
  return input
    .toLowerCase()
    .replace(/[\s-]+/g, '')
    .replace(/[018]/g, (digit) => MISREAD[digit] ?? digit);
}

/**
 * Recovery codes are stored as keyed hashes (HMAC-SHA-256 with a key outside the database):
 * 80-bit codes cannot be guessed, and the table alone does not reveal them.
 */
/** Shown on every visit of the 2FA pages. */
const countUnused = precompiled((db, p: { userId: string }) =>
  db
    .selectFrom('recovery_codes')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', p.userId)
    .where('used_at', 'is', null),
);

export function createRecoveryCodes(db: Kysely<Database>, key: Buffer) {
  const hashOf = (userId: string, code: string) =>
    hmac(key, 'recovery-code', userId, normalizeRecoveryCode(code));

  /** Replaces the user's set with ten new codes and returns them (the only time they are shown). */
  async function replace(
    userId: string,
    now: number,
    executor: Kysely<Database> = db,
  ): Promise<string[]> {
    const codes = Array.from({ length: RECOVERY_CODE_COUNT }, newCode);
    await executor.deleteFrom('recovery_codes').where('user_id', '=', userId).execute();
    await executor
      .insertInto('recovery_codes')
      .values(
        codes.map((code) => ({
          id: newId(),
          user_id: userId,
          code_hash: hashOf(userId, code),
          created_at: now,
          used_at: null,
        })),
      )
      .execute();
    return codes;
  }

  /**
   * Uses one code. Every unused code is compared in constant time (no early exit), then the
   * match is consumed by one guarded UPDATE: a code works once, also under concurrent use.
   */
  async function consume(
    userId: string,
    input: string,
    now: number,
    executor: Kysely<Database> = db,
  ): Promise<boolean> {
    const normalized = normalizeRecoveryCode(input);
    if (!/^[a-z2-7]{16}$/.test(normalized)) return false;
    const candidate = hashOf(userId, normalized);
    const rows = await executor
      .selectFrom('recovery_codes')
      .select(['id', 'code_hash'])
      .where('user_id', '=', userId)
      .where('used_at', 'is', null)
      .execute();
    let matchId: string | null = null;
    for (const row of rows) {
      if (safeEqual(candidate, row.code_hash)) matchId = row.id;
    }
    if (!matchId) return false;
    const used = await executor
      .updateTable('recovery_codes')
      .set({ used_at: now })
      .where('id', '=', matchId)
      .where('used_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    return used !== undefined;
  }

  async function remaining(userId: string, executor: Kysely<Database> = db): Promise<number> {
    return Number(firstRow(await countUnused(executor, { userId }))?.n ?? 0);
  }

  /** Whether the user's codes (only the used ones, with `usedOnly`) hold `input`, in constant time. */
  async function holds(
    userId: string,
    input: string,
    usedOnly: boolean,
    executor: Kysely<Database> = db,
  ): Promise<boolean> {
    const candidate = hashOf(userId, input);
    let query = executor
      .selectFrom('recovery_codes')
      .select('code_hash')
      .where('user_id', '=', userId);
    if (usedOnly) query = query.where('used_at', 'is not', null);
    let found = false;
    for (const row of await query.execute()) if (safeEqual(candidate, row.code_hash)) found = true;
    return found;
  }

  /** Whether a code was already used (so a replay can be told apart and audited). */
  function wasUsed(userId: string, input: string, executor: Kysely<Database> = db) {
    return holds(userId, input, true, executor);
  }

  /**
   * Whether `codes` are the user's set now: a set made again since (another tab, a double
   * click) replaced them, and showing them would hand out codes that no longer work.
   */
  async function isCurrentSet(userId: string, codes: string[]): Promise<boolean> {
    const first = codes[0];
    return first !== undefined && holds(userId, first, false);
  }

  return { replace, consume, remaining, wasUsed, isCurrentSet };
}

export type RecoveryCodes = ReturnType<typeof createRecoveryCodes>;
