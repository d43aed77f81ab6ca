/**
 * The composition root: native WebRTC transport + Gateway + HTTP server (+ the RTSP restream
 * when `rtspServer.port` is set). `startGateway` is what
 * the CLI (and embedders) call; `close()` shuts everything down so the process can exit.
 * node-datachannel's addon is loaded here, when the first gateway without an injected
 * transport starts, not when camwire is imported: embedders of one layer never map it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { GatewayDeps } from '../gateway/deps.js';
import { Gateway, type SourceFactory } from '../gateway/gateway.js';
import type { CamwireConfig } from '../gateway/config.js';
import { defaultDeps, defaultSourceFactory } from '../gateway/wiring.js';
import type { WebRtcTransport } from '../gateway/transport.js';
import { createMetricsHandler, createRequestHandler, type HttpGuardStats } from '../http/server.js';
import { HTTP_LISTENER_DEFAULTS as LISTENER } from '../http/listener-options.js';
import type { HttpConfig } from '../gateway/config.js';
import { startRestream, type Restream } from './restream.js';
import { silentLogger, type Logger } from '../log/logger.js';
import { StreamManager, type PersistStreams } from './stream-manager.js';
import { createStreamApi } from '../http/stream-api.js';
import type { CaptureControl } from '../http/capture-api.js';
import { createViewerAuthorizer } from '../http/viewer-auth.js';
import { Captures } from '../capture/captures.js';
import { Recordings } from '../record/recordings.js';

/** Replaceable parts, for tests and embedders. */
export interface StartOverrides {
  deps?: GatewayDeps;
  sourceFactory?: SourceFactory;
  transport?: WebRtcTransport;
  /** Operator log (default none): source states, viewers, refusals, API changes. */
  log?: Logger;
  /** Where stream API changes are written (the CLI's --config file with persistApi); default nowhere. */
  persist?: PersistStreams;
}

export interface GatewayHandle {
  /** http://host:port of the HTTP API and player. */
  address: string;
  gateway: Gateway;
  /** http://host:port of the metrics listener, when `metrics.port` is set. */
  metricsAddress?: string;
  /** rtsp://host:port of the restream, when `rtspServer.port` is set: each stream at `/<name>`. */
  rtspAddress?: string;
  /** The restream's RTSP server (sessions, keyframe requests, per-stream counters), when on. */
  restream?: Restream;
  /** The configured streams, changed at run time (stream API, reload). */
  streams: StreamManager;
  /** Requests refused by the HTTP guards, and open connections now. */
  httpStats(): HttpGuardStats & { connections: number };
  /** Ends viewers, stops sources, closes the server and releases node-datachannel. Idempotent. */
  close(): Promise<void>;
}

export type { CamwireConfig };

export async function startGateway(config: CamwireConfig, overrides: StartOverrides = {}): Promise<GatewayHandle> {
  const transport = overrides.transport ?? (await import('../../native-bindings/webrtc.js')).createNativeTransport(config.webrtc);
  let gateway: Gateway;
  const log = overrides.log ?? silentLogger;
  const baseDeps = overrides.deps ?? defaultDeps(config.recovery, config.webrtc?.mtu);
  const deps = baseDeps.log ? baseDeps : { ...baseDeps, log };
  const makeSource = overrides.sourceFactory ?? defaultSourceFactory(log);
  const dir = config.capture?.dir;
  const capture = dir ? new Captures({ ...config.capture, dir }, deps.clock, (line) => log.warn('capture', { reason: line })) : undefined;
  const recordings = new Recordings(config.record, deps.clock, log);
  try {
    gateway = new Gateway(
      { streams: config.streams, allowSources: config.allowSources, maxSourceStreams: config.maxSourceStreams, streamDefaults: config.streamDefaults,
        maxViewersTotal: config.maxViewersTotal, drainTimeoutMs: config.drainTimeoutMs, capture, recordings },
      transport,
      deps,
      makeSource,
    );
  } catch (err) {
    transport.cleanup();
    throw err;
  }
  const http = config.http ?? {};
  const separateMetrics = config.metrics?.port !== undefined;
  let restream: Restream | undefined;
  const streams = new StreamManager(gateway, config.streams, log, overrides.persist);
  // the admin API's captures of running streams: a stream without a slot is not captured (null)
  const captures: CaptureControl = { dir, slot: (name) => { const s = gateway.stream(name); return s ? (s.capture ?? null) : undefined; } };
  const handler = createRequestHandler(gateway, {
    ...http, log, streamApi: createStreamApi(streams, { ...http, log, captures }), recordings, viewerAuth: createViewerAuthorizer(http, deps.clock), metrics: !separateMetrics, iceServers: config.webrtc?.iceServers, restreamStats: () => restream?.stats(), clock: deps.clock,
  });
  const server = guardedServer(handler, http);
  server.on('upgrade', handler.upgrade);
  let metricsServer: Server | undefined;
  try {
    await listen(server, http.port ?? LISTENER.port, http.host ?? LISTENER.host);
    if (separateMetrics) {
      const m = config.metrics!;
      metricsServer = guardedServer(createMetricsHandler(gateway, m.token, handler.websocketViewers), http);
      await listen(metricsServer, m.port!, m.host ?? LISTENER.host);
    }
    if (config.rtspServer?.port !== undefined) {
      restream = await startRestream(config.rtspServer, gateway, deps.clock);
    }
  } catch (err) {
    server.close();
    metricsServer?.close();
    await gateway.close();
    transport.cleanup();
    throw err;
  }
  let closing: Promise<void> | undefined;
  return {
    address: addressOf(server),
    metricsAddress: metricsServer ? addressOf(metricsServer) : undefined,
    rtspAddress: restream?.address,
    restream,
    gateway,
    streams,
    httpStats: () => ({ ...handler.stats(), connections: connectionCount(server) }),
    close: () => {
      closing ??= (async () => {
        // RTSP clients first: their outputs leave the streams before the sources stop
        await restream?.close();
        await gateway.close();
        for (const s of [server, metricsServer]) {
          if (!s) continue;
          s.closeAllConnections();
          await new Promise<void>((r) => s.close(() => r()));
        }
        transport.cleanup();
      })();
      return closing;
    },
  };
}

function addressOf(server: Server): string {
  const addr = server.address() as AddressInfo;
  return `http://${addr.family === 'IPv6' ? `[${addr.address}]` : addr.address}:${addr.port}`;
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

const openSockets = new WeakMap<Server, Set<Socket>>();

function connectionCount(server: Server): number {
  return openSockets.get(server)?.size ?? 0;
}

/**
 * An HTTP server with the slow-client and size limits of `o`: headers must arrive within
 * headersTimeoutMs and the whole request within requestTimeoutMs (slowloris), idle keep-alive
 * sockets close after keepAliveTimeoutMs, header size and count are capped, and connections
 * are capped in total and per client address.
 */
function guardedServer(handler: Parameters<typeof createServer>[1], o: HttpConfig): Server {
  const server = createServer({
    maxHeaderSize: o.maxHeaderBytes ?? LISTENER.maxHeaderBytes,
    headersTimeout: o.headersTimeoutMs ?? LISTENER.headersTimeoutMs,
    requestTimeout: o.requestTimeoutMs ?? LISTENER.requestTimeoutMs,
    keepAliveTimeout: o.keepAliveTimeoutMs ?? LISTENER.keepAliveTimeoutMs,
    // the timeout checks run this often; the default (30 s) would let slow clients linger
    connectionsCheckingInterval: 1_000,
  }, handler);
  server.maxHeadersCount = o.maxHeaders ?? LISTENER.maxHeaders;
  server.maxConnections = o.maxConnections ?? LISTENER.maxConnections;
  const perAddress = o.maxConnectionsPerAddress ?? LISTENER.maxConnectionsPerAddress;
  const sockets = new Set<Socket>();
  const byAddress = new Map<string, number>();
  openSockets.set(server, sockets);
  server.on('connection', (socket: Socket) => {
    const a = socket.remoteAddress ?? '';
    const n = (byAddress.get(a) ?? 0) + 1;
    if (n > perAddress) return void socket.destroy();
    byAddress.set(a, n);
    sockets.add(socket);
    socket.once('close', () => {
      sockets.delete(socket);
      const left = (byAddress.get(a) ?? 1) - 1;
      if (left <= 0) byAddress.delete(a);
      else byAddress.set(a, left);
    });
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    // An oversized request (a WebSocket upgrade too) is told so; anything else just ends.
    if (err.code === 'HPE_HEADER_OVERFLOW' && socket.writable) {
      socket.end('HTTP/1.1 431 Request Header Fields Too Large\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
      socket.once('finish', () => socket.destroy());
    } else {
      socket.destroy();
    }
  });
  return server;
}
