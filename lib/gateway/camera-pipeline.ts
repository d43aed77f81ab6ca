/**
 * The camera leg after the RTSP client: RTP packets -> (reorder buffer + NACK generator on
 * UDP/multicast) -> H.264 depacketizer -> complete access units for the Stream. An access
 * unit that lost packets is never forwarded (it cannot be re-packetized faithfully), and
 * neither is anything after it until the next keyframe, which is requested from the camera.
 * Pure: time comes in as `now`; the caller sends the NACK/PLI that `poll` asks for.
 */
import type { RtpPacket } from '../rtp/packet.js';
import { H264Depacketizer, type AccessUnit as H264AccessUnit, type DepacketizerOptions } from '../h264/index.js';
import { RecoveringReceiver, type RecoveringReceiverOptions, type RecoveringReceiverStats } from '../recovery/index.js';
import type { AccessUnit } from './source.js';

export interface CameraPipelineOptions {
  /** Reorder and NACK (UDP, multicast); off for TCP-interleaved, which is ordered and lossless. */
  reorder: boolean;
  /** Options of the reorder buffer / NACK generator (`nack: false` turns requests off). */
  receiver?: RecoveringReceiverOptions;
  depacketizer?: DepacketizerOptions;
}

export interface CameraPipelineStats {
  accessUnits: number;
  keyframes: number;
  /** Access units that lost packets, dropped. */
  incompleteDropped: number;
  /** Complete access units dropped because they depend on a dropped one (until the next keyframe). */
  waitingDropped: number;
  keyframeRequests: number;
  receiver: RecoveringReceiverStats | undefined;
}

export interface UpstreamRequest {
  /** Sequence numbers to NACK now (empty when none). */
  nack: readonly number[];
  /** Send a PLI now. */
  keyframe: boolean;
}

const NOTHING: UpstreamRequest = Object.freeze({ nack: Object.freeze([]) as readonly number[], keyframe: false });

export class CameraPipeline {
  private readonly depacketizer: H264Depacketizer;
  private readonly receiver: RecoveringReceiver<RtpPacket> | undefined;
  private waitingForKeyframe = true;
  /** A session starts by asking for a keyframe: a shared camera encoder may be mid-GOP. */
  private keyframeWanted = true;
  private readonly c = { accessUnits: 0, keyframes: 0, incompleteDropped: 0, waitingDropped: 0, keyframeRequests: 0 };

  constructor(
    private readonly onAccessUnit: (au: AccessUnit) => void,
    opts: CameraPipelineOptions,
  ) {
    this.depacketizer = new H264Depacketizer((au) => this.emit(au), opts.depacketizer);
    if (opts.reorder) {
      const d = this.depacketizer;
      this.receiver = new RecoveringReceiver<RtpPacket>(
        { onPacket: (p) => d.push(p), onLoss: () => d.markLoss(), onResync: () => d.reset() },
        opts.receiver,
      );
    }
  }

  /** SPS/PPS from the SDP (sprop-parameter-sets). */
  setParameterSets(units: readonly Uint8Array[]): void {
    this.depacketizer.setParameterSets(units);
  }

  /** A new RTSP session (camera restart, reconnect): forget sequence state, wait for a keyframe. */
  reset(firstSequenceNumber?: number): void {
    this.receiver?.flush();
    this.depacketizer.reset();
    if (firstSequenceNumber !== undefined) this.depacketizer.expectSequenceNumber(firstSequenceNumber);
    this.waitingForKeyframe = true;
    this.keyframeWanted = true;
  }

  push(pkt: RtpPacket, now: number): void {
    if (this.receiver) this.receiver.push(pkt, pkt.sequenceNumber, pkt.timestamp, now);
    else this.depacketizer.push(pkt);
  }

  /** Round-trip time to the camera from its RTCP, for NACK timing. */
  setRttMs(rttMs: number): void {
    this.receiver?.setRttMs(rttMs);
  }

  /** When `poll` next has work (Infinity when idle). */
  nextDeadline(): number {
    if (this.keyframeWanted) return 0;
    return this.receiver ? this.receiver.nextDeadline() : Infinity;
  }

  /** Releases expired gaps; returns what to ask the camera for now. */
  poll(now: number): UpstreamRequest {
    let nack: readonly number[] = NOTHING.nack;
    let keyframe = false;
    if (this.receiver) {
      const r = this.receiver.poll(now);
      nack = r.seqs;
      keyframe = r.keyframe;
    }
    if (this.keyframeWanted) {
      keyframe = true;
      this.keyframeWanted = false;
    }
    if (keyframe) this.c.keyframeRequests++;
    return nack.length === 0 && !keyframe ? NOTHING : { nack, keyframe };
  }

  stats(): CameraPipelineStats {
    return { ...this.c, receiver: this.receiver?.stats() };
  }

  private emit(au: H264AccessUnit): void {
    if (!au.complete) {
      this.c.incompleteDropped++;
      this.dependOnKeyframe();
      return;
    }
    // The depacketizer dropped an earlier unit whole: this one may reference it.
    if (au.discontinuity && !au.keyframe) {
      this.c.incompleteDropped++;
      this.dependOnKeyframe();
      return;
    }
    if (this.waitingForKeyframe && !au.keyframe) {
      this.c.waitingDropped++;
      return;
    }
    this.waitingForKeyframe = false;
    if (au.keyframe) this.keyframeWanted = false;
    this.c.accessUnits++;
    if (au.keyframe) this.c.keyframes++;
    this.onAccessUnit({ nalus: au.nalus, timestamp: au.timestamp, keyframe: au.keyframe });
  }

  private dependOnKeyframe(): void {
    if (!this.waitingForKeyframe) this.keyframeWanted = true;
    this.waitingForKeyframe = true;
  }
}
