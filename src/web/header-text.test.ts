import { describe, expect, it } from 'vitest';
import { headerText } from './request-context.js';

/** A header as Node hands it over: its bytes read as Latin-1. */
const asNodeReadsIt = (sent: string) => Buffer.from(sent, 'utf8').toString('latin1');

describe('header text', () => {
  it('reads a UTF-8 User-Agent as the client wrote it, and leaves any other as it came', () => {
    expect(headerText(asNodeReadsIt('Navigateur Élan/1.0 (日本)'))).toBe(
      'Navigateur Élan/1.0 (日本)',
    );
    expect(headerText('Mozilla/5.0 (X11; Linux x86_64)')).toBe('Mozilla/5.0 (X11; Linux x86_64)');
    // Latin-1 that is not UTF-8 stays itself rather than becoming replacement characters.
    expect(headerText('Caf\u00e9 Browser')).toBe('Caf\u00e9 Browser');
  });
});
