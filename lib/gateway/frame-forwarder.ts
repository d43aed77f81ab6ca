/**
 * Frame forwarding: an access unit goes out once all its packets are in, re-packetized whole
 * to the egress MTU. A keyframe's packets are written straight into the keyframe cache's arena
 * (one allocation per keyframe, not per packet); the others into one scratch buffer, which the
 * history copies and each viewer rewrites in place.
 */
import { MAX_EGRESS_PACKET } from './egress-packet.js';
import { NO_CUT_THROUGH, type CutThroughCounters, type Forwarder, type TrackOutput } from './forwarder.js';
import type { AccessUnit } from './source.js';

export class FrameForwarder implements Forwarder {
  readonly defersStarts = false;
  private readonly scratch = new Uint8Array(MAX_EGRESS_PACKET);

  constructor(private readonly track: TrackOutput) {}

  onAccessUnit(au: AccessUnit): void {
    const t = this.track;
    const now = t.clock.now();
    const ts = t.timeline.unitAt(au.timestamp, now);
    const firstSeq = t.timeline.nextSeq;
    const pz = t.packetizer;
    const cache = t.keyframes;
    pz.start(au.nalus, ts);
    if (au.keyframe) cache.begin(ts, now);
    let sent = 0;
    for (;;) {
      const caching = cache.building;
      const out = caching ? cache.slot() : this.scratch;
      const n = pz.writeNext(out);
      if (n === 0) break;
      const pkt = out.subarray(0, n);
      // Over the cache's bound a keyframe packet is written but not kept: like any other then.
      const kept = caching && cache.commit(pkt);
      t.emit(pkt, ts, au.keyframe && sent === 0, !kept, now);
      sent++;
    }
    cache.finish();
    const keyframe = au.keyframe && sent > 0;
    t.unitSent(keyframe);
    if (keyframe) t.keyframeSent(firstSeq, ts, now);
  }

  /** Frame forwarding takes whole units only. */
  onPacket(): void {}

  restart(): void {}

  cutThroughStats(): CutThroughCounters {
    return NO_CUT_THROUGH;
  }
}
