import type { FastifyReply } from 'fastify';

export interface CookieNames {
  session: string;
  pending: string;
  csrf: string;
  flash: string;
  language: string;
  /** A trusted device's token ("Remember this device for 30 days"). */
  device: string;
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
  };
}

export interface CookieWriter {
  set(reply: FastifyReply, name: string, value: string, maxAgeSeconds?: number): void;
  clear(reply: FastifyReply, name: string): void;
}

export function cookieWriter(secure: boolean): CookieWriter {
  const base = { path: '/', httpOnly: true, sameSite: 'lax' as const, secure };
  return {
    set(reply, name, value, maxAgeSeconds) {
      void reply.setCookie(
        name,
        value,
        maxAgeSeconds === undefined ? base : { ...base, maxAge: maxAgeSeconds },
      );
    },
    clear(reply, name) {
      void reply.clearCookie(name, base);
    },
  };
}
