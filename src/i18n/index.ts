import { en } from './en.js';
import type { Messages } from './en.js';
import { nl } from './nl.js';

export type { Messages };
export const LOCALES = ['en', 'nl'] as const;
export type Locale = (typeof LOCALES)[number];

const catalogs: Record<Locale, Messages> = { en, nl };

export function isLocale(value: unknown): value is Locale {
  return typeof value === 'string' && (LOCALES as readonly string[]).includes(value);
}

export function messagesFor(locale: Locale): Messages {
  return catalogs[locale];
}

/** Picks the best supported language from an Accept-Language header (RFC 9110 §12.5.4). */
export function localeFromAcceptLanguage(header: string | undefined): Locale | null {
  if (!header) return null;
  const ranked = header
    .split(',')
    .map((part, index) => {
      const [tag = '', ...params] = part.trim().split(';');
      const q = params.find((p) => p.trim().startsWith('q='));
      return { tag: tag.toLowerCase(), q: q ? Number(q.trim().slice(2)) : 1, index };
    })
    .filter((entry) => entry.tag && Number.isFinite(entry.q) && entry.q > 0)
    .sort((a, b) => b.q - a.q || a.index - b.index);
  for (const { tag } of ranked) {
    const primary = tag.split('-')[0];
    if (isLocale(primary)) return primary;
  }
  return null;
}

// Making an Intl.DateTimeFormat costs about 150 µs, formatting with one about 3 µs: one per
// language, made when first used (docs/performance.md).
const dateTimeFormats = new Map<Locale, Intl.DateTimeFormat>();

/** Formats a time for people, in the given language, in UTC with the zone named. */
export function formatDateTime(locale: Locale, ms: number): string {
  let format = dateTimeFormats.get(locale);
  if (!format) {
    // dateStyle/timeStyle cannot be combined with timeZoneName (Intl throws): spell the parts out.
    format = new Intl.DateTimeFormat(locale === 'nl' ? 'nl-NL' : 'en-GB', {
      year: 'numeric',
      month: 'long',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZone: 'UTC',
      timeZoneName: 'short',
    });
    dateTimeFormats.set(locale, format);
  }
  return format.format(new Date(ms));
}
