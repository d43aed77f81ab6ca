/**
 * One viewer of a two-rendition stream behind a virtual bottleneck, on virtual time, through the
 * gateway's own parts: its video TrackSender (media on its SSRC, RTX retransmissions and padding
 * on its RTX SSRC), its TransportCcPeer (the extension, the estimator, the probe hook), its
 * ProbeSender and Auto (autoChooser, with the sound's share). The switch is modelled: the viewer
 * moves to Auto's target at the next keyframe (every second). Feedback every 100 ms, Auto's tick
 * every 250 ms, media paced evenly at the rendition's bitrate, sound in 20 ms packets.
 */
import { Bottleneck, type BottleneckOptions } from './bottleneck.js';
import { VirtualScheduler } from './virtual-clock.js';
import { TransportCcPeer } from '../../lib/gateway/transport-cc-peer.js';
import { TrackSender } from '../../lib/gateway/track-sender.js';
import { ProbeSender } from '../../lib/gateway/probe-sender.js';
import { AudioShare } from '../../lib/gateway/audio-share.js';
import { autoChooser } from '../../lib/gateway/auto-rendition.js';
import { gatewayRtcp } from '../../lib/gateway/rtcp-adapter.js';
import { buildRtx } from '../../lib/recovery/index.js';
import type { PeerMediaParams, WebRtcPeer } from '../../lib/gateway/transport.js';
import type { MediaKind } from '../../lib/gateway/track.js';

export const TOP = 2_600_000;
export const LOW = 420_000;
export const VIDEO_SSRC = 0x11111111;
export const RTX_SSRC = 0x22222222;
const PACKET = 1200;

export interface SimOptions {
  capacityBps: BottleneckOptions['capacityBps'];
  seconds: number;
  seed: number;
  lossRate?: number;
  propagationMs?: number;
  /** The link's token bucket (bytes), none by default. */
  burstBytes?: number;
  /** Padding probes (default); false: the blind trial. */
  probing?: boolean;
  /** The sound's rate (bit/s), 0 for none. */
  audioBps?: number;
  /** NACK this fraction of media packets (answered on the RTX stream, between the probes' padding). */
  nackRate?: number;
  /** Keep every packet's SSRC, sequence number and padding flag (for the numbering property). */
  record?: boolean;
}

export interface WirePacket {
  ssrc: number;
  seq: number;
  paddingOnly: boolean;
}

export interface SimRun {
  /** The rendition sent (0 top, 1 low) and the estimate at the end of each second. */
  on: number[];
  estimate: number[];
  /** The bottleneck's queue drops and the estimator's overuse cuts by the end of each second. */
  drops: number[];
  cuts: number[];
  /** When the viewer changed rendition (ms). */
  switchesAt: number[];
  mediaSent: number;
  wire: WirePacket[];
  link: Bottleneck;
  twcc: TransportCcPeer;
  prober: ProbeSender;
}

class LinkPeer implements WebRtcPeer {
  readonly answerSdp = '';
  readonly state = 'connected' as const;
  readonly isOpen = true;
  readonly wire: WirePacket[] = [];

  constructor(readonly media: PeerMediaParams, private readonly link: Bottleneck, private readonly now: () => number, private readonly record: boolean) {}

  sendRtp(p: Uint8Array, kind?: MediaKind): boolean {
    if (kind === 'audio') {
      this.link.sendUntracked(p.length, this.now());
      return true;
    }
    const headerEnd = 12 + (p[0] & 0x0f) * 4;
    this.link.send((p[headerEnd + 5] << 8) | p[headerEnd + 6], p.length, this.now());
    if (this.record) {
      const padding = (p[0] & 0x20) !== 0 ? p[p.length - 1] : 0;
      this.wire.push({ ssrc: ((p[8] << 24) | (p[9] << 16) | (p[10] << 8) | p[11]) >>> 0, seq: (p[2] << 8) | p[3], paddingOnly: p.length - padding === headerEnd + 8 });
    }
    return true;
  }

  sendRtcp(): boolean {
    return true;
  }
  transportStats() {
    return { bytesSent: 0, bytesReceived: 0, rttMs: undefined };
  }
  close(): void {}
}

export function simulate(o: SimOptions): SimRun {
  const clock = new VirtualScheduler(0);
  const now = () => clock.now();
  const link = new Bottleneck({ capacityBps: o.capacityBps, lossRate: o.lossRate ?? 0, seed: o.seed, propagationMs: o.propagationMs, burstBytes: o.burstBytes });
  const media: PeerMediaParams = { mid: '0', payloadType: 96, fmtp: '', rtxPayloadType: 97, ssrc: VIDEO_SSRC, rtxSsrc: RTX_SSRC, cname: 'sim', streamId: 's', trackId: 't' };
  const peer = new LinkPeer(media, link, now, o.record ?? false);
  const twcc = new TransportCcPeer(peer, 3, now);
  const history = new Map<number, Uint8Array>();
  const sender = new TrackSender({
    peer: twcc, media, rtcp: gatewayRtcp, clock, rtx: { build: buildRtx }, random: () => 0.5,
    history: { put: () => undefined, get: (seq) => history.get(seq) },
  });
  const prober = new ProbeSender(twcc, sender, clock);
  const audio = { packetsSent: 0, octetsSent: 0 };
  const rates = [TOP, LOW];
  const list = rates.map((bps) => ({ bitrateBps: () => bps, live: () => true }));
  const sw = { current: 0, target: 0 };
  const choose = autoChooser(list, {
    bandwidth: twcc, now, audio: new AudioShare(() => audio), ...(o.probing === false ? {} : { prober }),
  }, () => 0);
  const run: SimRun = { on: [], estimate: [], drops: [], cuts: [], switchesAt: [], mediaSent: 0, wire: peer.wire, link, twcc, prober };
  const packet = new Uint8Array(PACKET);
  packet[0] = 0x80;
  const audioPacket = new Uint8Array(Math.max(13, Math.round(((o.audioBps ?? 0) * 0.02) / 8)));
  audioPacket[0] = 0x80;
  let egressSeq = 0;
  let nextSend = 0;
  let nackSeed = o.seed >>> 0;
  sender.waitForKeyframe();
  for (let t = 0; t < o.seconds * 1000; t++) {
    clock.advance(t === 0 ? 0 : 1);
    while (nextSend <= t) {
      history.set(egressSeq & 0xffff, packet.slice());
      sender.sendLive(packet, egressSeq & 0xffff, (t * 90) >>> 0, egressSeq === 0, false);
      egressSeq++;
      run.mediaSent++;
      nextSend += (PACKET * 8 * 1000) / rates[sw.current];
      nackSeed = (nackSeed * 1103515245 + 12345) % 2147483648;
      // A NACK for a packet a few back: the viewer's sequence is the egress one plus its offset.
      if (o.nackRate && egressSeq > 8 && nackSeed / 2147483648 < o.nackRate) sender.onNack([(egressSeq - 4 + 0x8000) & 0xffff]);
    }
    if (o.audioBps && t % 20 === 0) {
      twcc.sendRtp(audioPacket, 'audio');
      audio.packetsSent++;
      audio.octetsSent += audioPacket.length - 12;
    }
    if (t % 100 === 99) {
      const fb = link.feedback(t);
      if (fb) twcc.estimator.onTransportFeedback(fb, t);
    }
    if (t % 250 === 249) sw.target = choose(sw);
    if (t % 1000 === 0 && sw.target !== sw.current) {
      sw.current = sw.target;
      run.switchesAt.push(t);
    }
    if (t % 1000 === 999) {
      run.on.push(sw.current);
      run.estimate.push(twcc.estimator.estimateBps);
      run.drops.push(link.queueDrops);
      run.cuts.push(twcc.estimator.stats().overuseCuts);
    }
  }
  return run;
}
