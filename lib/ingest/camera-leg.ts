/**
 * The camera leg of one H.264 or H.265 track: RTP from the RtspClient in arrival order in, whole
 * access units out. On UDP and multicast the packets go through a RecoveringReceiver
 * (jitter, reorder buffer, NACK generator) and the leg sends the NACKs and keyframe
 * requests upstream; on TCP nothing is lost or reordered, so packets go straight to the
 * depacketizer. A new client session (new SSRC, sequence numbers, timestamps) starts over.
 * With `dropIncomplete` (the gateway) only units that decode come out: one that lost packets
 * is dropped, and so is everything after it until the next keyframe, which is requested.
 *
 * Time is injected (`Clock`): one timer at a time, for the receiver's next deadline or a
 * keyframe request `dropIncomplete` wants sent.
 */
import type { RtpPacket } from '../rtp/packet.js';
import type { RtcpPacket } from '../rtcp/index.js';
import { ntpMiddle32FromMs, rttFromReportBlock } from '../rtcp/index.js';
import { RECOVERING_RECEIVER_DEFAULTS, RecoveringReceiver, type RecoveringReceiverOptions } from '../recovery/receiver.js';
import { REORDER_BUFFER_DEFAULTS, type ReorderSink } from '../recovery/reorder-buffer.js';
import { NACK_GENERATOR_DEFAULTS, NackGenerator, type NackGeneratorOptions } from '../recovery/nack-generator.js';
import { DEPACKETIZER_DEFAULTS, H264Depacketizer, type AccessUnit, type DepacketizerOptions } from '../h264/index.js';
import { H265Depacketizer } from '../h265/depacketizer.js';
import type { RtspSessionInfo, RtspTrack, RtspTransportMode } from '../rtsp/client/types.js';
import type { TimerHandle, Clock } from '../clock.js';
import { ArrivalClassifier, type CameraLegObserver } from './leg-observer.js';

/** The way back to the camera; RtspClient has these methods (see `attachCameraLeg`). */
export interface CameraLegUpstream {
  /** Generic NACK (RFC 4585) for these RTP sequence numbers on `track`; false if it could not be sent. */
  sendNack(track: number, seqs: readonly number[]): boolean;
  /** PLI on `track`. */
  requestKeyframe(track: number): boolean;
}

export interface CameraLegOptions {
  clock: Clock;
  upstream: CameraLegUpstream;
  onAccessUnit(au: AccessUnit): void;
  /**
   * Every packet as it is passed on to the depacketizer (in sequence order after the reorder
   * buffer), for packet forwarding; the payload is a view read until the next packet.
   */
  onPacket?(p: RtpPacket): void;
  /**
   * Reorder buffer: true (default) on UDP and multicast; 'always' on TCP-interleaved too (the
   * gateway's `cameraReorder: 'on'`; NACKs still never go over TCP); false never (`--no-reorder`).
   */
  reorder?: boolean | 'always';
  /** NACKs on UDP unicast (not multicast: one request would fan out to every receiver). Default true. */
  nack?: boolean;
  /** Also NACK on multicast (the sender then resends to the group). Default false. */
  nackOnMulticast?: boolean;
  /** Tuning of the reorder buffer, NACK generator and hold time. */
  recovery?: Omit<RecoveringReceiverOptions, 'nack' | 'clockRate'> & { nack?: NackGeneratorOptions };
  /** Depacketizer options other than the parameter sets and first sequence number (taken from the session). */
  depacketizer?: Omit<DepacketizerOptions, 'parameterSets' | 'firstSequenceNumber'>;
  /** SSRC we send RTCP with: report blocks about it give the RTT. Default: any block with an LSR. */
  ourSsrc?: number;
  /**
   * Deliver only access units that decode (the gateway: a broken unit cannot be re-packetized
   * faithfully). A unit that lost packets is dropped, and so is every unit after it until the
   * next keyframe, which is requested (PLI); each session starts that way too, asking for a
   * keyframe since a shared camera encoder may be mid-GOP. Default false: every unit is
   * delivered and its `complete` says whether it is whole (the probe counts both).
   */
  dropIncomplete?: boolean;
  /** A capture's view of the leg's decisions (none: one branch per packet). */
  observer?: CameraLegObserver;
}

/**
 * The leg's own choices, and the recovery and depacketizer defaults it runs with unless told
 * otherwise: the reorder hold between minWaitMs and maxWaitMs, NACK pacing (first request,
 * retries, give-up). `ourSsrc` has none (any report block with an LSR gives the RTT).
 */
export const CAMERA_LEG_DEFAULTS = Object.freeze({
  reorder: true,
  nack: true,
  nackOnMulticast: false,
  dropIncomplete: false,
  recovery: Object.freeze({ recoveryRtts: RECOVERING_RECEIVER_DEFAULTS.recoveryRtts, reorder: REORDER_BUFFER_DEFAULTS, nack: NACK_GENERATOR_DEFAULTS }),
  depacketizer: DEPACKETIZER_DEFAULTS,
} as const satisfies Required<Omit<CameraLegOptions, 'clock' | 'upstream' | 'onAccessUnit' | 'onPacket' | 'ourSsrc' | 'observer'>>);

export interface CameraLegStats {
  sessions: number;
  transport: RtspTransportMode | null;
  reorder: boolean;
  nack: boolean;
  received: number;
  delivered: number;
  /** Never delivered: declared lost by the reorder buffer (or seen missing by the depacketizer without it). */
  lost: number;
  /** Arrived after a NACK asked for them. */
  recovered: number;
  /** Still missing, within their hold time, when the leg stopped: neither lost nor recovered. */
  unresolvedAtStop: number;
  /** Arrived after their loss had been declared (dropped). */
  late: number;
  duplicates: number;
  /** Sequence numbers requested, retries included, and NACK packets sent. */
  nackedSeqs: number;
  nacksSent: number;
  keyframeRequests: number;
  /** RTX packets (RFC 4588) unwrapped into their originals. */
  rtxReceived: number;
  /** Packets of another payload type than the track's or its RTX (dropped). */
  foreign: number;
  /** Latest RTT from the camera's report blocks (ms), or null. */
  rttMs: number | null;
  /** RTT learned from NACK repairs (ms), or null: what times the retries when the camera reports none. */
  learnedRttMs: number | null;
  jitterMs: number;
  holdMs: number;
  /** Access units delivered to `onAccessUnit`, and the keyframes among them. */
  accessUnits: number;
  keyframes: number;
  /** Access units the depacketizer found incomplete (delivered, or dropped with `dropIncomplete`). */
  incompleteAccessUnits: number;
  /** `dropIncomplete`: units dropped for lost packets (incomplete, or following a unit dropped whole). */
  incompleteDropped: number;
  /** `dropIncomplete`: whole units dropped because they depend on a dropped one (until the next keyframe). */
  waitingDropped: number;
}

type Counters = Omit<CameraLegStats, 'transport' | 'reorder' | 'nack' | 'rttMs' | 'learnedRttMs' | 'jitterMs' | 'holdMs'>;

export class CameraLeg implements ReorderSink<RtpPacket> {
  private readonly opts: CameraLegOptions;
  private track: RtspTrack | undefined;
  private transport: RtspTransportMode | null = null;
  private depacketizer: H264Depacketizer | H265Depacketizer | undefined;
  private lastDepacketizer: H264Depacketizer | H265Depacketizer | undefined;
  private receiver: RecoveringReceiver<RtpPacket> | undefined;
  /** NACK without reordering (`reorder: false`): requests still go out, packets pass straight. */
  private bareNack: NackGenerator | undefined;
  private timer: TimerHandle | undefined;
  private timerAt = Infinity;
  private rttMs: number | null = null;
  /** What the current (or last) session used, and its receiver's last jitter and hold time. */
  private reorderOn = false;
  private nackOn = false;
  private lastJitterMs = 0;
  private lastHoldMs = 0;
  private lastLearnedRttMs = -1;
  /** RTX (RFC 4588) payload type paired with the track's (`apt=`), or -1; and the media SSRC seen. */
  private rtxPt = -1;
  private mediaSsrc = 0;
  /** `dropIncomplete`: units are dropped until a keyframe; one is to be requested at the next timer. */
  private waitingForKeyframe = false;
  private keyframeWanted = false;
  /** Totals of earlier sessions, so stats survive a camera restart. */
  private past = zeroCounters();
  private live = zeroCounters();
  private readonly arrival = new ArrivalClassifier();

  constructor(options: CameraLegOptions) {
    this.opts = options;
  }

  /**
   * Starts (or restarts, after a camera restart or reconnection) on `track` of `session`:
   * everything about the previous session's stream is dropped.
   */
  start(session: RtspSessionInfo, track: RtspTrack): void {
    this.stopReceiving();
    this.track = track;
    this.transport = session.transport;
    this.live.sessions++;
    const fmt = track.sdp.formats.find((f) => f.payloadType === track.payloadType);
    const seq = session.rtpInfo.find((r) => r.url === track.control || track.control.endsWith(r.url))?.seq;
    this.depacketizer = fmt?.h265
      ? new H265Depacketizer(this.onUnit, {
        ...this.opts.depacketizer, parameterSets: fmt.h265.parameterSets, donl: fmt.h265.maxDonDiff > 0, firstSequenceNumber: seq,
      })
      : new H264Depacketizer(this.onUnit, {
        ...this.opts.depacketizer, parameterSets: fmt?.h264?.parameterSets ?? [], firstSequenceNumber: seq,
      });
    this.lastDepacketizer = this.depacketizer;
    const rtx = track.sdp.formats.find((f) => /^rtx$/i.test(f.codec ?? '') && f.fmtp.get('apt') === String(track.payloadType));
    this.rtxPt = rtx ? rtx.payloadType : -1;
    this.reorderOn = false;
    this.nackOn = false;
    this.waitingForKeyframe = this.keyframeWanted = this.opts.dropIncomplete ?? CAMERA_LEG_DEFAULTS.dropIncomplete;
    if (this.keyframeWanted) this.schedule(this.opts.clock.now());
    const reorder = this.opts.reorder ?? CAMERA_LEG_DEFAULTS.reorder;
    if (session.transport === 'tcp' && reorder !== 'always') return;
    const nack = this.nackEnabled() ? this.opts.recovery?.nack ?? {} : false;
    this.reorderOn = reorder !== false;
    this.nackOn = nack !== false;
    if (this.reorderOn) {
      this.receiver = new RecoveringReceiver<RtpPacket>(this, { ...this.opts.recovery, clockRate: track.clockRate, nack });
      if (session.controlRttMs !== undefined) this.receiver.setRttFloorMs(session.controlRttMs);
      if (this.rttMs !== null) this.receiver.setRttMs(this.rttMs);
    } else if (nack) {
      this.bareNack = new NackGenerator(nack);
      if (session.controlRttMs !== undefined) this.bareNack.setRttFloorMs(session.controlRttMs);
      if (this.rttMs !== null) this.bareNack.setRttMs(this.rttMs);
    }
  }

  /** The H.264 depacketizer of the current (or, after `stop`, the last) session: parameter sets seen, quirk counters. */
  get h264(): H264Depacketizer | undefined {
    const d = this.depacketizer ?? this.lastDepacketizer;
    return d instanceof H264Depacketizer ? d : undefined;
  }

  /** The same for an H.265 track. */
  get h265(): H265Depacketizer | undefined {
    const d = this.depacketizer ?? this.lastDepacketizer;
    return d instanceof H265Depacketizer ? d : undefined;
  }

  /** One RTP packet of this track, in arrival order. */
  onRtp(p: RtpPacket): void {
    const dep = this.depacketizer;
    if (!dep || !this.track) return;
    let retransmission = false;
    if (p.payloadType !== this.track.payloadType) {
      if (p.payloadType !== this.rtxPt || p.payload.length < 2) {
        this.live.foreign++;
        this.opts.observer?.note({ kind: 'dropped-foreign' });
        return;
      }
      // RTX (GStreamer with a retransmission time): the original sequence number leads the payload.
      this.live.rtxReceived++;
      retransmission = true;
      p = { ...p, payloadType: this.track.payloadType, ssrc: this.mediaSsrc, sequenceNumber: (p.payload[0] << 8) | p.payload[1], payload: p.payload.subarray(2) };
      this.opts.observer?.note({ kind: 'rtx-received', seq: p.sequenceNumber });
    } else {
      this.mediaSsrc = p.ssrc;
    }
    this.live.received++;
    const now = this.opts.clock.now();
    if (this.receiver) {
      const observer = this.opts.observer;
      if (observer) this.arrival.before(this.receiver);
      this.receiver.push(p, p.sequenceNumber, p.timestamp, now, retransmission);
      if (observer) this.arrival.after(this.receiver, observer);
      this.schedule(this.receiver.nextDeadline());
      return;
    }
    if (this.bareNack) {
      this.bareNack.onPacket(p.sequenceNumber, now);
      this.schedule(this.bareNack.nextDeadline());
    }
    this.live.delivered++;
    this.opts.onPacket?.(p);
    dep.push(p);
  }

  /** RTCP from the camera on this track: report blocks about us give the RTT. */
  onRtcp(packets: readonly RtcpPacket[]): void {
    for (const p of packets) {
      if (p.type !== 'sr' && p.type !== 'rr') continue;
      for (const b of p.reports) {
        if (this.opts.ourSsrc !== undefined && b.ssrc !== this.opts.ourSsrc) continue;
        const rtt = rttFromReportBlock(ntpMiddle32FromMs(this.opts.clock.wallClock()), b.lsr, b.dlsr);
        if (rtt === undefined || rtt > 10_000) continue;
        this.setRttMs(rtt);
      }
    }
  }

  /** Round-trip time to the camera (ms), when known from elsewhere. */
  setRttMs(rttMs: number): void {
    if (!(rttMs >= 0 && Number.isFinite(rttMs))) return;
    this.rttMs = rttMs;
    this.receiver?.setRttMs(rttMs);
    this.bareNack?.setRttMs(rttMs);
  }

  /** End of the session: releases what the reorder buffer holds and the frame in progress. */
  stop(): void {
    if (this.receiver) {
      const before = this.receiver.stats().lost;
      this.receiver.flush();
      this.live.unresolvedAtStop += this.receiver.stats().lost - before;
    }
    this.depacketizer?.flush();
    this.stopReceiving();
  }

  stats(): CameraLegStats {
    const s = { ...this.past };
    const l = this.liveCounters();
    for (const k of Object.keys(s) as (keyof Counters)[]) s[k] += l[k];
    const r = this.receiver?.stats();
    const learned = r ? r.learnedRttMs : this.lastLearnedRttMs;
    return {
      ...s,
      transport: this.transport,
      reorder: this.reorderOn,
      nack: this.nackOn,
      rttMs: this.rttMs,
      learnedRttMs: learned >= 0 ? learned : null,
      jitterMs: r?.jitterMs ?? this.lastJitterMs,
      holdMs: r?.holdMs ?? this.lastHoldMs,
    };
  }

  /** @internal ReorderSink */
  onPacket(p: RtpPacket): void {
    this.live.delivered++;
    this.opts.onPacket?.(p);
    this.depacketizer?.push(p);
  }

  /** @internal ReorderSink */
  onLoss(): void {
    this.depacketizer?.markLoss();
  }

  /** @internal ReorderSink: the camera restarted its sequence space within a session. */
  onResync(): void {
    this.depacketizer?.reset();
  }

  private nackEnabled(): boolean {
    if (!(this.opts.nack ?? CAMERA_LEG_DEFAULTS.nack)) return false;
    return this.transport === 'udp' || (this.transport === 'multicast' && (this.opts.nackOnMulticast ?? CAMERA_LEG_DEFAULTS.nackOnMulticast));
  }

  private liveCounters(): Counters {
    const c = { ...this.live };
    const r = this.receiver?.stats();
    const n = this.receiver?.nack?.stats ?? this.bareNack?.stats;
    if (r) {
      c.lost += r.lost - c.unresolvedAtStop;
      c.late += r.late;
      c.duplicates += r.duplicates;
    } else if (this.depacketizer) {
      c.lost += this.depacketizer.stats.lostPackets;
      c.late += this.depacketizer.stats.late;
      c.duplicates += this.depacketizer.stats.duplicates;
    }
    if (n) {
      c.recovered += n.recovered;
      c.nackedSeqs += n.requested;
    }
    return c;
  }

  private stopReceiving(): void {
    if (this.depacketizer) {
      const c = this.liveCounters();
      for (const k of Object.keys(this.past) as (keyof Counters)[]) this.past[k] += c[k];
      this.live = zeroCounters();
    }
    if (this.receiver) {
      const r = this.receiver.stats();
      this.lastJitterMs = r.jitterMs;
      this.lastHoldMs = r.holdMs;
      this.lastLearnedRttMs = r.learnedRttMs;
    }
    this.timer?.cancel();
    this.timer = undefined;
    this.timerAt = Infinity;
    this.receiver = undefined;
    this.bareNack = undefined;
    this.depacketizer = undefined;
  }

  private schedule(at: number): void {
    if (at === Infinity || at >= this.timerAt) return;
    this.timer?.cancel();
    this.timerAt = at;
    this.timer = this.opts.clock.setTimer(at - this.opts.clock.now(), this.onTimer);
  }

  private readonly onTimer = (): void => {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = this.opts.clock.now();
    // Polling may release units that ask for a keyframe: read the wish after it, one PLI for both.
    const req = this.receiver ? this.receiver.poll(now) : this.bareNack?.poll(now);
    const keyframe = (req?.keyframe ?? false) || this.keyframeWanted;
    this.keyframeWanted = false;
    if (this.track) this.request(this.track.index, req ? req.seqs : NO_SEQS, keyframe);
    if (this.receiver) this.schedule(this.receiver.nextDeadline());
    else if (this.bareNack) this.schedule(this.bareNack.nextDeadline());
  };

  private request(track: number, seqs: readonly number[], keyframe: boolean): void {
    const observer = this.opts.observer;
    if (seqs.length > 0 && this.opts.upstream.sendNack(track, seqs)) {
      this.live.nacksSent++;
      observer?.note({ kind: 'nack-sent', first: seqs[0], last: seqs[seqs.length - 1], count: seqs.length });
    }
    if (keyframe && this.opts.upstream.requestKeyframe(track)) {
      this.live.keyframeRequests++;
      observer?.note({ kind: 'pli-own' });
    }
  }

  private readonly onUnit = (au: AccessUnit): void => {
    const c = this.live;
    // Cut off by the stop, not broken: not counted; handed on only to a consumer that takes incomplete units.
    if (au.truncatedAtEnd === true && this.opts.dropIncomplete) return;
    if (!au.complete && au.truncatedAtEnd !== true) c.incompleteAccessUnits++;
    if (this.opts.dropIncomplete) {
      // A complete unit after one the depacketizer dropped whole may reference the dropped one.
      if (!au.complete || (au.discontinuity && !au.keyframe)) {
        c.incompleteDropped++;
        this.dependOnKeyframe();
        return;
      }
      if (this.waitingForKeyframe && !au.keyframe) {
        c.waitingDropped++;
        return;
      }
      this.waitingForKeyframe = false;
      if (au.keyframe) this.keyframeWanted = false;
    }
    c.accessUnits++;
    if (au.keyframe) c.keyframes++;
    this.opts.onAccessUnit(au);
  };

  /** Drops until the next keyframe, asking for one on entering that state. */
  private dependOnKeyframe(): void {
    if (!this.waitingForKeyframe) {
      this.keyframeWanted = true;
      this.schedule(this.opts.clock.now());
    }
    this.waitingForKeyframe = true;
  }
}

const NO_SEQS: readonly number[] = Object.freeze([]);

function zeroCounters(): Counters {
  return {
    sessions: 0, rtxReceived: 0, foreign: 0, received: 0, delivered: 0, lost: 0, recovered: 0, unresolvedAtStop: 0, late: 0, duplicates: 0, nackedSeqs: 0,
    nacksSent: 0, keyframeRequests: 0, accessUnits: 0, incompleteAccessUnits: 0, keyframes: 0, incompleteDropped: 0, waitingDropped: 0,
  };
}

/** The part of RtspClient `attachCameraLeg` uses. */
export interface CameraLegClient extends CameraLegUpstream {
  on(event: 'session', fn: (info: RtspSessionInfo) => void): unknown;
  on(event: 'rtp', fn: (p: RtpPacket, track: RtspTrack) => void): unknown;
  on(event: 'rtcp', fn: (p: RtcpPacket[], track: RtspTrack) => void): unknown;
  off(event: 'session' | 'rtp' | 'rtcp', fn: (...args: never[]) => void): unknown;
  readonly sessionInfo: RtspSessionInfo | undefined;
}

/**
 * Wires a CameraLeg to a client for the track `pick` chooses in each session (default: the
 * first H.264 or H.265 track). Returns the leg and a function that detaches it (and stops the leg).
 */
export function attachCameraLeg(
  client: CameraLegClient,
  options: Omit<CameraLegOptions, 'upstream'>,
  pick: (info: RtspSessionInfo) => RtspTrack | undefined = firstVideoTrack,
): { leg: CameraLeg; detach: () => void } {
  const leg = new CameraLeg({ ...options, upstream: client });
  let index = -1;
  const onSession = (info: RtspSessionInfo): void => {
    const track = pick(info);
    index = track ? track.index : -1;
    if (track) leg.start(info, track);
    else leg.stop();
  };
  const onRtp = (p: RtpPacket, track: RtspTrack): void => {
    if (track.index === index) leg.onRtp(p);
  };
  const onRtcp = (p: RtcpPacket[], track: RtspTrack): void => {
    if (track.index === index) leg.onRtcp(p);
  };
  client.on('session', onSession);
  client.on('rtp', onRtp);
  client.on('rtcp', onRtcp);
  if (client.sessionInfo) onSession(client.sessionInfo);
  return {
    leg,
    detach: () => {
      client.off('session', onSession as never);
      client.off('rtp', onRtp as never);
      client.off('rtcp', onRtcp as never);
      leg.stop();
    },
  };
}

export function firstH264Track(info: RtspSessionInfo): RtspTrack | undefined {
  return info.tracks.find((t) => t.codec?.toUpperCase() === 'H264');
}

/** The first H.264 or H.265 track: the video the gateway can carry. */
export function firstVideoTrack(info: RtspSessionInfo): RtspTrack | undefined {
  return info.tracks.find((t) => /^H26[45]$/i.test(t.codec ?? ''));
}
