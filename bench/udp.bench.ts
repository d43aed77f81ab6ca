/**
 * The I/O floor a gateway cannot beat: receive a 1200-byte RTP packet on a UDP socket and
 * send it on to another, with Node's dgram on loopback. Reported as wall time per forwarded
 * packet (both cores busy: the sender, the kernel and the forwarder share them) and as the
 * forwarder's own CPU time per packet.
 */
import { createSocket, type Socket } from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { quick, summarize, type Benchmark, type BenchResult } from './harness.js';
import { rtpPackets } from './fixtures.js';

function bind(s: Socket): Promise<number> {
  return new Promise((resolve) => s.bind(0, '127.0.0.1', () => resolve((s.address() as AddressInfo).port)));
}

/** Sends `count` packets through a forwarder in windows of `window`; returns ns per forwarded packet. */
async function forwardRun(count: number, window: number): Promise<{ wallNs: number; cpuNs: number; delivered: number }> {
  const sender = createSocket('udp4');
  const forwarder = createSocket('udp4');
  const sink = createSocket('udp4');
  const [, fwdPort, sinkPort] = await Promise.all([bind(sender), bind(forwarder), bind(sink)]);
  const packets = rtpPackets(256);
  let delivered = 0;
  let cpu = 0;
  forwarder.on('message', (msg) => {
    const c0 = process.cpuUsage();
    forwarder.send(msg, sinkPort, '127.0.0.1');
    const c1 = process.cpuUsage(c0);
    cpu += c1.user + c1.system;
  });
  const done = new Promise<void>((resolve) => {
    let windowLeft = 0;
    sink.on('message', () => {
      delivered++;
      if (--windowLeft <= 0 || delivered >= count) next();
    });
    let sent = 0;
    const t = setInterval(() => next(), 50); // loss on loopback is rare but must not stall the run
    function next(): void {
      if (sent >= count) {
        clearInterval(t);
        resolve();
        return;
      }
      windowLeft = Math.min(window, count - sent);
      for (let i = 0; i < windowLeft; i++, sent++) sender.send(packets[sent & 255], fwdPort, '127.0.0.1');
    }
    next();
  });
  const t0 = process.hrtime.bigint();
  await done;
  const wall = Number(process.hrtime.bigint() - t0);
  for (const s of [sender, forwarder, sink]) s.close();
  return { wallNs: wall / count, cpuNs: (cpu * 1000) / count, delivered };
}

export const benchmarks: Benchmark[] = [
  {
    name: 'udp.forward-floor',
    async run(): Promise<BenchResult[]> {
      const count = quick ? 500 : 20_000;
      const runs = quick ? 2 : 7;
      await forwardRun(Math.min(count, 2000), 32); // warm-up
      const wall: number[] = [];
      const cpu: number[] = [];
      for (let r = 0; r < runs; r++) {
        const m = await forwardRun(count, 32);
        wall.push(m.wallNs);
        cpu.push(m.cpuNs);
      }
      const w = summarize(wall);
      return [
        { name: 'udp.forward-floor', unit: 'ns/packet', ...w, note: 'wall time per packet forwarded by Node dgram on loopback (send+recv+send)' },
        { name: 'udp.forward-floor.cpu', unit: 'ns/packet', ...summarize(cpu), note: 'forwarder callback CPU time per packet (send syscall path)' },
      ];
    },
  },
];
