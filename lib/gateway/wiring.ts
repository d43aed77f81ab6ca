/**
 * camwire's own modules wired into GatewayDeps (default-deps.ts), and lib/rtsp's client (through
 * the camera leg) as every stream's source.
 */
import { RtspSource } from './rtsp-source.js';
import type { SourceFactory } from './gateway.js';
import type { Logger } from '../log/logger.js';

export { createDeps, defaultDeps, type RecoveryConfig } from './default-deps.js';

/**
 * Each stream's camera through camwire's RTSP client and camera leg. A stream that skips TLS
 * verification is named in the log once, when its source is first made.
 */
export function defaultSourceFactory(log?: Logger): SourceFactory {
  const warned = new Set<string>();
  return (name, cfg, capture) => {
    if (cfg.rtsp?.tls?.insecure === true && /^rtsps:/i.test(cfg.url) && !warned.has(name)) {
      warned.add(name);
      log?.warn('source.tls-insecure', { stream: name, reason: 'rtsp.tls.insecure is set: the camera\'s certificate is not verified (encrypted, but to whoever answers)' });
    }
    return new RtspSource({
      name,
      log,
      url: cfg.url,
      capture,
      transport: cfg.transport,
      client: cfg.rtsp,
      reorder: cfg.cameraReorder,
      nack: cfg.cameraNack,
      bFrames: cfg.bFrames,
      audio: cfg.audio,
      ...(cfg.reorderMinWaitMs !== undefined ? { recovery: { reorder: { minWaitMs: cfg.reorderMinWaitMs } } } : {}),
    });
  };
}
