/**
 * Turns a lab Strategy into gateway settings. What the gateway config offers is used as is
 * (`rtx`); what it does not offer yet is applied here by wrapping the gateway's injected parts,
 * kept apart from lib/gateway so the gateway stays free of lab code:
 * - recovery `none`: the shared history answers nothing, so NACKs go unanswered (the study's server);
 * - pli `ignore`: the keyframe gate never lets a request through to the camera;
 * - retransmitCopies: each retransmission is sent again a few ms later (a sender experiment).
 */
import type { EgressHistory, GatewayDeps, KeyframeGate } from '../gateway/deps.js';
import type { StreamConfig } from '../gateway/gateway.js';
import type { PeerHandlers, PeerMediaParams, WebRtcPeer, WebRtcTransport } from '../gateway/transport.js';
import type { Strategy } from './scenario.js';
import { WireCounter } from './wire-counter.js';

/**
 * Stream settings for `s`. `rtx` is the gateway's own option; `recovery`, `pli` and `reorder`
 * are the switches the lab asks the gateway for (ignored by a gateway that lacks them; the
 * wrappers below apply the first two either way).
 */
export function strategyStreamConfig(s: Strategy): Partial<StreamConfig> & Record<string, unknown> {
  return { rtx: s.recovery === 'nack+rtx', recovery: s.recovery, pli: s.pli, reorder: s.reorder };
}

const NO_HISTORY: EgressHistory = { put: () => undefined, get: () => undefined };
const CLOSED_GATE: KeyframeGate = { allow: () => false };

export function strategyDeps(base: GatewayDeps, s: Strategy): GatewayDeps {
  return {
    ...base,
    history: s.recovery === 'none' ? () => NO_HISTORY : base.history,
    keyframeGate: s.pli === 'ignore' ? () => CLOSED_GATE : base.keyframeGate,
  };
}

const COPY_DELAY_MS = 3;

/** Sends every retransmission `copies` more times, COPY_DELAY_MS apart (so a burst does not take them all). */
export function strategyTransport(base: WebRtcTransport, s: Strategy): WebRtcTransport {
  const copies = s.retransmitCopies ?? 0;
  if (copies <= 0) return base;
  return {
    get peerCount() { return base.peerCount; },
    cleanup: () => base.cleanup(),
    async createPeer(offer: string, media: PeerMediaParams, handlers: PeerHandlers): Promise<WebRtcPeer> {
      const peer = await base.createPeer(offer, media, handlers);
      const wire = new WireCounter();
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
          if (ok && wire.media(packet).cls === 'repair') {
            const copy = Uint8Array.from(packet);
            for (let i = 1; i <= copies; i++) setTimeout(() => { if (peer.isOpen) peer.sendRtp(copy); }, COPY_DELAY_MS * i);
          }
          return ok;
        },
      };
    },
  };
}
