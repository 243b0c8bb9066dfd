import { decrypt, encrypt } from '../security/encryption.js';

/**
 * Secrets shown once (new recovery codes, a new API key) are not answered from the POST that
 * made them: a reload would make another set, and the language switch would lose them. The
 * POST seals them into a short-lived cookie and redirects to a page that reads it there, so
 * the page survives a reload and a change of language, but not longer: the first page the
 * browser opens elsewhere ends it (`request-context.ts`), as the page says.
 */
export const SHOWN_ONCE_TTL_MS = 15 * 60_000;

/** What each one-time page shows. */
export interface Shown {
  recoveryCodes: {
    codes: string[];
    /** The method just made, when the codes came with the first one (its notice is shown). */
    created: 'totp' | 'email' | 'webauthn' | null;
    /** Where "Continue" leads: Your 2FA, or the home page after a log-in set-up. */
    continueTo: string;
  };
  apiKey: { name: string; token: string };
}

export type ShownKind = keyof Shown;

/** The page that shows it: opening any other page ends it. */
export const SHOWN_PAGES: Record<ShownKind, string> = {
  recoveryCodes: '/profile/2fa/recovery-codes',
  apiKey: '/admin/api-keys/created',
};

export const SHOWN_KINDS = Object.keys(SHOWN_PAGES) as ShownKind[];

/** Whom a sealed value was made for: it opens only for the same person in the same session. */
export interface ShownHolder {
  userId: string;
  /** The session's stored id (the hash of its token). */
  sessionHash: string;
}

/** The associated data binds a value to its page, its person and session, and this format. */
function boundTo(kind: ShownKind, holder: ShownHolder): string {
  return `shown-once:v1:${kind}:${holder.userId}:${holder.sessionHash}`;
}

export function sealShown<K extends ShownKind>(
  key: Buffer,
  kind: K,
  holder: ShownHolder,
  value: Shown[K],
  now: number,
): string {
  const payload = JSON.stringify({ until: now + SHOWN_ONCE_TTL_MS, value });
  return encrypt(key, Buffer.from(payload, 'utf8'), boundTo(kind, holder));
}

/**
 * The sealed value, or null when it is malformed, expired, or made for another page, person or
 * session. GCM authenticates it, so what opens is what `sealShown` wrote for this holder.
 */
export function openShown<K extends ShownKind>(
  key: Buffer,
  kind: K,
  holder: ShownHolder,
  sealed: string,
  now: number,
): Shown[K] | null {
  try {
    const opened = JSON.parse(decrypt(key, sealed, boundTo(kind, holder)).toString('utf8')) as {
      until?: unknown;
      value?: Shown[K];
    };
    if (typeof opened.until !== 'number' || opened.until <= now || !opened.value) return null;
    return opened.value;
  } catch {
    return null;
  }
}
