import { describe, expect, it } from 'vitest';
import {
  formatDate,
  formatDateTime,
  formatEndTime,
  formatPercent,
  formatShortDate,
} from './index.js';

describe('dates and numbers for people', () => {
  const at = Date.UTC(2026, 10, 28, 9, 5);

  it('spells out the date and time in UTC in each language, whichever came first', () => {
    expect(formatDateTime('nl', at)).toBe('28 november 2026 om 09:05 UTC');
    expect(formatDateTime('en', at)).toBe('28 November 2026 at 09:05 UTC');
    expect(formatDateTime('nl', Date.UTC(2027, 0, 1, 23, 59))).toBe('1 januari 2027 om 23:59 UTC');
    expect(formatDateTime('en', Date.UTC(2027, 0, 1, 23, 59))).toBe('1 January 2027 at 23:59 UTC');
  });

  it('writes the end of a lock as the minute after its last second, never one already past', () => {
    expect(formatEndTime('en', Date.UTC(2026, 11, 7, 12, 24, 34))).toBe(
      '7 December 2026 at 12:25 UTC',
    );
    expect(formatEndTime('en', Date.UTC(2026, 11, 7, 12, 25))).toBe('7 December 2026 at 12:25 UTC');
    expect(formatEndTime('nl', Date.UTC(2026, 11, 31, 23, 59, 1))).toBe(
      '1 januari 2027 om 00:00 UTC',
    );
  });

  it('writes a day and a percentage in each language', () => {
    expect(formatDate('en', at)).toBe('28 November 2026');
    expect(formatDate('nl', at)).toBe('28 november 2026');
    expect(formatPercent('en', 0.25)).toBe('25%');
    expect(formatPercent('nl', 0.25)).toBe('25%');
  });

  it('writes a day short enough for a table column', () => {
    expect(formatShortDate('en', at)).toBe('28 Nov 2026');
    expect(formatShortDate('nl', at)).toBe('28 nov 2026');
  });
});
