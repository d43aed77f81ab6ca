/**
 * A viewer's audio sink when its browser took RED (RFC 2198) for Opus: each packet carries the
 * previous one again before its own, so a lone lost packet costs nothing. The RED payload is
 * made per viewer (its blocks name the viewer's Opus payload type) by lib/audio's RedEncoder,
 * in one reused buffer, then handed to the viewer's TrackSender, which numbers and sends it.
 */
import { RedEncoder, type RedEncoderStats } from '../audio/red.js';
import { RTP_HEADER_SIZE } from '../rtp/packet.js';
import { MAX_EGRESS_PACKET } from './egress-packet.js';
import type { CachedKeyframe } from './keyframe-cache.js';
import type { SinkState, TrackSink } from './track-sink.js';

export class RedSink implements TrackSink {
  private readonly red: RedEncoder;
  private readonly out = new Uint8Array(MAX_EGRESS_PACKET);

  /** `payloadType`: the viewer's Opus payload type, named in every block header. */
  constructor(private readonly inner: TrackSink, payloadType: number) {
    this.red = new RedEncoder({ payloadType, maxPayloadBytes: MAX_EGRESS_PACKET - RTP_HEADER_SIZE });
  }

  get state(): SinkState {
    return this.inner.state;
  }

  get stats(): Readonly<RedEncoderStats> {
    return this.red.stats;
  }

  waitForKeyframe(): void {
    this.inner.waitForKeyframe();
  }

  startFromCache(cache: CachedKeyframe, nextLiveSeq: number, nowEgressTs: number): void {
    this.inner.startFromCache(cache, nextLiveSeq, nowEgressTs);
  }

  sendLive(packet: Uint8Array, egressSeq: number, egressTs: number, keyframeStart: boolean): void {
    if (packet.length + 1 > this.out.length) return; // the primary's header byte would not fit
    // the track's timestamps are the egress ones: block offsets are the same for every viewer
    const payload = this.red.encode(packet.subarray(RTP_HEADER_SIZE), egressTs);
    const out = this.out;
    out.set(packet.subarray(0, RTP_HEADER_SIZE));
    out.set(payload, RTP_HEADER_SIZE);
    this.inner.sendLive(out.subarray(0, RTP_HEADER_SIZE + payload.length), egressSeq, egressTs, keyframeStart, true);
  }

  tick(egressTsNow: number): void {
    this.inner.tick(egressTsNow);
  }

  close(): void {
    this.inner.close();
  }
}
