/**
 * Reads a V8 CPU profile (from `node --cpu-prof`, e.g. `BENCH_CPU_PROF=dir npm run bench`) and
 * prints where the time went: self time by function, and self and total time by module
 * (a package in node_modules, a file of Portico, or Node's own internals).
 *
 *   npx tsx bench/cpu-profile.ts dir/CPU.…cpuprofile [top]
 *
 * V8's sampler over-weights native functions called often (better-sqlite3's `all` read as half
 * of a page that spends a fifth in it): for where native time goes, read `perf` as
 * docs/performance.md says (item 17).
 */
import fs from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

function moduleOf(url: string): string {
  if (!url) return '(native / idle / gc)';
  if (url.startsWith('node:')) return 'node internals';
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1] as string;
  const own = /\/(dist|src|bench)\/(.+)$/.exec(url);
  return own ? `${own[1]}/${own[2]}` : url;
}

function main(): void {
  const [file, topRaw] = process.argv.slice(2);
  if (!file) throw new Error('usage: cpu-profile.ts FILE.cpuprofile [top]');
  const top = Number(topRaw ?? 25);
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as Profile;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes)
    for (const child of node.children ?? []) parent.set(child, node.id);

  const selfByNode = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    selfByNode.set(id, (selfByNode.get(id) ?? 0) + delta);
    total += delta;
  });

  const selfByFunction = new Map<string, number>();
  const selfByModule = new Map<string, number>();
  const totalByModule = new Map<string, number>();
  const totalByOwnFunction = new Map<string, number>();
  let idle = 0;
  for (const [id, time] of selfByNode) {
    const node = byId.get(id);
    if (!node) continue;
    const { functionName, url, lineNumber } = node.callFrame;
    const name = `${functionName || '(anonymous)'} ${moduleOf(url)}:${lineNumber + 1}`;
    if (functionName === '(idle)') idle += time;
    selfByFunction.set(name, (selfByFunction.get(name) ?? 0) + time);
    selfByModule.set(moduleOf(url), (selfByModule.get(moduleOf(url)) ?? 0) + time);
    // Total time: every module on the stack gets the sample once.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur);
      if (!frame || frame.callFrame.functionName === '(root)') continue;
      const mod = moduleOf(frame.callFrame.url);
      if (/^(dist|src)\//.test(mod)) {
        const fn = `${frame.callFrame.functionName || '(anonymous)'} ${mod}:${frame.callFrame.lineNumber + 1}`;
        if (!seen.has(fn)) {
          seen.add(fn);
          totalByOwnFunction.set(fn, (totalByOwnFunction.get(fn) ?? 0) + time);
        }
      }
      if (seen.has(mod)) continue;
      seen.add(mod);
      totalByModule.set(mod, (totalByModule.get(mod) ?? 0) + time);
    }
  }

  // Percentages of the time the process was busy: idle time says nothing about the code.
  const busy = Math.max(1, total - idle);
  const pct = (time: number) => `${((100 * time) / busy).toFixed(1).padStart(5)} %`;
  const print = (title: string, map: Map<string, number>) => {
    process.stdout.write(`\n${title}\n`);
    for (const [key, time] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top)) {
      process.stdout.write(`${pct(time)}  ${key}\n`);
    }
  };
  process.stdout.write(
    `${(total / 1e6).toFixed(1)} s sampled, ${(busy / 1e6).toFixed(1)} s busy (percentages of busy)\n`,
  );
  print('self time by function', selfByFunction);
  print('self time by module', selfByModule);
  print('total time by module (on the stack)', totalByModule);
  print("total time by Portico's own functions (on the stack)", totalByOwnFunction);
}

main();
