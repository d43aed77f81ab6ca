/**
 * GatewayDeps for tests: camwire's real modules, except the H.264 packetizer, which is
 * THROWAWAY glue until lib/h264 lands.
 */
import type { GatewayDeps } from '../../../lib/gateway/deps.js';
import { createDeps } from '../../../lib/gateway/wiring.js';
import { GluePacketizer } from './packetizer.js';

export function glueDeps(overrides: Partial<GatewayDeps> = {}): GatewayDeps {
  return createDeps({}, { packetizer: () => new GluePacketizer(), ...overrides });
}
