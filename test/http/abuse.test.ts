/**
 * Abuse against a real gateway on loopback while a healthy viewer watches camwire's demo
 * camera: thousands of bogus requests, oversized and malformed WHEP bodies, garbage bytes,
 * slowloris sockets and a connection flood. The server answers each with a clear status or
 * closes it, its bookkeeping stays bounded, and the viewer keeps receiving video throughout.
 */
import t from 'tap';
import { connect, type Socket } from 'node:net';
import { startGateway } from '../../lib/app/start.js';
import { parseConfig } from '../../lib/gateway/config.js';
import { startDemoCamera } from '../../lib/rtsp/server/demo-camera.js';
import { FakeTransport } from '../support/fake-transport.js';
import { CHROMIUM_OFFER } from '../support/offers.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('the healthy viewer keeps playing through floods, bad bodies and slowloris', async (t) => {
  const camera = await startDemoCamera({ host: '127.0.0.1', port: 0 });
  t.teardown(() => camera.close());
  const transport = new FakeTransport();
  const gw = await startGateway(parseConfig({
    http: {
      host: '127.0.0.1', port: 0, maxBodyBytes: 16384, headersTimeoutMs: 1000, requestTimeoutMs: 2000,
      maxConnectionsPerAddress: 40, rateLimit: { requestsPerSecond: 50, burst: 1500, maxAddresses: 100, exemptLoopback: false },
    },
    streams: { demo: { url: camera.url, transport: 'tcp', onDemand: false } },
  }), { transport });
  t.teardown(() => gw.close());
  const joined = await fetch(gw.address + '/whep/demo', { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: CHROMIUM_OFFER });
  t.equal(joined.status, 201, 'the healthy viewer joins');
  const viewer = transport.peers[0];
  const received = () => viewer.rtp.length;
  for (let i = 0; i < 100 && received() === 0; i++) await sleep(50);
  t.ok(received() > 0, 'and receives video');
  const base = gw.httpStats().connections;

  // 1. thousands of bogus requests (the rate limit answers most of them with 429)
  const bogus: (() => Promise<number>)[] = [];
  const paths = ['/whep', '/whep/demo/x/y', '/api', '/%zz', '/watch/%00', '/' + 'a'.repeat(3000), '/whep/nope', '/../../etc/passwd'];
  const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'];
  for (let i = 0; i < 3000; i++) {
    const path = paths[i % paths.length];
    const method = methods[i % methods.length];
    bogus.push(async () => (await fetch(gw.address + path, { method, body: method === 'GET' || method === 'OPTIONS' ? undefined : 'x'.repeat(i % 500), headers: { 'content-type': i % 3 ? 'text/plain' : 'application/sdp' } })).status);
  }
  const statuses = new Map<number, number>();
  const before1 = received();
  // 30 at a time: under the per-address connection cap, which part 5 tests on its own
  for (let i = 0; i < bogus.length; i += 30) {
    for (const s of await Promise.all(bogus.slice(i, i + 30).map((f) => f()))) statuses.set(s, (statuses.get(s) ?? 0) + 1);
  }
  t.comment(`3000 bogus requests: ${JSON.stringify(Object.fromEntries(statuses))}`);
  t.notOk(statuses.has(500), 'no internal error');
  t.notOk(statuses.has(201), 'no bogus request became a viewer');
  t.ok((statuses.get(429) ?? 0) > 0, 'the rate limit refused the flood');
  t.ok(gw.httpStats().trackedAddresses <= 100, 'the rate table is bounded');
  t.ok(received() > before1, 'the viewer kept receiving during the flood');

  await sleep(2100); // let the bucket refill (the limit is not what the next checks are about)

  // 2. oversized and malformed WHEP bodies
  const big = await fetch(gw.address + '/whep/demo', { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: 'v=0\r\n' + 'a=x\r\n'.repeat(20000) });
  t.equal(big.status, 413, 'an offer over maxBodyBytes: 413');
  for (const body of ['', 'garbage', 'v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\n', 'm=video\r\n'.repeat(50), '\u0000\u0001\u0002 m=video 1 2 3\n']) {
    const r = await fetch(gw.address + '/whep/demo', { method: 'POST', headers: { 'content-type': 'application/sdp' }, body });
    t.ok(r.status >= 400 && r.status < 500, `malformed offer ${JSON.stringify(body.slice(0, 20))}: ${r.status}`);
  }

  // 3. raw garbage and a lying Content-Length on the socket
  const raw = (bytes: string | Buffer) => new Promise<string>((resolve) => {
    const s = connect(Number(new URL(gw.address).port), '127.0.0.1');
    let got = '';
    s.on('data', (d) => (got += d.toString('latin1')));
    s.on('error', () => undefined);
    s.on('close', () => resolve(got));
    s.write(bytes);
    setTimeout(() => s.end(), 300);
  });
  t.match(await raw(Buffer.from([0x16, 0x03, 0x01, 0xff, 0, 0, 0, 0x80, 0x0d, 0x0a, 0x0d, 0x0a])), /^$|400/, 'TLS bytes: closed or 400');
  t.match(await raw('POST /whep/demo HTTP/1.1\r\nHost: x\r\nContent-Type: application/sdp\r\nContent-Length: 2147483648\r\n\r\nv=0'), /413/, '2 GB Content-Length: 413 without reading it');
  t.match(await raw('GET / HTTP/1.1\r\n' + 'X-A: b\r\n'.repeat(3000) + '\r\n'), /431|400|^$/, 'a huge header block is refused');

  // 4. slowloris: sockets that send a header byte now and then never get a request through
  const slow: Socket[] = [];
  let closedByServer = 0;
  for (let i = 0; i < 30; i++) {
    const s = connect(Number(new URL(gw.address).port), '127.0.0.1');
    s.on('error', () => undefined);
    s.on('close', () => closedByServer++);
    s.write('GET / HTTP/1.1\r\nHost: x\r\n');
    slow.push(s);
  }
  const drip = setInterval(() => { for (const s of slow) if (!s.destroyed) s.write('X'); }, 200);
  const before4 = received();
  for (let i = 0; i < 100 && closedByServer < slow.length; i++) await sleep(100);
  clearInterval(drip);
  t.equal(closedByServer, slow.length, 'the server closed every slowloris socket (headersTimeout)');
  t.ok(received() > before4, 'the viewer kept receiving while they dripped');

  // 5. a connection flood from one address is capped
  const flood: Socket[] = [];
  for (let i = 0; i < 80; i++) {
    const s = connect(Number(new URL(gw.address).port), '127.0.0.1');
    s.on('error', () => undefined);
    flood.push(s);
  }
  await sleep(300);
  t.ok(gw.httpStats().connections <= 40, `open connections capped per address (${gw.httpStats().connections})`);
  for (const s of flood) s.destroy();
  for (let i = 0; i < 50 && gw.httpStats().connections > base; i++) await sleep(50);
  t.ok(gw.httpStats().connections <= base, `connections back to the baseline (${gw.httpStats().connections})`);

  const before6 = received();
  await sleep(500);
  t.ok(received() > before6, 'the viewer still plays at the end');
  const api = await (await fetch(gw.address + '/api/streams')).json() as { streams: { viewers: unknown[] }[] };
  t.equal(api.streams[0].viewers.length, 1, 'exactly the one healthy viewer');
});
