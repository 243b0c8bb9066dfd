import { describe, expect, it } from 'vitest';
import { isPlainEmail, isValidEmail, normalizeEmail } from './users.js';

describe('isPlainEmail, for an address added to an account', () => {
  it('takes ordinary addresses, letters of any script included', () => {
    for (const email of ['kim@example.com', 'Kim.Lee+help@mail.example.org', 'zoë@exämple.de']) {
      expect(isValidEmail(email) && isPlainEmail(email), email).toBe(true);
    }
  });

  it('refuses an address that Unicode writes otherwise, or that hides a character', () => {
    for (const email of [
      '\u212aim@example.com', // Kelvin sign: lower-cased, it is kim@
      '\uff4b\uff49\uff4d@example.com', // fullwidth kim
      'ki\u200bm@example.com', // zero-width space
      'kim@exa\u00admple.com', // soft hyphen
      '\u202ekim@example.com', // bidi override
      'kim\u0007@example.com',
      'zoe\u0308@example.com', // e and a combining diaeresis: ë as two characters
    ]) {
      expect(isPlainEmail(email), JSON.stringify(email)).toBe(false);
      // Still an address to look an account up by.
      expect(isValidEmail(email), JSON.stringify(email)).toBe(true);
    }
  });
});

describe('isValidEmail', () => {
  it('refuses what is not an address at all', () => {
    for (const email of ['kim', 'kim@example', '@example.com', 'k m@example.com', 'a@b@c.com']) {
      expect(isValidEmail(email), email).toBe(false);
    }
    expect(isValidEmail(`${'k'.repeat(250)}@example.com`)).toBe(false);
  });
});

describe('normalizeEmail', () => {
  it('trims and lower-cases, so one mailbox has one account whatever the case typed', () => {
    expect(normalizeEmail('  Kim.Lee@Example.COM ')).toBe('kim.lee@example.com');
  });
});
