import { describe, expect, it } from 'vitest';
import { slugify } from './editor.js';

describe('slugify', () => {
  it('keeps the letters of accented and other Latin titles', () => {
    expect(slugify('Paying your invoice — ünïcødé')).toBe('paying-your-invoice-unicode');
    expect(slugify('Straße, Œuvre, Ærø, Łódź, Þór')).toBe('strasse-oeuvre-aero-lodz-thor');
    expect(slugify('  Two-factor: what & why?  ')).toBe('two-factor-what-why');
  });

  it('gives nothing for a title without Latin letters or digits, and stays within the limit', () => {
    expect(slugify('二段階認証')).toBe('');
    expect(slugify('a'.repeat(200)).length).toBeLessThanOrEqual(80);
    expect(slugify(`${'a'.repeat(79)} b`)).toBe('a'.repeat(79));
  });
});
