import { describe, expect, it } from 'vitest';
import { LOCALES, messagesFor } from './index.js';

interface Pair {
  where: string;
  visible: string;
  label: (name: string) => string;
}

/**
 * Every `xLabel(name)` beside a visible `x`: the accessible name of a button or link whose
 * text is `x`, naming what it acts on (several such buttons share a page).
 */
function labelledPairs(node: unknown, where = ''): Pair[] {
  if (typeof node !== 'object' || node === null) return [];
  const entries = Object.entries(node as Record<string, unknown>);
  const pairs: Pair[] = [];
  for (const [key, value] of entries) {
    const visible = (node as Record<string, unknown>)[key.replace(/Label$/, '')];
    if (key.endsWith('Label') && typeof value === 'function' && typeof visible === 'string') {
      pairs.push({ where: `${where}${key}`, visible, label: value as (name: string) => string });
    }
    pairs.push(...labelledPairs(value, `${where}${key}.`));
  }
  return pairs;
}

describe('accessible names of buttons and links that name what they act on', () => {
  it.each(LOCALES)('start with the visible text (WCAG 2.5.3 Label in Name) in %s', (locale) => {
    const pairs = labelledPairs(messagesFor(locale));
    // The email addresses, security keys, sessions, devices, groups, API keys and articles.
    expect(pairs.length).toBeGreaterThanOrEqual(10);
    for (const { where, visible, label } of pairs) {
      const name = label('ada@example.com');
      // Spoken first, as voice control users say it ("click Remove").
      expect(name.toLowerCase().startsWith(visible.toLowerCase()), `${where}: ${name}`).toBe(true);
      expect(name, where).toContain('ada@example.com');
    }
  });
});

describe('messages that tell which button to press', () => {
  it.each(LOCALES)('name it as it reads in %s', (locale) => {
    const { profile } = messagesFor(locale);
    for (const message of [
      profile.addedNotSent('a@example.com'),
      profile.addedLinkLater('a@example.com', 5),
    ])
      expect(message).toContain(profile.resend);
  });
});
