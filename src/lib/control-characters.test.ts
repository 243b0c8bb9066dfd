import { describe, expect, it } from 'vitest';
import { isBlank } from './control-characters.js';

describe('isBlank', () => {
  it('finds nothing to see in spaces, format characters and the blanks that are letters or marks', () => {
    for (const value of [
      '',
      '   ',
      '\u200b',
      '\u200c\u200d\u2060\ufeff',
      '\u00ad',
      '\u2066\u2069',
      '\u3164',
      '\u115f\u1160',
      '\uffa0',
      '\u2800',
      '\u034f',
      '\ufe0f',
      '\u180b\u180e\u180f',
      '\u17b4\u17b5',
      '\u{e0100}',
      '\u{e0041}',
      '\u3000\u00a0',
    ]) {
      expect(isBlank(value), JSON.stringify(value)).toBe(true);
    }
  });

  it('sees a real name in any script, with its joiners and marks', () => {
    for (const value of [
      'Ada',
      'Zoë Ünal',
      'שלום',
      'สมชาย',
      'क्षत्रिय',
      'می‌خواهم',
      '👩\u200d💻',
      '❤️',
      '🇳🇱',
      '1️⃣',
      '한국',
      'ᄀ',
      'Ω',
      '.',
    ]) {
      expect(isBlank(value), value).toBe(false);
    }
  });
});
