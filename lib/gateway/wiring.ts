/**
 * camwire's own modules wired into GatewayDeps and the RTSP source. Filled in as lib/rtcp,
 * lib/sdp, lib/h264, lib/recovery and lib/rtsp land; until then startGateway needs overrides.
 */
import type { GatewayDeps } from './deps.js';
import { GatewayError } from './errors.js';
import type { SourceFactory } from './gateway.js';

export function defaultDeps(): GatewayDeps {
  throw new GatewayError('NOT_WIRED', 'the protocol modules are not wired yet: pass overrides.deps');
}

export function defaultSourceFactory(): SourceFactory {
  return () => {
    throw new GatewayError('NOT_WIRED', 'the RTSP source is not wired yet: pass overrides.sourceFactory');
  };
}
