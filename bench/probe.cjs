// @ts-check
'use strict';
/**
 * Event-loop probe for the benchmark. The benchmark preloads this file into the server it
 * measures (`node --require ./bench/probe.cjs bin/portico.cjs serve`) and talks to it over the
 * IPC channel it opened; a normal start never loads it, so the server itself has no such
 * endpoint. bin/portico.cjs leaves the thread pool alone after a preload it does not know, so
 * the benchmark sets the size the launcher gives `npm start` itself (withLauncherThreadPool).
 *
 * The lag is how late a 10 ms timer fires, recorded only while a measured slice runs
 * (probe:slice-start … probe:slice-end), so the pauses between slices do not water it down.
 *
 * With BENCH_CPU_PROF set, the benchmark also asks for a CPU profile of each scenario
 * (probe:profile-start, then probe:profile-stop with the file to write).
 */
const fs = require('node:fs');
const { Session } = require('node:inspector');
const { createHistogram, performance } = require('node:perf_hooks');
const process = require('node:process');
const { setTimeout } = require('node:timers');

const INTERVAL_MS = 10;

if (typeof process.send === 'function') {
  const send = process.send.bind(process);
  const histogram = createHistogram();
  let recording = false;
  let expected = performance.now() + INTERVAL_MS;
  const tick = () => {
    const now = performance.now();
    if (recording) histogram.record(Math.max(1, Math.round((now - expected) * 1e6)));
    expected = now + INTERVAL_MS;
    setTimeout(tick, INTERVAL_MS).unref();
  };
  setTimeout(tick, INTERVAL_MS).unref();

  /** @type {Session | null} */
  let profiler = null;
  /**
   * @param {string} method
   * @param {object} [params]
   * @returns {Promise<any>} whatever the inspector answers (a profile for Profiler.stop)
   */
  const post = (method, params = {}) =>
    new Promise((resolve, reject) =>
      profiler?.post(method, params, (error, result) => (error ? reject(error) : resolve(result))),
    );
  const ms = (/** @type {number} */ nanoseconds) => nanoseconds / 1e6;

  process.on('message', (message) => {
    const { type, file } = /** @type {{ type?: unknown, file?: unknown }} */ (message ?? {});
    if (type === 'probe:profile-start') {
      profiler = new Session();
      profiler.connect();
      void post('Profiler.enable')
        .then(() => post('Profiler.setSamplingInterval', { interval: 200 }))
        .then(() => post('Profiler.start'))
        .then(() => send({ type }));
      return;
    }
    if (type === 'probe:profile-stop' && typeof file === 'string') {
      void post('Profiler.stop').then((/** @type {{ profile: unknown }} */ result) => {
        fs.writeFileSync(file, JSON.stringify(result.profile));
        profiler?.disconnect();
        profiler = null;
        send({ type });
      });
      return;
    }
    if (type === 'probe:reset') histogram.reset();
    else if (type === 'probe:slice-start') recording = true;
    else if (type === 'probe:slice-end') recording = false;
    if (type === 'probe:read') {
      const empty = histogram.count === 0;
      send({
        type,
        lag: {
          p50: empty ? 0 : ms(histogram.percentile(50)),
          p99: empty ? 0 : ms(histogram.percentile(99)),
          max: empty ? 0 : ms(histogram.max),
          mean: empty ? 0 : ms(histogram.mean),
        },
      });
    } else {
      send({ type });
    }
  });
  // The channel must not keep a server alive that was asked to stop.
  process.channel?.unref();
}
