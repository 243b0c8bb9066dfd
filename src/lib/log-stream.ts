import fs from 'node:fs';

/** Where the batched lines go: pino's asynchronous destination, or anything that writes. */
export interface LineSink {
  write(chunk: string): unknown;
}

export interface BatchedLines {
  write(line: string): void;
  /** Hands every line collected so far to the sink now. */
  flush(): void;
  /** Writes the collected lines straight to `fd`, synchronously: for the moment the process exits. */
  flushSync(): void;
  /** Flushes and stops: later lines go to the sink at once. */
  close(): void;
}

export interface BatchOptions {
  /** The longest a line waits before it is written. */
  delayMs: number;
  /** Collected lines are written at once when they reach this many characters. */
  maxChars: number;
  /** The descriptor the sink writes to, for the synchronous flush at exit. */
  fd?: number;
  /** Registers the flush at process exit; tests leave it off. */
  flushAtExit?: boolean;
}

/**
 * Collects log lines for a short time and hands them to the sink as one chunk. The request log
 * writes a line per answer; writing each on its own costs a system call and a trip through
 * libuv's thread pool per request, a measurable share of a page and of a sign-in
 * (docs/performance.md). A line waits at most `delayMs` (or until `maxChars` have gathered), and
 * the lines still waiting when the process exits are written synchronously then.
 */
export function batchLines(sink: LineSink, options: BatchOptions): BatchedLines {
  let pending: string[] = [];
  let chars = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;

  const take = () => {
    const chunk = pending.join('');
    pending = [];
    chars = 0;
    return chunk;
  };
  const flush = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.length > 0) sink.write(take());
  };
  const flushSync = () => {
    if (timer) clearTimeout(timer);
    timer = undefined;
    if (pending.length > 0) fs.writeSync(options.fd ?? 1, take());
  };
  if (options.flushAtExit) process.once('exit', flushSync);

  return {
    write(line) {
      if (closed) {
        sink.write(line);
        return;
      }
      pending.push(line);
      chars += line.length;
      if (chars >= options.maxChars) flush();
      else if (!timer) {
        timer = setTimeout(flush, options.delayMs);
        timer.unref();
      }
    },
    flush,
    flushSync,
    close() {
      flush();
      closed = true;
      if (options.flushAtExit) process.off('exit', flushSync);
    },
  };
}
