import type { Kysely } from 'kysely';
import type { Audit, RequestMeta } from '../audit/audit.js';
import type { Clock } from '../clock.js';
import { DAY_MS } from '../clock.js';
import { accountStanding, holdAccountRow } from '../accounts/users.js';
import { firstRow, precompiled } from '../db/precompiled.js';
import { literalLimit } from '../db/literal-limit.js';
import type { Database, TrustedDevice, User } from '../db/schema.js';
import { generateToken, hashToken, newId } from '../security/tokens.js';

/** "Remember this device for 30 days" (SPEC §2.6). */
export const TRUSTED_DEVICE_DAYS = 30;
export const TRUSTED_DEVICE_TTL_MS = TRUSTED_DEVICE_DAYS * DAY_MS;
/** Remembered browsers per account; remembering one more forgets the least recently used. */
export const TRUSTED_DEVICES_PER_USER = 10;

const deviceByToken = precompiled((db, p: { tokenHash: string; userId: string; now: number }) =>
  db
    .selectFrom('trusted_devices')
    .select('id')
    .where('token_hash', '=', p.tokenHash)
    .where('user_id', '=', p.userId)
    .where('expires_at', '>', p.now),
);

/** Your 2FA lists them on every view. */
const liveDevices = precompiled((db, p: { userId: string; now: number }) =>
  db
    .selectFrom('trusted_devices')
    .selectAll()
    .where('user_id', '=', p.userId)
    .where('expires_at', '>', p.now)
    .orderBy('last_used_at', 'desc')
    .orderBy('id'),
);

const touchDevice = precompiled((db, p: { id: string; now: number; ip: string }) =>
  db
    .updateTable('trusted_devices')
    .set({ last_used_at: p.now, last_used_ip: p.ip })
    .where('id', '=', p.id),
);

/**
 * Remembered browsers. A browser that passed the second step with "Remember this device"
 * ticked holds a random 256-bit token (its SHA-256 is stored); for 30 days a correct password
 * from that browser is enough. Administrators are never remembered: the console always asks
 * for a second factor (SPEC §2.7). Step-ups are never skipped.
 */
export function createTrustedDevices(deps: { db: Kysely<Database>; clock: Clock; audit: Audit }) {
  const { db, clock, audit } = deps;

  /** Whether this account may remember browsers at all. */
  function mayRemember(user: Pick<User, 'is_admin'>): boolean {
    return user.is_admin !== 1;
  }

  /**
   * Remembers the browser of `meta` for the user; returns the token for its cookie. `user` as
   * the second step read it: a device is remembered only while the account is as it was then.
   * A disable or a password reset that committed just after that step's own commit would
   * otherwise forget every device first, and this one be stored after it, skipping the second
   * step on the account's next log-in. The account's row is held meanwhile, so one that comes
   * after this finds the device, and forgets it.
   */
  async function remember(user: User, meta: RequestMeta): Promise<string | null> {
    if (!mayRemember(user)) return null;
    const now = clock.now();
    const token = generateToken();
    const id = newId();
    const stored = await db.transaction().execute(async (trx) => {
      await holdAccountRow(trx, user.id);
      const standing = firstRow(await accountStanding(trx, { userId: user.id }));
      if (
        !standing ||
        standing.disabled_at !== null ||
        standing.credential_version !== user.credential_version
      )
        return false;
      await trx
        .insertInto('trusted_devices')
        .values({
          id,
          user_id: user.id,
          token_hash: hashToken(token),
          user_agent: meta.userAgent.slice(0, 512),
          created_at: now,
          created_ip: meta.ip,
          last_used_at: now,
          last_used_ip: meta.ip,
          expires_at: now + TRUSTED_DEVICE_TTL_MS,
        })
        .execute();
      const surplus = await trx
        .selectFrom('trusted_devices')
        .select('id')
        .where('user_id', '=', user.id)
        .orderBy('last_used_at', 'desc')
        .orderBy('id')
        .offset(literalLimit(TRUSTED_DEVICES_PER_USER))
        .limit(literalLimit(1000))
        .execute();
      if (surplus.length > 0) {
        await trx
          .deleteFrom('trusted_devices')
          .where(
            'id',
            'in',
            surplus.map((row) => row.id),
          )
          .execute();
      }
      await audit.record(
        { event: 'two_factor.device_trusted', actorUserId: user.id, meta, details: { device: id } },
        trx,
      );
      return true;
    });
    return stored ? token : null;
  }

  /**
   * Whether the browser's token names a live remembered device of this user; a match counts as
   * a use (its last use is updated).
   */
  async function recognise(user: User, token: string, meta: RequestMeta): Promise<boolean> {
    if (!mayRemember(user) || !/^[A-Za-z0-9_-]{43}$/.test(token)) return false;
    const now = clock.now();
    const device = firstRow(
      await deviceByToken(db, { tokenHash: hashToken(token), userId: user.id, now }),
    );
    if (!device) return false;
    await touchDevice(db, { id: device.id, now, ip: meta.ip });
    return true;
  }

  /** The user's remembered browsers, most recently used first (expired ones are left out). */
  async function list(userId: string): Promise<TrustedDevice[]> {
    return (await liveDevices(db, { userId, now: clock.now() })).rows;
  }

  /**
   * Forgets one remembered browser of the user. Returns the forgotten device's token hash (to
   * tell whether it was the asking browser), or null when it is not theirs or already gone.
   */
  async function forget(
    userId: string,
    deviceId: string,
    meta: RequestMeta,
  ): Promise<string | null> {
    return db.transaction().execute(async (trx) => {
      const removed = await trx
        .deleteFrom('trusted_devices')
        .where('id', '=', deviceId)
        .where('user_id', '=', userId)
        .returning('token_hash')
        .executeTakeFirst();
      if (!removed) return null;
      await audit.record(
        {
          event: 'two_factor.device_forgotten',
          actorUserId: userId,
          meta,
          details: { device: deviceId },
        },
        trx,
      );
      return removed.token_hash;
    });
  }

  /** Forgets every remembered browser of the user; returns how many there were. */
  async function forgetAll(userId: string, meta: RequestMeta): Promise<number> {
    return db.transaction().execute(async (trx) => {
      const removed = await forgetAllIn(trx, userId);
      if (removed > 0) {
        await audit.record(
          {
            event: 'two_factor.device_forgotten',
            actorUserId: userId,
            meta,
            details: { devices: removed },
          },
          trx,
        );
      }
      return removed;
    });
  }

  return { mayRemember, remember, recognise, list, forget, forgetAll };
}

/**
 * Removes every remembered browser of a user, inside the caller's transaction: a password
 * change or reset, an administrator's 2FA reset, or the last method removed.
 */
export async function forgetAllIn(executor: Kysely<Database>, userId: string): Promise<number> {
  const rows = await executor
    .deleteFrom('trusted_devices')
    .where('user_id', '=', userId)
    .returning('id')
    .execute();
  return rows.length;
}

export type TrustedDevices = ReturnType<typeof createTrustedDevices>;
