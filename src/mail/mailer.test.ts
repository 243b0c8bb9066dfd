import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createOutboxMailer } from './mailer.js';

/**
 * The dev outbox. Several processes may share one outbox directory (the README's set-up with
 * more than one process), so a mail written by one must never replace another's, even in the
 * same millisecond. The files carry sign-in codes and links: only their owner may read them.
 */
describe('createOutboxMailer', () => {
  let dir: string;
  let outbox: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'portico-outbox-'));
    outbox = path.join(dir, 'outbox');
  });
  afterEach(() => {
    vi.useRealTimers();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const mail = (n: number) => ({
    to: 'ada@example.com',
    subject: `Mail ${n}`,
    text: `Code ${n}`,
    html: `<p>Code ${n}</p>`,
  });

  it('keeps every mail of two processes sharing the directory within one millisecond', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-28T12:00:00.000Z'));
    // Two mailers stand for two processes: each starts its own numbering.
    const first = createOutboxMailer(outbox, 'Portico <no-reply@localhost>', () => {});
    const second = createOutboxMailer(outbox, 'Portico <no-reply@localhost>', () => {});
    await Promise.all([1, 2, 3].map((n) => first.send(mail(n))));
    await Promise.all([4, 5, 6].map((n) => second.send(mail(n))));

    const files = fs.readdirSync(outbox);
    expect(files).toHaveLength(6);
    const subjects = files.map(
      (file) => /^Subject: (.*)$/m.exec(fs.readFileSync(path.join(outbox, file), 'utf8'))?.[1],
    );
    expect(subjects.sort()).toEqual([1, 2, 3, 4, 5, 6].map((n) => `Mail ${n}`));
  });

  it('names files so that they sort by the time they were written', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const mailer = createOutboxMailer(outbox, 'Portico <no-reply@localhost>', () => {});
    for (const [n, time] of ['2026-11-28T09:59:59.999Z', '2026-11-28T10:00:00.000Z'].entries()) {
      vi.setSystemTime(new Date(time));
      await mailer.send(mail(n));
    }
    const [earlier, later] = fs.readdirSync(outbox).sort();
    expect(fs.readFileSync(path.join(outbox, earlier ?? ''), 'utf8')).toContain('Subject: Mail 0');
    expect(fs.readFileSync(path.join(outbox, later ?? ''), 'utf8')).toContain('Subject: Mail 1');
  });

  it('makes the directory readable by its owner only, and each mail too', async () => {
    const mailer = createOutboxMailer(outbox, 'Portico <no-reply@localhost>', () => {});
    await mailer.send(mail(1));
    expect(fs.statSync(outbox).mode & 0o777).toBe(0o700);
    const [file] = fs.readdirSync(outbox);
    expect(fs.statSync(path.join(outbox, file ?? '')).mode & 0o777).toBe(0o600);
  });
});
