/**
 * GatewayDeps for benchmarks: the gateway's own wiring (`defaultDeps`) once it exists; until
 * then camwire's H.264 packetizer and retransmission history behind the gateway's narrow
 * interfaces, with the gateway's test glue for RTCP, negotiation and the keyframe gate
 * (none of which is on the per-packet path).
 */
import type { GatewayDeps } from '../../lib/gateway/deps.js';
import { defaultDeps } from '../../lib/gateway/wiring.js';
import { H264Packetizer } from '../../lib/h264/packetizer.js';
import { RetransmissionHistory } from '../../lib/recovery/history.js';
import { glueDeps } from '../../test/support/glue/deps.js';

function wired(): GatewayDeps | undefined {
  try {
    return defaultDeps();
  } catch {
    return undefined;
  }
}

/** Which wiring the benchmarks measure (for the JSON lines). */
export const depsSource = wired()
  ? 'lib/gateway/wiring defaultDeps()'
  : 'bench wiring: lib/h264 H264Packetizer + lib/recovery RetransmissionHistory';

export function benchDeps(): GatewayDeps {
  const deps = wired();
  if (deps) return deps;
  const glue = glueDeps();
  return {
    ...glue,
    packetizer: () => {
      const pz = new H264Packetizer({ mtu: 1200 });
      // The gateway's interface takes payloads and writes its own headers.
      return { packetize: (au) => pz.packetize(au.nalus, au.timestamp).map((p) => p.subarray(12)) };
    },
    history: () => {
      const h = new RetransmissionHistory();
      return { put: (_seq, packet, now) => h.store(packet, now), get: (seq, now) => h.get(seq, now) };
    },
  };
}
