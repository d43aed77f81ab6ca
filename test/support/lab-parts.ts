/**
 * Stand-ins for camwire parts that are not wired yet, so lab tests run before lib/rtsp's
 * client reaches the gateway: an RTSP source built from camwire's client, reorder buffer and
 * depacketizer (lab-rtsp-source.ts), and lib/h264's packetizer if the deps lack one. Each stand-in is used only while
 * the real part throws NOT_WIRED.
 */
import type { GatewayDeps } from '../../lib/gateway/deps.js';
import { defaultDeps, defaultSourceFactory } from '../../lib/gateway/wiring.js';
import { H264Packetizer } from '../../lib/h264/packetizer.js';
import type { GatewayParts } from '../../lib/lab/run-one.js';
import { labSourceFactory } from '../../lib/lab/run-one.js';

function notWired(f: () => unknown): boolean {
  try {
    f();
    return false;
  } catch (err) {
    return (err as { code?: string }).code === 'NOT_WIRED';
  }
}

/** undefined when camwire's own wiring works (the lab then uses it unchanged). */
export function labStandInParts(cacheDir: string): GatewayParts | undefined {
  const depsMissing = notWired(() => defaultDeps().packetizer());
  const sourceMissing = notWired(() => defaultSourceFactory()('lab', { url: 'rtsp://127.0.0.1/lab' }));
  if (!depsMissing && !sourceMissing) return undefined;
  const parts: GatewayParts = {};
  if (depsMissing) {
    parts.deps = (): GatewayDeps => ({ ...defaultDeps(), packetizer: () => new H264Packetizer({ mtu: 1200 }) });
  }
  if (sourceMissing) {
    parts.sourceFactory = labSourceFactory;
  }
  void cacheDir;
  return parts;
}
