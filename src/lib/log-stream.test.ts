import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { batchLines } from './log-stream.js';

/**
 * Log lines are written in batches. What must hold: no line is lost or reordered, none waits
 * longer than the delay, a burst is written before it grows past the size limit, and the lines
 * still waiting when the process exits reach the file.
 */
describe('batchLines', () => {
  let chunks: string[];
  const sink = { write: (chunk: string) => chunks.push(chunk) };

  beforeEach(() => {
    chunks = [];
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('writes the lines that arrive within the delay together, in order, when it ends', () => {
    const lines = batchLines(sink, { delayMs: 100, maxChars: 1000 });
    lines.write('a\n');
    vi.advanceTimersByTime(60);
    lines.write('b\n');
    lines.write('c\n');
    vi.advanceTimersByTime(39);
    expect(chunks).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(chunks).toEqual(['a\nb\nc\n']);

    lines.write('d\n');
    vi.advanceTimersByTime(100);
    expect(chunks).toEqual(['a\nb\nc\n', 'd\n']);
  });

  it('writes at once when the collected lines reach the size limit', () => {
    const lines = batchLines(sink, { delayMs: 100, maxChars: 10 });
    lines.write('12345\n');
    expect(chunks).toEqual([]);
    lines.write('6789\n');
    expect(chunks).toEqual(['12345\n6789\n']);
    vi.advanceTimersByTime(100);
    expect(chunks).toHaveLength(1);
  });

  it('does not keep a timer, and so the process, alive when idle', () => {
    batchLines(sink, { delayMs: 100, maxChars: 1000 }).write('a\n');
    expect(vi.getTimerCount()).toBe(1);
    vi.advanceTimersByTime(100);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('flushes on close and passes later lines straight through', () => {
    const lines = batchLines(sink, { delayMs: 100, maxChars: 1000 });
    lines.write('a\n');
    lines.close();
    expect(chunks).toEqual(['a\n']);
    lines.write('b\n');
    expect(chunks).toEqual(['a\n', 'b\n']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('writes the waiting lines synchronously to the descriptor when the process exits', () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'portico-log-')), 'out.log');
    const fd = fs.openSync(file, 'w');
    const exitListeners = process.listenerCount('exit');
    try {
      const lines = batchLines(sink, { delayMs: 100, maxChars: 1000, fd, flushAtExit: true });
      expect(process.listenerCount('exit')).toBe(exitListeners + 1);
      lines.write('a\n');
      lines.write('b\n');
      lines.flushSync();
      expect(fs.readFileSync(file, 'utf8')).toBe('a\nb\n');
      expect(chunks).toEqual([]);
      expect(vi.getTimerCount()).toBe(0);
      lines.close();
      expect(process.listenerCount('exit')).toBe(exitListeners);
    } finally {
      fs.closeSync(fd);
    }
  });
});
