/**
 * The audio track of a served path, beside its video (RtspMount): the gateway stream's audio
 * track (lib/gateway/audio-track.ts) fanned out to every RTSP output that set it up, under one
 * SSRC and one numbering, with its own sender reports. Those carry the NTP<->RTP mapping of
 * the same egress clock as the video's, so clients (ffmpeg, GStreamer, camwire) align the two.
 * Audio has no keyframes: an output starts on the next packet. NACKs for audio are not
 * answered (a late audio frame is worth nothing, as cameras do).
 */
import type { Clock } from '../../clock.js';
import { setRtpPayloadType, setRtpSsrc } from '../../rtp/packet.js';
import type { Stream } from '../../gateway/stream.js';
import type { AudioTrack } from '../../gateway/audio-track.js';
import type { OutputHost } from './outputs.js';
import { SharedPacketCopy } from './packet-copy.js';
import { buildSenderReport } from './rtcp.js';

/** What DESCRIBE says about the audio track. */
export interface ServedAudioFacts {
  /** RTP/AVP encoding name of the rtpmap line: PCMU, PCMA. */
  encodingName: string;
  payloadType: number;
  clockRate: number;
  channels: number;
}

export interface MountAudioOptions {
  clock: Clock;
  ssrc: number;
  payloadType: number;
  senderReportIntervalMs: number;
  cname: string;
}

const RTP_FIXED_HEADER = 12;

export class MountAudio implements OutputHost {
  readonly clock: Clock;
  readonly ssrc: number;
  readonly payloadType: number;
  readonly senderReportIntervalMs: number;
  private readonly cname: string;
  private readonly copies = new SharedPacketCopy();

  constructor(private readonly stream: Stream, o: MountAudioOptions) {
    this.clock = o.clock;
    this.ssrc = o.ssrc >>> 0;
    this.payloadType = o.payloadType;
    this.senderReportIntervalMs = o.senderReportIntervalMs;
    this.cname = o.cname;
  }

  private get track(): AudioTrack | undefined {
    return this.stream.audio.track;
  }

  /** RTP-Info of an output: the sequence number of the next packet, its first (no timestamp: not known before it comes). */
  rtpInfo(): { seq?: number } {
    const t = this.track;
    return t ? { seq: t.timeline.nextSeq } : {};
  }

  packetsSent(): number {
    return this.track?.stats().packetsOut ?? 0;
  }

  /** @internal OutputHost */
  copy(packet: Uint8Array, seq: number, ts: number): Uint8Array {
    return this.copies.copy(packet, seq, ts, this.ssrc, this.payloadType);
  }

  /** @internal OutputHost */
  senderReport(egressTsNow: number): Uint8Array {
    const s = this.track?.stats();
    const packets = s?.packetsOut ?? 0;
    return buildSenderReport({
      ssrc: this.ssrc, wallClockMs: this.clock.wallClock(), rtpTimestamp: egressTsNow,
      packetCount: packets >>> 0, octetCount: ((s?.bytesOut ?? 0) - RTP_FIXED_HEADER * packets) >>> 0, cname: this.cname,
    });
  }

  /** @internal OutputHost */
  resendCopy(seq: number, now: number): Uint8Array | undefined {
    const held = this.track?.history.get(seq & 0xffff, now);
    if (!held) return undefined;
    const out = held.slice();
    setRtpSsrc(out, this.ssrc);
    setRtpPayloadType(out, this.payloadType);
    return out;
  }

  /** @internal OutputHost: audio has no keyframes. */
  requestKeyframe(): void {}
}
