/**
 * Turns a lab Strategy into gateway settings. What the gateway config offers is used as is
 * (`nack`, `rtx`); what it does not offer is applied here by wrapping the gateway's injected
 * parts, kept apart from lib/gateway so the gateway stays free of lab code:
 * - pli `ignore`: the keyframe gate never lets a request through to the camera;
 * - retransmitCopies, rrtr: sender experiments around the transport.
 */
import type { GatewayDeps, KeyframeGate } from '../gateway/deps.js';
import type { StreamConfig } from '../gateway/gateway.js';
import type { PeerHandlers, PeerMediaParams, WebRtcPeer, WebRtcTransport } from '../gateway/transport.js';
import type { Strategy } from './scenario.js';
import { WireCounter } from './wire-counter.js';
import { buildDlrr, findRrtr } from './xr-rtt.js';

/**
 * Stream settings for `s` from the gateway's own config: `nack` (answer NACKs at all) and
 * `rtx` (negotiate RTX). The PLI policy and the camera-leg reorder switch are not gateway
 * settings yet: PLI `ignore` is applied by strategyDeps; `reorder` is recorded only.
 */
export function strategyStreamConfig(s: Strategy): Partial<StreamConfig> {
  return { nack: s.recovery !== 'none', rtx: s.recovery === 'nack+rtx' };
}

/** Never lets a keyframe request through: the camera only sends its periodic keyframes. */
const CLOSED_GATE: KeyframeGate = { request: () => false, poll: () => false, onKeyframe: () => undefined };

export function strategyDeps(base: GatewayDeps, s: Strategy): GatewayDeps {
  return { ...base, keyframeGate: s.pli === 'ignore' ? () => CLOSED_GATE : base.keyframeGate };
}

const COPY_DELAY_MS = 3;

/**
 * Sender experiments around the transport: `retransmitCopies` sends every retransmission that
 * many more times, COPY_DELAY_MS apart (so one burst does not take them all); `rrtr` answers
 * the browser's XR RRTR with DLRR so it learns the RTT.
 */
export function strategyTransport(base: WebRtcTransport, s: Strategy): WebRtcTransport {
  const copies = s.retransmitCopies ?? 0;
  return {
    get peerCount() { return base.peerCount; },
    cleanup: () => base.cleanup(),
    async createPeer(offer: string, media: PeerMediaParams, handlers: PeerHandlers): Promise<WebRtcPeer> {
      let self: WebRtcPeer | undefined;
      const counters: LabPeerCounters = { rrtrReceived: 0, dlrrSent: 0, copiesSent: 0, nackSeqsForMedia: 0, nackSeqsForRtx: 0, nackSeqsForOther: 0 };
      const onRtcp = (packet: Uint8Array) => {
        countNacks(packet, media, counters);
        if (s.rrtr && self) {
          for (const r of findRrtr(packet)) {
            counters.rrtrReceived++;
            if (self.sendRtcp(buildDlrr(media.ssrc, r, 0))) counters.dlrrSent++;
          }
        }
        handlers.onRtcp(packet);
      };
      const peer = await base.createPeer(offer, media, { ...handlers, onRtcp });
      const wire = new WireCounter();
      self = peer;
      labPeerCounters.set(media.ssrc, counters);
      return {
        get answerSdp() { return peer.answerSdp; },
        get media() { return peer.media; },
        get state() { return peer.state; },
        get isOpen() { return peer.isOpen; },
        sendRtcp: (p: Uint8Array) => peer.sendRtcp(p),
        transportStats: () => peer.transportStats(),
        close: () => peer.close(),
        sendRtp(packet: Uint8Array): boolean {
          const ok = peer.sendRtp(packet);
          if (ok && copies > 0 && wire.media(packet).cls === 'repair') {
            const copy = Uint8Array.from(packet);
            for (let i = 1; i <= copies; i++) {
              setTimeout(() => { if (peer.isOpen && peer.sendRtp(copy)) counters.copiesSent++; }, COPY_DELAY_MS * i);
            }
          }
          return ok;
        },
      };
    },
  };
}

export interface LabPeerCounters {
  rrtrReceived: number;
  dlrrSent: number;
  copiesSent: number;
  /** Sequence numbers the browser NACKed, by the media SSRC its NACKs named. */
  nackSeqsForMedia: number;
  nackSeqsForRtx: number;
  nackSeqsForOther: number;
}

/** Counters of the lab's transport observations and experiments, by media SSRC (read by the runner). */
export const labPeerCounters = new Map<number, LabPeerCounters>();

/** Counts NACKed sequence numbers (RTPFB FMT 1) per media SSRC named in the NACK. */
function countNacks(buf: Uint8Array, media: PeerMediaParams, c: LabPeerCounters): void {
  let o = 0;
  while (o + 12 <= buf.length) {
    const len = (((buf[o + 2] << 8) | buf[o + 3]) + 1) * 4;
    if (o + len > buf.length) return;
    if (buf[o + 1] === 205 && (buf[o] & 0x1f) === 1) {
      const ssrc = ((buf[o + 8] << 24) | (buf[o + 9] << 16) | (buf[o + 10] << 8) | buf[o + 11]) >>> 0;
      let n = 0;
      for (let i = o + 12; i + 4 <= o + len; i += 4) {
        let blp = (buf[i + 2] << 8) | buf[i + 3];
        n++;
        while (blp) { n += blp & 1; blp >>>= 1; }
      }
      if (ssrc === media.ssrc) c.nackSeqsForMedia += n;
      else if (ssrc === media.rtxSsrc) c.nackSeqsForRtx += n;
      else c.nackSeqsForOther += n;
    }
    o += len;
  }
}
