/**
 * Preloaded into a server under measurement (`node --require bench/harness/loop-monitor.cjs main.js` with
 * LOOP_MONITOR_PORT set; benchmarks and reliability tests only, never the image): the server's longest
 * event-loop iteration, as wall time and as CPU time. A 1 ms interval timer records, between two of its
 * ticks, the wall time and the process CPU time (`process.cpuUsage`) that passed: on a loaded machine the
 * wall time also counts the time the process waited for a core, the CPU time does not, so the longest CPU
 * stretch is the server's own cost (an upper bound: it includes V8's helper threads, e.g. a parallel GC).
 * `GET http://127.0.0.1:$LOOP_MONITOR_PORT/` answers `{"maxWallMs", "maxCpuMs"}` since the previous GET and
 * resets both.
 */
'use strict';
const { createServer } = require('node:http');

const port = Number(process.env.LOOP_MONITOR_PORT);
if (port > 0) {
  const cpuMs = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  };
  let lastWall = performance.now();
  let lastCpu = cpuMs();
  let maxWallMs = 0;
  let maxCpuMs = 0;
  const tick = () => {
    const wall = performance.now();
    const cpu = cpuMs();
    maxWallMs = Math.max(maxWallMs, wall - lastWall);
    maxCpuMs = Math.max(maxCpuMs, cpu - lastCpu);
    lastWall = wall;
    lastCpu = cpu;
  };
  setInterval(tick, 1).unref();
  createServer((_req, res) => {
    tick();
    const body = JSON.stringify({ maxWallMs, maxCpuMs });
    maxWallMs = 0;
    maxCpuMs = 0;
    res.setHeader('content-type', 'application/json');
    res.end(body);
  })
    .listen(port, '127.0.0.1')
    .unref();
}
