/**
 * Orchestrator probes: GET /healthz (the process answers: 200) and GET /readyz (200 when the
 * gateway should be sent viewers; 503 while it drains or when no stream has a live source).
 * Kubernetes and load balancers send no credentials, so neither needs any; in exchange they
 * reveal only "up" and "ready" (with the reason when not), nothing about streams or viewers.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Gateway } from '../gateway/gateway.js';

const HEALTHY = JSON.stringify({ status: 'ok' });

/** True for a GET or HEAD of /healthz or /readyz. */
export function isProbe(req: IncomingMessage, path: string): boolean {
  return (path === '/healthz' || path === '/readyz') && (req.method === 'GET' || req.method === 'HEAD');
}

/** Answers a request for which isProbe() is true. */
export function answerProbe(gateway: Gateway, path: string, res: ServerResponse): void {
  const r = path === '/healthz' ? undefined : gateway.readiness();
  res.writeHead(r && !r.ready ? 503 : 200, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(r ? JSON.stringify(r) : HEALTHY);
}
