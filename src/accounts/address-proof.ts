import type { Kysely } from 'kysely';
import { PostgresAdapter } from '../db/kysely.js';
import type { Audit, RequestMeta } from '../audit/audit.js';
import type { Database, EmailAddress } from '../db/schema.js';
import { loginAddressKey } from './known-browser.js';

/**
 * Locks every claim of the address a link was mailed to, first in the transaction that will
 * prove it, before the link's token is taken. Two accounts proving one address at once would
 * otherwise each hold their own claim (and their own token) and wait for the other's, which
 * PostgreSQL ends as a deadlock: one person's link a server error. In this order the second
 * waits, then finds the address taken and its own claim, and token, gone. SQLite runs one
 * write transaction at a time anyway.
 */
export async function lockAddressClaims(
  trx: Kysely<Database>,
  emailAddressId: string,
): Promise<void> {
  if (!(trx.getExecutor().adapter instanceof PostgresAdapter)) return;
  const address = await trx
    .selectFrom('email_addresses')
    .select('email_normalized')
    .where('id', '=', emailAddressId)
    .executeTakeFirst();
  if (!address) return;
  await trx
    .selectFrom('email_addresses')
    .select('id')
    .where('email_normalized', '=', address.email_normalized)
    .orderBy('id')
    .forUpdate()
    .execute();
}

/**
 * Marks an address verified, for a link that proved its mailbox: the verification link, or a
 * reset link mailed to a registration that had verified nothing yet. The first account to prove
 * an address owns it; other unproven claims of it are dropped, with accounts that then have no
 * address at all. Answers false, and changes nothing, when another account verified it first.
 * Run inside the caller's transaction, after `lockAddressClaims`.
 */
export async function markAddressVerified(
  trx: Kysely<Database>,
  audit: Audit,
  address: EmailAddress,
  now: number,
  meta: RequestMeta,
): Promise<boolean> {
  const taken = await trx
    .selectFrom('email_addresses')
    .select('id')
    .where('email_normalized', '=', address.email_normalized)
    .where('verified_at', 'is not', null)
    .executeTakeFirst();
  if (taken) return false;
  await trx
    .updateTable('email_addresses')
    .set({ verified_at: now })
    .where('id', '=', address.id)
    .execute();
  // Proving the mailbox ends any run of wrong passwords at the address from before (a
  // stranger could close an address to new browsers before its owner registers it).
  await trx
    .deleteFrom('rate_limits')
    .where('key', '=', loginAddressKey(address.email_normalized))
    .execute();
  const rivals = await trx
    .deleteFrom('email_addresses')
    .where('email_normalized', '=', address.email_normalized)
    .where('id', '!=', address.id)
    .where('verified_at', 'is', null)
    .returning(['user_id', 'email'])
    .execute();
  // Audited as done by the one who proved the address, on the account that lost its claim.
  for (const rival of rivals) {
    const left = await trx
      .selectFrom('email_addresses')
      .select('id')
      .where('user_id', '=', rival.user_id)
      .executeTakeFirst();
    if (!left) await trx.deleteFrom('users').where('id', '=', rival.user_id).execute();
    await audit.record(
      {
        event: left ? 'email.removed' : 'user.removed_unverified',
        actorUserId: address.user_id,
        targetUserId: rival.user_id,
        meta,
        details: { email: rival.email, reason: 'verified_elsewhere' },
      },
      trx,
    );
  }
  await audit.record(
    {
      event: 'email.verified',
      actorUserId: address.user_id,
      meta,
      details: { email: address.email },
    },
    trx,
  );
  return true;
}
