/**
 * camwire's own modules wired into GatewayDeps: lib/recovery (retransmission history, resend
 * limiter, keyframe policy, RTX), lib/rtcp (through the adapter), lib/sdp (negotiation) and
 * lib/h264 and lib/h265 (the egress packetizers). Apart from wiring.ts (which adds the camera source) so the
 * RTSP server can build streams without loading the RTSP client it is imported by.
 */
import { buildRtx, KeyframePolicy, ResendLimiter, RetransmissionHistory, type RetransmissionHistoryOptions } from '../recovery/index.js';
import { DEFAULT_MTU } from '../h264/index.js';
import { CodecPacketizer } from './codec-packetizer.js';
import { systemClock, type GatewayDeps } from './deps.js';
import { negotiateOffer } from './negotiate.js';
import { gatewayRtcp } from './rtcp-adapter.js';
import { createAacToOpusTranscoder } from '../audio/aac-to-opus.js';

export interface RecoveryConfig {
  /** Retransmission history per stream (defaults: 1000 ms, 1024 packets, 1500-byte packets). */
  history?: RetransmissionHistoryOptions;
  /** Upstream keyframe requests at most this often, ms (default 1000). */
  keyframeRequestIntervalMs?: number;
  /** Resend suppression table per viewer, packets (default 1024). */
  resendMemory?: number;
}

/** `egressMtu`: largest RTP packet sent to browsers, header included (default 1200). */
export function createDeps(recovery: RecoveryConfig = {}, overrides: Partial<GatewayDeps> = {}, egressMtu = DEFAULT_MTU): GatewayDeps {
  return {
    packetizer: () => new CodecPacketizer(egressMtu),
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

/** With the AAC -> Opus transcoder (an ffmpeg child process per AAC stream, started on first use). */
export function defaultDeps(recovery: RecoveryConfig = {}, egressMtu = DEFAULT_MTU): GatewayDeps {
  return createDeps(recovery, { audioTranscoder: createAacToOpusTranscoder }, egressMtu);
}
