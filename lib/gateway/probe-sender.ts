/**
 * Sends one viewer's padding probes: a ProbePlan's bytes as padding-only packets on the
 * viewer's RTX stream (TrackSender.writeRtxPadding numbers them in the RTX sequence, never the
 * media's), paced over the plan's duration in `stepMs` turns of the injected clock, between the
 * TransportCcPeer's beginProbe and endProbe so the estimator measures the cluster. One cluster
 * at a time; a plan arriving while one is being sent is dropped.
 */
import type { Clock } from '../clock.js';
import type { ProbePlan } from '../congestion/probe-controller.js';
import type { MediaKind } from './track.js';

export const PROBE_SENDER_DEFAULTS = Object.freeze({
  /** Padding bytes per packet (at most 255: RFC 3550's padding count is one byte; libwebrtc sends 224). */
  paddingPerPacket: 240,
  /** The pacing turn (ms): the clock's timers are about this fine. */
  stepMs: 4,
});

/** Where probes go: the viewer's TransportCcPeer. */
export interface ProbeTarget {
  beginProbe(id: number): void;
  endProbe(): void;
  sendRtp(packet: Uint8Array, kind?: MediaKind): boolean;
}

/** The viewer's video TrackSender, which owns its RTX numbering. */
export interface RtxPadder {
  writeRtxPadding(out: Uint8Array, padding: number): number;
}

export interface ProbeSenderStats {
  clusters: number;
  paddingPackets: number;
  paddingBytes: number;
  sendFailures: number;
}

export class ProbeSender {
  private readonly packet = new Uint8Array(12 + 255);
  /** A view of `packet` per length written (the padding is one size, so one view in practice). */
  private readonly views: (Uint8Array | undefined)[] = [];
  private plan: ProbePlan | undefined;
  private start = 0;
  private sent = 0;
  private readonly s: ProbeSenderStats = { clusters: 0, paddingPackets: 0, paddingBytes: 0, sendFailures: 0 };
  private readonly step = (): void => this.sendDue();

  constructor(
    private readonly target: ProbeTarget,
    private readonly padder: RtxPadder,
    private readonly clock: Clock,
    private readonly o = PROBE_SENDER_DEFAULTS,
  ) {}

  get stats(): Readonly<ProbeSenderStats> {
    return this.s;
  }

  send(plan: ProbePlan): void {
    if (this.plan) return;
    this.plan = plan;
    this.start = this.clock.now();
    this.sent = 0;
    this.s.clusters++;
    this.target.beginProbe(plan.cluster);
    this.sendDue();
  }

  private sendDue(): void {
    const plan = this.plan;
    if (!plan) return;
    const elapsed = this.clock.now() - this.start + this.o.stepMs;
    const due = elapsed >= plan.durationMs ? plan.bytes : (plan.bytes * elapsed) / plan.durationMs;
    while (this.sent < due) {
      const length = this.padder.writeRtxPadding(this.packet, this.o.paddingPerPacket);
      if (length === 0) {
        this.sent = plan.bytes;
        break;
      }
      if (this.target.sendRtp((this.views[length] ??= this.packet.subarray(0, length)), 'video')) {
        this.s.paddingPackets++;
        this.s.paddingBytes += length;
      } else {
        this.s.sendFailures++;
      }
      this.sent += length;
    }
    if (this.sent >= plan.bytes) {
      this.target.endProbe();
      this.plan = undefined;
      return;
    }
    this.clock.setTimer(this.o.stepMs, this.step);
  }
}
