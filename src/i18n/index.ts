import { DAY_MS } from '../clock.js';
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

/** The regional variant whose dates and numbers each language is shown in. */
const INTL_LOCALE: Record<Locale, string> = { en: 'en-GB', nl: 'nl-NL' };

/**
 * One Intl formatter per language, made when first asked for: making one costs about 150 µs,
 * using one about 3 µs (docs/performance.md).
 */
function perLocale<F>(make: (intlLocale: string) => F): (locale: Locale) => F {
  const made = new Map<Locale, F>();
  return (locale) => {
    let format = made.get(locale);
    if (!format) {
      format = make(INTL_LOCALE[locale]);
      made.set(locale, format);
    }
    return format;
  };
}

// dateStyle/timeStyle cannot be combined with timeZoneName (Intl throws): spell the parts out.
const dateTimeFormat = perLocale(
  (tag) =>
    new Intl.DateTimeFormat(tag, {
      year: 'numeric',
      month: 'long',
      day: 'numeric',
      hour: '2-digit',
      minute: '2-digit',
      timeZone: 'UTC',
      timeZoneName: 'short',
    }),
);
const dateFormat = perLocale(
  (tag) => new Intl.DateTimeFormat(tag, { dateStyle: 'long', timeZone: 'UTC' }),
);
const shortDateFormat = perLocale(
  (tag) =>
    new Intl.DateTimeFormat(tag, {
      day: 'numeric',
      month: 'short',
      year: 'numeric',
      timeZone: 'UTC',
    }),
);
const percentFormat = perLocale(
  (tag) => new Intl.NumberFormat(tag, { style: 'percent', maximumFractionDigits: 0 }),
);

/** Formats a time for people, in the given language, in UTC with the zone named. */
export function formatDateTime(locale: Locale, ms: number): string {
  return dateTimeFormat(locale).format(new Date(ms));
}

/**
 * The end of something that lasts until a moment (a lock), to the minute as every time here:
 * rounded up, so that "until 12:25" is never read as over while the last seconds still run.
 */
export function formatEndTime(locale: Locale, ms: number): string {
  return formatDateTime(locale, Math.ceil(ms / 60_000) * 60_000);
}

/** Formats a day for people, in the given language (UTC). */
export function formatDate(locale: Locale, ms: number): string {
  return dateFormat(locale).format(new Date(ms));
}

/**
 * The end of a 2FA grace period in words, in the reader's language: the end of its last day
 * (a date set in the console ends at midnight UTC), or the moment the API set.
 */
export function graceEndText(t: Messages, locale: Locale, until: number): string {
  return until % DAY_MS === 0
    ? t.twoFactor.endOfDay(formatDate(locale, until - 1))
    : formatDateTime(locale, until);
}

/** A day in few characters ("6 Dec 2026"), for a column of a table (UTC). */
export function formatShortDate(locale: Locale, ms: number): string {
  return shortDateFormat(locale).format(new Date(ms));
}

/** A fraction as a whole percentage, in the given language. */
export function formatPercent(locale: Locale, fraction: number): string {
  return percentFormat(locale).format(fraction);
}
