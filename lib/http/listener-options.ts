/**
 * The HTTP listener: where it listens and how it bounds slow or greedy clients, with its
 * defaults (the composition root, lib/app/start.ts, builds the Node server from these).
 */
export interface HttpListenerOptions {
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 8080; 0 picks a free port. */
  port?: number;
  /** Slow clients: all headers within this (default 10000 ms)... */
  headersTimeoutMs?: number;
  /** ...the whole request within this (default 30000 ms)... */
  requestTimeoutMs?: number;
  /** ...and an idle keep-alive connection closes after this (default 5000 ms). */
  keepAliveTimeoutMs?: number;
  /** Largest request head (default 16384 bytes: 431 beyond). */
  maxHeaderBytes?: number;
  /** Header lines read per request (default 64; more are ignored). */
  maxHeaders?: number;
  /** Open connections in total (default 1024) and per client address (default 64). */
  maxConnections?: number;
  maxConnectionsPerAddress?: number;
}

export const HTTP_LISTENER_DEFAULTS = Object.freeze({
  host: '127.0.0.1',
  port: 8080,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5000,
  maxHeaderBytes: 16 * 1024,
  maxHeaders: 64,
  maxConnections: 1024,
  maxConnectionsPerAddress: 64,
} as const satisfies Required<HttpListenerOptions>);
