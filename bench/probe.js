// @ts-check
/**
 * Event-loop probe for the benchmark. The benchmark preloads this file into the server it
 * measures (`node --import ./bench/probe.js dist/main.js serve`) and talks to it over the IPC
 * channel it opened; a normal start never loads it, so the server itself has no such endpoint.
 *
 * monitorEventLoopDelay records the time between timer callbacks, which is the resolution plus
 * the lag; the lag is what is left after subtracting the resolution (as @fastify/under-pressure
 * does).
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import process from 'node:process';

const RESOLUTION_MS = 10;

if (typeof process.send === 'function') {
  const send = process.send.bind(process);
  const histogram = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  histogram.enable();
  /** @param {number} nanoseconds */
  const lagMs = (nanoseconds) => Math.max(0, nanoseconds / 1e6 - RESOLUTION_MS);
  process.on('message', (message) => {
    const type = /** @type {{ type?: unknown } | null} */ (message)?.type;
    if (type === 'probe:reset') {
      histogram.reset();
      send({ type: 'probe:reset' });
    } else if (type === 'probe:read') {
      send({
        type: 'probe:read',
        lag: {
          p50: lagMs(histogram.percentile(50)),
          p99: lagMs(histogram.percentile(99)),
          max: lagMs(histogram.max),
          mean: lagMs(histogram.mean),
        },
      });
    }
  });
  // The channel must not keep a server alive that was asked to stop.
  process.channel?.unref();
}
