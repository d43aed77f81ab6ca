/**
 * camwire's own modules wired into GatewayDeps: lib/recovery (retransmission history, resend
 * limiter, keyframe policy, RTX), lib/rtcp (through the adapter), lib/sdp (negotiation).
 * The H.264 packetizer and the RTSP source are wired as lib/h264 and lib/rtsp land.
 */
import { buildRtx, KeyframePolicy, ResendLimiter, RetransmissionHistory, type RetransmissionHistoryOptions } from '../recovery/index.js';
import { systemClock, type GatewayDeps } from './deps.js';
import { GatewayError } from './errors.js';
import type { SourceFactory } from './gateway.js';
import { negotiateOffer } from './negotiate.js';
import { gatewayRtcp } from './rtcp-adapter.js';

export interface RecoveryConfig {
  /** Retransmission history per stream (defaults: 1000 ms, 1024 packets, 1500-byte packets). */
  history?: RetransmissionHistoryOptions;
  /** Upstream keyframe requests at most this often, ms (default 1000). */
  keyframeRequestIntervalMs?: number;
  /** Resend suppression table per viewer, packets (default 1024). */
  resendMemory?: number;
}

export function createDeps(recovery: RecoveryConfig = {}, overrides: Partial<GatewayDeps> = {}): GatewayDeps {
  return {
    packetizer: () => {
      throw new GatewayError('NOT_WIRED', 'the H.264 packetizer is not wired yet: pass a packetizer');
    },
    history: () => {
      const h = new RetransmissionHistory(recovery.history);
      return { put: (_seq, packet, now) => h.store(packet, now), get: (seq, now) => h.get(seq, now) };
    },
    keyframeGate: () => new KeyframePolicy({ minIntervalMs: recovery.keyframeRequestIntervalMs }),
    resendGate: () => new ResendLimiter(recovery.resendMemory),
    rtcp: gatewayRtcp,
    rtx: { build: buildRtx },
    negotiate: negotiateOffer,
    clock: systemClock,
    ...overrides,
  };
}

export function defaultDeps(recovery: RecoveryConfig = {}): GatewayDeps {
  return createDeps(recovery);
}

export function defaultSourceFactory(): SourceFactory {
  return () => {
    throw new GatewayError('NOT_WIRED', 'the RTSP source is not wired yet: pass overrides.sourceFactory');
  };
}
