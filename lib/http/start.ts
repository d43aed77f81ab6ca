/**
 * The composition root: native WebRTC transport + Gateway + HTTP server. `startGateway` is what
 * the CLI (and embedders) call; `close()` shuts everything down so the process can exit.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNativeTransport } from '../../native-bindings/webrtc.js';
import type { GatewayDeps } from '../gateway/deps.js';
import { Gateway, type SourceFactory } from '../gateway/gateway.js';
import type { CamwireConfig } from '../gateway/config.js';
import { defaultDeps, defaultSourceFactory } from '../gateway/wiring.js';
import type { WebRtcTransport } from '../gateway/transport.js';
import { createRequestHandler, type HttpOptions } from './server.js';

/** Replaceable parts, for tests and embedders. */
export interface StartOverrides {
  deps?: GatewayDeps;
  sourceFactory?: SourceFactory;
  transport?: WebRtcTransport;
}

export interface GatewayHandle {
  /** http://host:port of the HTTP API and player. */
  address: string;
  gateway: Gateway;
  /** Ends viewers, stops sources, closes the server and releases node-datachannel. Idempotent. */
  close(): Promise<void>;
}

export type { CamwireConfig };

export async function startGateway(config: CamwireConfig, overrides: StartOverrides = {}): Promise<GatewayHandle> {
  const transport = overrides.transport ?? createNativeTransport(config.webrtc);
  let gateway: Gateway;
  try {
    gateway = new Gateway(
      { streams: config.streams, allowSources: config.allowSources, streamDefaults: config.streamDefaults },
      transport,
      overrides.deps ?? defaultDeps(config.recovery, config.webrtc?.mtu),
      overrides.sourceFactory ?? defaultSourceFactory(),
    );
  } catch (err) {
    transport.cleanup();
    throw err;
  }
  const server = createServer(createRequestHandler(gateway, config.http));
  server.on('clientError', (_err, socket) => socket.destroy());
  const host = config.http?.host ?? '127.0.0.1';
  try {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(config.http?.port ?? 8080, host, () => resolve());
    });
  } catch (err) {
    await gateway.close();
    transport.cleanup();
    throw err;
  }
  const addr = server.address() as AddressInfo;
  const shown = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  let closing: Promise<void> | undefined;
  return {
    address: `http://${shown}:${addr.port}`,
    gateway,
    close: () => {
      closing ??= (async () => {
        await gateway.close();
        server.closeAllConnections();
        await new Promise<void>((r) => server.close(() => r()));
        transport.cleanup();
      })();
      return closing;
    },
  };
}
