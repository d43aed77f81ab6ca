/**
 * The lab's own camera source: camwire's RTSP client -> reorder buffer (switchable: the
 * gateway has no such setting) -> H.264 depacketizer, as a gateway VideoSource. Used while the
 * gateway's RTSP source is not wired, and for the `reorder: false` strategies. The hold time
 * follows the RFC 3550 jitter estimate, as the design says; `minWaitMs` overrides its floor.
 * Only complete access units go on (an incomplete one is counted and dropped).
 */
import { performance } from 'node:perf_hooks';
import type { AccessUnit, SourceInfo, SourceSink, VideoSource } from '../gateway/source.js';
import { RtspClient } from '../rtsp/client.js';
import { ReorderBuffer } from '../recovery/reorder-buffer.js';
import { JitterEstimator } from '../recovery/jitter.js';
import { H264Depacketizer } from '../h264/depacketizer.js';
import type { RtpPacket } from '../rtp/packet.js';

export class LabRtspSource implements VideoSource {
  private client: RtspClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly c = { rtpPackets: 0, accessUnits: 0, incompleteDropped: 0, reorderLost: 0, keyframeRequests: 0 };
  private reorder: ReorderBuffer<RtpPacket> | undefined;

  constructor(private readonly url: string, private readonly useReorder: boolean, private readonly minWaitMs?: number) {}

  start(sink: SourceSink): void {
    const depack = new H264Depacketizer((au) => {
      if (!au.complete) {
        this.c.incompleteDropped++;
        return;
      }
      this.c.accessUnits++;
      const out: AccessUnit = { nalus: au.nalus, timestamp: au.timestamp, keyframe: au.keyframe };
      sink.onAccessUnit(out);
    });
    if (this.useReorder) {
      this.reorder = new ReorderBuffer<RtpPacket>({
        onPacket: (p) => depack.push(p),
        onLoss: (_from, n) => { this.c.reorderLost += n; depack.markLoss(); },
        onResync: () => depack.reset(),
      }, this.minWaitMs !== undefined ? { minWaitMs: this.minWaitMs } : {});
      this.timer = setInterval(() => this.reorder?.poll(performance.now()), 5);
    }
    const client = new RtspClient({ url: this.url, transport: 'udp', bindAddress: '127.0.0.1' });
    this.client = client;
    const jitter = new JitterEstimator(90000);
    client.on('rtp', (pkt) => {
      this.c.rtpPackets++;
      const now = performance.now();
      if (this.reorder) {
        // The hold time follows the measured jitter (RFC 3550 estimate), as in the gateway's design.
        jitter.update(pkt.timestamp, now);
        this.reorder.setJitterMs(jitter.jitterMs);
        this.reorder.push(pkt, pkt.sequenceNumber, now);
      } else {
        depack.push(pkt);
      }
    });
    client.on('state', (s) => {
      if (s.state === 'playing') sink.onState('playing');
      else if (s.state === 'reconnecting') sink.onState('reconnecting');
    });
    client.on('error', () => undefined);
    client.start().catch(() => sink.onState('failed'));
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    void this.client?.stop().catch(() => undefined);
    this.client = undefined;
  }

  requestKeyframe(): void {
    this.c.keyframeRequests++;
    this.client?.requestKeyframe(0);
  }

  info(): SourceInfo {
    return { profileLevelId: '42c01f' };
  }

  stats(): Record<string, number | string> {
    return { ...this.c, ...(this.reorder ? Object.fromEntries(Object.entries(this.reorder.stats).map(([k, v]) => [`reorder.${k}`, v])) : {}) };
  }
}
