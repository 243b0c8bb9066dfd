import type { FastifyReply } from 'fastify';
import type { ShownKind } from './shown-once.js';

export interface CookieNames {
  session: string;
  pending: string;
  csrf: string;
  flash: string;
  language: string;
  /** A trusted device's token ("Remember this device for 30 days"). */
  device: string;
  /** A browser that gave an address's right password: its attempts are its own (known-browser.ts). */
  knownBrowser: string;
  /** The page asked for before a log-in that must first set up 2FA, kept through the set-up. */
  next: string;
  /** A secret sealed for its one-time page (src/web/shown-once.ts), one cookie per page. */
  shown: Record<ShownKind, string>;
}

/** Behind HTTPS every cookie gets Secure and the __Host- prefix (no Domain, Path=/). */
export function cookieNames(secure: boolean): CookieNames {
  const prefix = secure ? '__Host-' : '';
  return {
    session: `${prefix}portico_session`,
    pending: `${prefix}portico_signin`,
    csrf: `${prefix}portico_csrf`,
    flash: `${prefix}portico_flash`,
    language: `${prefix}portico_lang`,
    device: `${prefix}portico_device`,
    knownBrowser: `${prefix}portico_known`,
    next: `${prefix}portico_next`,
    shown: {
      recoveryCodes: `${prefix}portico_codes`,
      apiKey: `${prefix}portico_api_key`,
    },
  };
}

export interface CookieWriter {
  /** `path` narrows where the browser sends it (default `/`). */
  set(
    reply: FastifyReply,
    name: string,
    value: string,
    maxAgeSeconds?: number,
    path?: string,
  ): void;
  clear(reply: FastifyReply, name: string, path?: string): void;
}

export function cookieWriter(secure: boolean): CookieWriter {
  const base = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure };
  return {
    set(reply, name, value, maxAgeSeconds, path = '/') {
      void reply.setCookie(name, value, {
        ...base,
        path,
        ...(maxAgeSeconds === undefined ? {} : { maxAge: maxAgeSeconds }),
      });
    },
    clear(reply, name, path = '/') {
      void reply.clearCookie(name, { ...base, path });
    },
  };
}

/**
 * Every value the browser sent under `name`, in its order. A browser may send two cookies of
 * one name (different paths or domains); the parsed `request.cookies` keeps only one.
 */
export function cookieValues(header: string | undefined, name: string): string[] {
  if (!header) return [];
  const values: string[] = [];
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=');
    if (at < 0 || pair.slice(0, at).trim() !== name) continue;
    const raw = pair.slice(at + 1).trim();
    values.push(raw.startsWith('"') && raw.endsWith('"') ? raw.slice(1, -1) : raw);
  }
  return values;
}
