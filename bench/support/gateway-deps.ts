/** GatewayDeps for benchmarks: the gateway's own wiring, as `startGateway` uses it. */
import type { GatewayDeps } from '../../lib/gateway/deps.js';
import { defaultDeps } from '../../lib/gateway/wiring.js';

/** Which wiring the benchmarks measure (for the JSON lines). */
export const depsSource = 'lib/gateway/wiring defaultDeps()';

export function benchDeps(): GatewayDeps {
  return defaultDeps();
}
