/**
 * THROWAWAY test glue until lib/h264 and lib/recovery land: minimal
 * stand-ins for GatewayDeps. Not protocol code anyone should reuse.
 */
import type { GatewayDeps } from '../../../lib/gateway/deps.js';
import { gatewayRtcp } from '../../../lib/gateway/rtcp-adapter.js';
import { negotiateOffer } from '../../../lib/gateway/negotiate.js';
import { glueRtpPayloads } from './packetizer.js';

export function glueDeps(): GatewayDeps {
  return {
    packetizer: () => ({ packetize: (au) => glueRtpPayloads([...au.nalus]) }),
    history: () => {
      const ring = new Map<number, Uint8Array>();
      return {
        put(seq, p) { ring.set(seq, p); if (ring.size > 4096) ring.delete(ring.keys().next().value as number); },
        get: (seq) => ring.get(seq),
      };
    },
    keyframeGate: () => { let last = -Infinity; return { allow(now) { if (now - last < 1000) return false; last = now; return true; } }; },
    rtcp: gatewayRtcp,
    negotiate: negotiateOffer,
    clock: { now: () => performance.now(), wallClock: () => Date.now() },
  };
}
