import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DAY_MS, MINUTE_MS } from '../clock.js';
import { openDatabase } from './database.js';
import { startHousekeeping, SWEEP_EVERY_MS } from './housekeeping.js';
import { migrateToLatest } from './migrate.js';

describe('housekeeping timer', () => {
  afterEach(() => vi.useRealTimers());

  it('sweeps a minute after the start and then every quarter of an hour, until stopped', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-sweep-'));
    const database = openDatabase(`sqlite:${path.join(dir, 'portico.db')}`);
    try {
      await migrateToLatest(database.db);
      let now = 10 * DAY_MS;
      const addOldCounter = (key: string) =>
        database.db
          .insertInto('rate_limits')
          .values({ key, window_start: now - 2 * DAY_MS, count: 1, in_a_row: 0 })
          .execute();
      const keys = async () =>
        (await database.db.selectFrom('rate_limits').select('key').execute()).map((r) => r.key);
      const lines: string[] = [];
      const log = {
        info: (details: object, message: string) =>
          lines.push(`${message} ${JSON.stringify(details)}`),
        warn: (_details: object, message: string) => lines.push(`warn ${message}`),
      };
      await addOldCounter('a');
      vi.useFakeTimers();
      const stop = startHousekeeping(database.db, { now: () => now }, 30 * MINUTE_MS, log);
      await vi.advanceTimersByTimeAsync(MINUTE_MS - 1);
      expect(await keys()).toEqual(['a']);
      await vi.advanceTimersByTimeAsync(1);
      await vi.waitFor(async () => expect(await keys()).toEqual([]));
      expect(lines).toEqual(['expired rows removed {"swept":{"rate_limits":1}}']);

      await addOldCounter('b');
      now += SWEEP_EVERY_MS;
      await vi.advanceTimersByTimeAsync(SWEEP_EVERY_MS);
      await vi.waitFor(async () => expect(await keys()).toEqual([]));

      await stop();
      await addOldCounter('c');
      await vi.advanceTimersByTimeAsync(2 * SWEEP_EVERY_MS);
      expect(await keys()).toEqual(['c']);
    } finally {
      vi.useRealTimers();
      await database.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
