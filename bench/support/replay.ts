/** Replays a camera trace pass after pass, with sequence numbers and timestamps continuing. */
import { performance } from 'node:perf_hooks';
import { setRtpSequenceNumber, setRtpTimestamp } from '../../lib/rtp/packet.js';
import { TS_STEP, FPS, type CameraTrace } from '../stream1080p.js';

export interface Feeder {
  push(buf: Uint8Array, now: number): void;
}

export class Replay {
  private seq: number;
  private ts: number;
  private t = 0;
  readonly arrival: Float64Array;

  constructor(readonly trace: CameraTrace) {
    this.seq = (trace.packets[0][2] << 8) | trace.packets[0][3];
    this.ts = 123456;
    this.arrival = new Float64Array(trace.packets.length);
    for (let f = 0; f < trace.frames; f++) {
      for (let i = trace.frameStart[f]; i < trace.frameStart[f + 1]; i++) this.arrival[i] = (f * 1000) / FPS + (i - trace.frameStart[f]) * 0.01;
    }
  }

  /** Restamps the trace for its next pass (not timed). */
  restamp(): void {
    const tr = this.trace;
    let f = 0;
    for (let i = 0; i < tr.packets.length; i++) {
      while (i >= tr.frameStart[f + 1]) f++;
      setRtpSequenceNumber(tr.packets[i], (this.seq + i) & 0xffff);
      setRtpTimestamp(tr.packets[i], (this.ts + f * TS_STEP) >>> 0);
    }
    this.seq = (this.seq + tr.packets.length) & 0xffff;
    this.ts = (this.ts + tr.frames * TS_STEP) >>> 0;
  }

  /**
   * Feeds one pass; returns the process CPU time it took in ns (CPU, not wall time: the
   * machine is shared, and wall time would count other processes' turns).
   */
  pass(into: Feeder, time: { t: number }): { cpuNs: number; wallNs: number } {
    this.restamp();
    const pk = this.trace.packets;
    const base = this.t;
    const arrival = this.arrival;
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    for (let i = 0; i < pk.length; i++) {
      time.t = base + arrival[i];
      into.push(pk[i], time.t);
    }
    const wallNs = (performance.now() - t0) * 1e6;
    const c = process.cpuUsage(c0);
    this.t += (this.trace.frames * 1000) / FPS;
    return { cpuNs: (c.user + c.system) * 1000, wallNs };
  }
}

