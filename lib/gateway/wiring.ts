/**
 * camwire's own modules wired into GatewayDeps (default-deps.ts), and lib/rtsp's client (through
 * the camera leg) as every stream's source.
 */
import { RtspSource } from './rtsp-source.js';
import type { SourceFactory } from './gateway.js';

export { createDeps, defaultDeps, type RecoveryConfig } from './default-deps.js';

/** Each stream's camera through camwire's RTSP client and camera leg. */
export function defaultSourceFactory(): SourceFactory {
  return (_name, cfg) =>
    new RtspSource({
      url: cfg.url,
      transport: cfg.transport,
      client: cfg.rtsp,
      reorder: cfg.cameraReorder,
      nack: cfg.cameraNack,
      audio: cfg.audio,
      ...(cfg.reorderMinWaitMs !== undefined ? { recovery: { reorder: { minWaitMs: cfg.reorderMinWaitMs } } } : {}),
    });
}
