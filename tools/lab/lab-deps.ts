/**
 * Turns a lab Strategy into camwire settings. Every recovery choice is a gateway setting
 * (`nack`, `rtx`, `rrtr`, `viewerKeyframeRequests`, `cameraReorder`, `reorderMinWaitMs`, `forwarding`), so
 * the lab measures the gateway users run; the one sender experiment the gateway does not
 * offer (`retransmitCopies`) wraps the transport, kept here so lib/gateway stays free of lab code.
 */
import type { StreamConfig } from '../../lib/gateway/gateway.js';
import type { PeerHandlers, PeerMediaParams, WebRtcPeer, WebRtcTransport } from '../../lib/gateway/transport.js';
import type { Strategy } from './scenario.js';
import { WireCounter } from './wire-counter.js';

export function strategyStreamConfig(s: Strategy): Partial<StreamConfig> {
  return {
    nack: s.recovery !== 'none',
    rtx: s.recovery === 'nack+rtx',
    rrtr: s.rrtr ?? true,
    viewerKeyframeRequests: s.pli === 'ignore' ? 'ignore' : 'forward',
    cameraReorder: s.reorder ? 'on' : 'off',
    ...(s.forwarding !== undefined ? { forwarding: s.forwarding } : {}),
    ...(s.reorderMinWaitMs !== undefined ? { reorderMinWaitMs: s.reorderMinWaitMs } : {}),
  };
}

const COPY_DELAY_MS = 3;

/**
 * The sender experiment around the transport: `retransmitCopies` sends every retransmission
 * that many more times, COPY_DELAY_MS apart (so one burst does not take them all). Also counts
 * the browser's NACKs by the SSRC they name.
 */
export function strategyTransport(base: WebRtcTransport, s: Strategy): WebRtcTransport {
  const copies = s.retransmitCopies ?? 0;
  return {
    get peerCount() { return base.peerCount; },
    cleanup: () => base.cleanup(),
    async createPeer(offer: string, media: PeerMediaParams, handlers: PeerHandlers): Promise<WebRtcPeer> {
      const counters: LabPeerCounters = { copiesSent: 0, nackSeqsForMedia: 0, nackSeqsForRtx: 0, nackSeqsForOther: 0 };
      const onRtcp = (packet: Uint8Array) => {
        countNacks(packet, media, counters);
        handlers.onRtcp(packet);
      };
      const peer = await base.createPeer(offer, media, { ...handlers, onRtcp });
      const wire = new WireCounter();
      labPeerCounters.set(media.ssrc, counters);
      return {
        get answerSdp() { return peer.answerSdp; },
        get media() { return peer.media; },
        get state() { return peer.state; },
        get isOpen() { return peer.isOpen; },
        sendRtcp: (p: Uint8Array) => peer.sendRtcp(p),
        transportStats: () => peer.transportStats(),
        selectedPath: () => peer.selectedPath?.(),
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
