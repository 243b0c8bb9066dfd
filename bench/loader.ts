/** The orchestrator's side of the load generator (bench/load.ts): one process for the run. */
import type { ChildProcess } from 'node:child_process';
import { spawn } from 'node:child_process';
import type { LoadCommand, LoadMessage, LoadResult, LoadSpec } from './load-spec.js';

export class Loader {
  private constructor(private readonly child: ChildProcess) {}

  static async start(script: string, cwd: string): Promise<Loader> {
    const child = spawn(process.execPath, ['--import', 'tsx', script], {
      cwd,
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const loader = new Loader(child);
    await loader.next('ready');
    return loader;
  }

  private next<T extends LoadMessage['type']>(type: T): Promise<Extract<LoadMessage, { type: T }>> {
    return new Promise((resolve, reject) => {
      const onExit = (code: number | null) =>
        reject(new Error(`the load generator exited (code ${code})`));
      const onMessage = (message: LoadMessage) => {
        this.child.off('exit', onExit);
        this.child.off('message', onMessage);
        if (message.type === 'error') reject(new Error(`load generator: ${message.message}`));
        else if (message.type !== type) reject(new Error(`load generator said ${message.type}`));
        else resolve(message as Extract<LoadMessage, { type: T }>);
      };
      this.child.once('exit', onExit);
      this.child.on('message', onMessage);
    });
  }

  private send(command: LoadCommand): void {
    this.child.send(command);
  }

  /** Loads for `seconds`; what it sees counts towards each series named. */
  async run(spec: LoadSpec, seconds: number, series: string[]): Promise<void> {
    const done = this.next('ran');
    this.send({ type: 'run', spec, seconds, series });
    await done;
  }

  async report(series: string): Promise<LoadResult> {
    const answer = this.next('report');
    this.send({ type: 'report', series });
    return (await answer).result;
  }

  close(): void {
    if (this.child.connected) this.send({ type: 'exit' });
  }
}
