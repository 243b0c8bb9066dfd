import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/**
 * A new password an attacker would find within this many guesses is refused: the passwords
 * people use most and their usual variants (`Password123!`, `Welcome2024!`, `P@ssw0rd2026`),
 * keyboard rows, repeats, sequences and dates, by zxcvbn's estimate. It is zxcvbn's own line
 * between "somewhat guessable" and "safely unguessable" (its score 3). NIST SP 800-63B 5.1.1.2
 * requires new passwords to be compared against such values; it also forbids composition rules,
 * so nothing else is asked of a password than its length and this.
 */
export const GUESSES_FLOOR = 100_000_000;
/**
 * Only this much of a password is estimated, and at most this many of its characters are read
 * as letter swaps (`@` for `a`): the estimate's work grows with both, and so a password costs
 * the worker at most about 20 ms, as much as hashing it.
 */
export const SCREENED_LENGTH = 100;
const LEET_SUBSTITUTIONS = 10;
/** The worker, with its word lists (about 35 MB), stops after this long without a password. */
export const SCREEN_IDLE_MS = 60_000;

/** Why a password was refused; each has its own message. */
export type Weakness =
  'common' | 'repeat' | 'sequence' | 'keyboard' | 'date' | 'personal' | 'guessable';

export interface PasswordScreen {
  /**
   * Resolves to null for a password that may be used, or to why it may not. `personal` holds
   * the words an attacker who targets this person would try first: their name, their address.
   */
  screen(password: string, personal: readonly string[]): Promise<Weakness | null>;
  /** Whether its worker, with the word lists in its memory, is up. */
  running(): boolean;
  close(): Promise<void>;
}

/** zxcvbn's warnings, by the key it gives when no translations are loaded. */
const WEAKNESS_OF_WARNING: Readonly<Record<string, Weakness>> = {
  topTen: 'common',
  topHundred: 'common',
  common: 'common',
  similarToCommon: 'common',
  wordByItself: 'common',
  namesByThemselves: 'common',
  commonNames: 'common',
  pwned: 'common',
  simpleRepeat: 'repeat',
  extendedRepeat: 'repeat',
  sequences: 'sequence',
  straightRow: 'keyboard',
  keyPattern: 'keyboard',
  recentYears: 'date',
  dates: 'date',
  userInputs: 'personal',
};

export function weaknessOf(warning: string | null): Weakness {
  return (warning !== null && WEAKNESS_OF_WARNING[warning]) || 'guessable';
}

/** The words of a name and an address that a targeted guess would use. */
export function personalWords(name: string, email: string, siteName: string): string[] {
  const words = new Set<string>();
  for (const text of [name, email, siteName]) {
    const lower = text.toLowerCase().trim();
    if (lower) words.add(lower);
    for (const part of lower.split(/[^\p{L}\p{N}]+/u)) if (part.length >= 2) words.add(part);
  }
  return [...words];
}

const lettersOf = (text: string) => text.toLowerCase().replace(/[^\p{L}]+/gu, '');

/**
 * Whether the letters of a password are nothing but the person's own words, in any order and
 * number, whatever digits and signs surround them: `GraceHopper1906`, `hopper.grace@example.com`.
 * The estimate alone lets these through (it prices a name as a word of a dictionary), but they
 * are the first guesses of anyone who aims at this person.
 */
export function madeOfPersonalWords(password: string, personal: readonly string[]): boolean {
  const target = lettersOf(password);
  if (target === '') return false;
  const words = [...new Set(personal.map(lettersOf))].filter((word) => word.length >= 2);
  // reachable[i]: the first i letters are a run of personal words.
  const reachable: boolean[] = [true];
  for (let i = 0; i < target.length; i++) {
    if (!reachable[i]) continue;
    for (const word of words) if (target.startsWith(word, i)) reachable[i + word.length] = true;
  }
  return reachable[target.length] === true;
}

interface Request {
  id: number;
  password: string;
  personal: readonly string[];
}
interface Answer {
  id: number;
  guesses: number;
  warning: string | null;
}

/**
 * The worker's program. It is plain JavaScript handed to the worker as text, so the same file
 * serves the built server and the TypeScript sources under test; the packages are resolved here
 * and passed as absolute paths, which holds whatever the working directory.
 */
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const { ZxcvbnFactory } = require(workerData.core);
const common = require(workerData.common);
const zxcvbn = new ZxcvbnFactory({
  dictionary: common.dictionary,
  graphs: common.adjacencyGraphs,
  maxLength: workerData.maxLength,
  l33tMaxSubstitutions: workerData.leetSubstitutions,
});
parentPort.on('message', ({ id, password, personal }) => {
  const result = zxcvbn.check(password, personal);
  parentPort.postMessage({ id, guesses: result.guesses, warning: result.feedback.warning ?? null });
});
`;

/**
 * Estimates on a worker thread, so the milliseconds of CPU an estimate takes never hold up the
 * event loop. The worker starts with the first password and stops when idle; a worker that
 * fails fails the passwords it held, and the next password starts a new one.
 */
export function createPasswordScreen(idleMs = SCREEN_IDLE_MS): PasswordScreen {
  const require = createRequire(import.meta.url);
  const workerData = {
    core: require.resolve('@zxcvbn-ts/core'),
    common: require.resolve('@zxcvbn-ts/language-common'),
    maxLength: SCREENED_LENGTH,
    leetSubstitutions: LEET_SUBSTITUTIONS,
  };
  let worker: Worker | null = null;
  let nextId = 0;
  let idleTimer: NodeJS.Timeout | null = null;
  const pending = new Map<number, { resolve(answer: Answer): void; reject(error: Error): void }>();

  /** While a password waits, the worker keeps the process alive (a CLI awaits its answer). */
  function stopWhenIdle() {
    if (idleTimer) clearTimeout(idleTimer);
    idleTimer = null;
    if (pending.size > 0 || !worker) return;
    const idle = worker;
    idle.unref();
    idleTimer = setTimeout(() => {
      idleTimer = null;
      if (worker === idle && pending.size === 0) {
        worker = null;
        void idle.terminate();
      }
    }, idleMs);
    idleTimer.unref();
  }

  function failAll(running: Worker, error: Error) {
    if (worker !== running) return;
    worker = null;
    for (const waiting of pending.values()) waiting.reject(error);
    pending.clear();
  }

  function started(): Worker {
    if (worker) return worker;
    const running = new Worker(WORKER_SOURCE, { eval: true, workerData });
    running.unref();
    running.on('message', (answer: Answer) => {
      const waiting = pending.get(answer.id);
      pending.delete(answer.id);
      waiting?.resolve(answer);
      stopWhenIdle();
    });
    running.on('error', (error) => failAll(running, error));
    running.on('exit', (code) =>
      failAll(running, new Error(`the password screen stopped (exit code ${code})`)),
    );
    worker = running;
    return running;
  }

  return {
    async screen(password, personal) {
      if (madeOfPersonalWords(password.slice(0, SCREENED_LENGTH), personal)) return 'personal';
      const running = started();
      if (idleTimer) clearTimeout(idleTimer);
      idleTimer = null;
      running.ref();
      const id = nextId++;
      const answer = await new Promise<Answer>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        running.postMessage({ id, password, personal } satisfies Request);
      });
      return answer.guesses < GUESSES_FLOOR ? weaknessOf(answer.warning) : null;
    },
    running: () => worker !== null,
    async close() {
      if (idleTimer) clearTimeout(idleTimer);
      idleTimer = null;
      const running = worker;
      if (!running) return;
      failAll(running, new Error('the password screen was closed'));
      await running.terminate();
    },
  };
}
