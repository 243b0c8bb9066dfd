import type { Kysely } from 'kysely';
import type { Database, TokenPurpose } from '../db/schema.js';
import { generateToken, hashToken } from '../security/tokens.js';

export const VERIFY_EMAIL_TTL_MS = 24 * 60 * 60_000;
export const RESET_PASSWORD_TTL_MS = 30 * 60_000;

export interface IssuedToken {
  token: string;
}

/** Issues a single-use link token; only its hash is stored. */
export async function issueToken(
  db: Kysely<Database>,
  input: {
    userId: string;
    purpose: TokenPurpose;
    emailAddressId?: string;
    now: number;
    ttlMs: number;
  },
): Promise<IssuedToken> {
  const token = generateToken();
  await db
    .insertInto('tokens')
    .values({
      token_hash: hashToken(token),
      user_id: input.userId,
      email_address_id: input.emailAddressId ?? null,
      purpose: input.purpose,
      created_at: input.now,
      expires_at: input.now + input.ttlMs,
      used_at: null,
    })
    .execute();
  return { token };
}

/**
 * Issues a password-reset link, ending the account's earlier ones: only the newest link in
 * the mailbox works, as only the newest code does, so a link left in an old mail (or one a
 * registration attempt sent) opens nothing once another was sent.
 */
export async function issueResetToken(
  db: Kysely<Database>,
  input: { userId: string; emailAddressId?: string; now: number },
): Promise<IssuedToken> {
  return db.transaction().execute(async (trx) => {
    await revokeTokens(trx, input.userId, 'reset_password', input.now);
    return issueToken(trx, { ...input, purpose: 'reset_password', ttlMs: RESET_PASSWORD_TTL_MS });
  });
}

export interface TokenRecord {
  userId: string;
  emailAddressId: string | null;
}

/** Looks a token up without using it (to decide whether to show the form). */
export async function findLiveToken(
  db: Kysely<Database>,
  purpose: TokenPurpose,
  token: string,
  now: number,
): Promise<TokenRecord | undefined> {
  const row = await db
    .selectFrom('tokens')
    .select(['user_id', 'email_address_id'])
    .where('token_hash', '=', hashToken(token))
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .executeTakeFirst();
  return row ? { userId: row.user_id, emailAddressId: row.email_address_id } : undefined;
}

/**
 * Uses a token once. One guarded UPDATE: of two concurrent requests with the same token,
 * exactly one gets the row back.
 */
export async function consumeToken(
  db: Kysely<Database>,
  purpose: TokenPurpose,
  token: string,
  now: number,
): Promise<TokenRecord | undefined> {
  const row = await db
    .updateTable('tokens')
    .set({ used_at: now })
    .where('token_hash', '=', hashToken(token))
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .where('expires_at', '>', now)
    .returning(['user_id', 'email_address_id'])
    .executeTakeFirst();
  return row ? { userId: row.user_id, emailAddressId: row.email_address_id } : undefined;
}

export async function revokeTokens(
  db: Kysely<Database>,
  userId: string,
  purpose: TokenPurpose,
  now: number,
): Promise<void> {
  await db
    .updateTable('tokens')
    .set({ used_at: now })
    .where('user_id', '=', userId)
    .where('purpose', '=', purpose)
    .where('used_at', 'is', null)
    .execute();
}
