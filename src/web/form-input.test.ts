import { describe, expect, it } from 'vitest';
import { en } from '../i18n/en.js';
import { filterText, Validator } from './form-input.js';

describe('Validator', () => {
  it('keeps a name in one Unicode form, and checks its length in that form', () => {
    const v = new Validator(en);
    expect(v.required('name', 'Name', '  Chloe\u0308  ', 60)).toBe('Chlo\u00eb');
    expect(v.ok).toBe(true);
    // NFC writes each of these as two characters: 100 typed are 200 stored.
    const long = new Validator(en);
    long.required('name', 'Name', '\u0958'.repeat(100), 100);
    expect(long.errors.name).toBe(en.errors.tooLong('Name', 100));
  });

  it('takes an email address as typed: a mail server may hold either form as a mailbox', () => {
    const v = new Validator(en);
    expect(v.email('email', 'Email address', 'jose\u0301@example.com')).toBe(
      'jose\u0301@example.com',
    );
    expect(v.asTyped('email', 'Email address', ' jose\u0301@example.com ', 254)).toBe(
      'jose\u0301@example.com',
    );
    expect(v.ok).toBe(true);
  });
});

describe('filterText', () => {
  it('reads a search as one line without bidi controls, which would reorder it where it is echoed', () => {
    expect(filterText({ q: 'a\u202eb\r\nc\u0000' }, 'q')).toBe('ab  c');
    expect(filterText({ q: ['a', 'b'] }, 'q')).toBe('');
  });
});
