import fs from 'node:fs';
import path from 'node:path';

/**
 * Makes a directory and the missing folders above it, as `mkdir -p` does. Node's own
 * `mkdir(…, { recursive: true })` never returns where the kernel answers ENOENT under a folder
 * that exists (anywhere in /proc): it makes the parent again, forever, at full CPU. Here each
 * missing folder is made once, top down, and the first refusal is thrown.
 */
export function makeDirectories(dir: string, mode = 0o777): void {
  const missing: string[] = [];
  for (let at = path.resolve(dir); !fs.existsSync(at); at = path.dirname(at)) {
    missing.push(at);
    if (path.dirname(at) === at) break;
  }
  for (const at of missing.reverse()) {
    try {
      fs.mkdirSync(at, { mode });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
}
