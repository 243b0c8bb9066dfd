/**
 * The audit log names every event in the reader's language. An event recorded without a
 * label shows its raw code ("kb.article_created") to administrators, in both languages: this
 * happened for every knowledge-base event once. The test collects the event types from the
 * code itself, so a new event cannot be added without its English and Dutch names.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AUDIT_EVENT_TYPES } from '../audit/audit.js';
import { messagesFor } from './index.js';

const SRC = join(import.meta.dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts') ? [path] : [];
  });
}

/** The event types `audit.record` takes, and nothing else. */
function declaredEventTypes(): string[] {
  return [...AUDIT_EVENT_TYPES];
}

/** Event names written as `event: '…'` anywhere in the code (a check on the union above). */
function recordedEventTypes(): string[] {
  return sourceFiles(SRC).flatMap((file) =>
    [...readFileSync(file, 'utf8').matchAll(/\bevent:\s*'([a-z_]+(?:\.[a-z_]+)?)'/g)].map(
      (m) => m[1] ?? '',
    ),
  );
}

describe('audit event labels', () => {
  const declared = declaredEventTypes();

  it('finds the event types the code records', () => {
    expect(declared.length).toBeGreaterThan(40);
    expect(declared).toContain('kb.article_created');
    expect(declared).toEqual(expect.arrayContaining([...new Set(recordedEventTypes())]));
  });

  it.each(['en', 'nl'] as const)('names every recorded event type in %s', (locale) => {
    const labels: Record<string, string | undefined> = messagesFor(locale).admin.events;
    const missing = declared.filter((event) => !labels[event]?.trim());
    expect(missing).toEqual([]);
  });

  it('gives no two event types the same name in one language', () => {
    for (const locale of ['en', 'nl'] as const) {
      const labels: Record<string, string | undefined> = messagesFor(locale).admin.events;
      const names = declared.map((event) => labels[event]);
      const repeated = names.filter((name, i) => names.indexOf(name) !== i);
      expect(repeated, locale).toEqual([]);
    }
  });
});
