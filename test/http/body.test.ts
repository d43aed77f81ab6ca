/**
 * readBody over real loopback sockets: a client that sends half a body and goes away must
 * not leave the read pending (a promise that never settles holds the request, its chunks and
 * the handler's closure for as long as the process lives) nor any listener or timer behind.
 */
import t from 'tap';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';
import { readBody, HttpError } from '../../lib/http/body.js';
import { startGateway } from '../../lib/app/start.js';
import { parseConfig } from '../../lib/gateway/config.js';
import { FakeTransport } from '../support/fake-transport.js';
import { CHROMIUM_OFFER } from '../support/offers.js';

type Outcome = { ok: true; body: string } | { ok: false; err: unknown };

/** A server whose every request goes to readBody; resolves each outcome with the request. */
async function bodyServer(limit: number): Promise<{ server: Server; port: number; next: () => Promise<{ req: IncomingMessage; outcome: Outcome }> }> {
  const waiting: ((v: { req: IncomingMessage; outcome: Outcome }) => void)[] = [];
  const done: { req: IncomingMessage; outcome: Outcome }[] = [];
  const server = createServer((req, res) => {
    readBody(req, limit).then(
      (body) => ({ ok: true as const, body }),
      (err: unknown) => ({ ok: false as const, err }),
    ).then((outcome) => {
      const item = { req, outcome };
      const w = waiting.shift();
      if (w) w(item);
      else done.push(item);
      res.end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  const next = () => {
    const item = done.shift();
    return item ? Promise.resolve(item) : new Promise<{ req: IncomingMessage; outcome: Outcome }>((r) => waiting.push(r));
  };
  return { server, port, next };
}

/** Settles with the value, or with 'pending' after `ms` (the test's own timer is cleared). */
async function within<T>(p: Promise<T>, ms: number): Promise<T | 'pending'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'pending'>((r) => (timer = setTimeout(() => r('pending'), ms)));
  try {
    return await Promise.race([p, late]);
  } finally {
    clearTimeout(timer);
  }
}

const LISTENED = ['data', 'end', 'error', 'close', 'aborted'] as const;

t.test('a client that sends half the body and destroys the socket: the read rejects and lets go', async (t) => {
  const { server, port, next } = await bodyServer(64 * 1024);
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const before = process.getActiveResourcesInfo().filter((x) => x === 'Timeout').length;
  const sock = connect(port, '127.0.0.1');
  await new Promise<void>((r) => sock.once('connect', () => r()));
  sock.write('POST /whep/x HTTP/1.1\r\nHost: x\r\nContent-Type: application/sdp\r\nContent-Length: 1000\r\n\r\n' + 'v'.repeat(500));
  // let the server see the head and the first half before the client vanishes
  await new Promise((r) => setTimeout(r, 50));
  sock.destroy();
  const got = await within(next(), 2000);
  t.not(got, 'pending', 'readBody settled after the client went away');
  if (got === 'pending') return;
  t.equal(got.outcome.ok, false, 'it rejected: half a body is no body');
  const err = got.outcome.ok ? undefined : got.outcome.err;
  t.ok(err instanceof HttpError, 'with an HttpError');
  t.equal((err as HttpError).code, 'CLIENT_ABORTED');
  for (const ev of LISTENED) t.equal(got.req.listenerCount(ev), 0, `no '${ev}' listener left on the request`);
  t.ok(process.getActiveResourcesInfo().filter((x) => x === 'Timeout').length <= before, 'no timer left behind');
});

t.test('a request already aborted before readBody is called is refused at once', async (t) => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  const seen = new Promise<IncomingMessage>((r) => server.once('request', (req: IncomingMessage) => r(req)));
  const sock = connect((server.address() as AddressInfo).port, '127.0.0.1');
  sock.write('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc');
  const req = await seen;
  req.on('error', () => {}); // the abort arrives as an error while nobody reads yet
  sock.destroy();
  await new Promise<void>((r) => req.once('close', () => r()));
  const got = await within(readBody(req, 1024).then(() => 'resolved', (e: HttpError) => e.code), 1000);
  t.equal(got, 'CLIENT_ABORTED');
});

t.test('complete bodies and over-limit bodies still behave, and leave no listeners', async (t) => {
  const { server, port, next } = await bodyServer(100);
  t.teardown(() => new Promise<void>((r) => server.close(() => r())));
  await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'hello' });
  const ok = await next();
  t.same(ok.outcome, { ok: true, body: 'hello' });
  for (const ev of LISTENED) t.equal(ok.req.listenerCount(ev), 0, `'${ev}' released after end`);
  await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', body: 'x'.repeat(5000), headers: { 'content-length': '5000' } }).catch(() => undefined);
  const big = await next();
  t.equal(big.outcome.ok ? '' : (big.outcome.err as HttpError).code, 'BODY_TOO_LARGE');
});

t.test('through the gateway: an aborted WHEP offer makes no viewer and the server carries on', async (t) => {
  const transport = new FakeTransport();
  const gw = await startGateway(parseConfig({
    http: { host: '127.0.0.1', port: 0 },
    streams: { hall: { url: 'rtsp://127.0.0.1:9/x', rtsp: { reconnect: { enabled: false } } } },
  }), { transport });
  t.teardown(() => gw.close());
  const port = Number(new URL(gw.address).port);
  for (let i = 0; i < 20; i++) {
    const sock = connect(port, '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.write(`POST /whep/hall HTTP/1.1\r\nHost: x\r\nContent-Type: application/sdp\r\nContent-Length: ${CHROMIUM_OFFER.length}\r\n\r\n` + CHROMIUM_OFFER.slice(0, 200));
    await new Promise((r) => setTimeout(r, 10));
    sock.destroy();
  }
  for (let i = 0; i < 100 && gw.httpStats().connections > 0; i++) await new Promise((r) => setTimeout(r, 20));
  t.equal(gw.httpStats().connections, 0, 'every aborted connection is gone');
  t.equal(transport.peers.length, 0, 'no half offer became a viewer');
  const r = await fetch(gw.address + '/whep/hall', { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: CHROMIUM_OFFER });
  t.equal(r.status, 201, 'a whole offer is still served');
});
