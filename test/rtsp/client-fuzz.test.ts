/**
 * A hostile or broken camera: every request gets a scripted answer (valid, any status, garbage
 * bytes, junk Transport/Session/WWW-Authenticate/Location/SDP, or silence). Whatever it does,
 * start() settles with a session or an RtspClientError, and stop() leaves nothing running.
 */
import t from 'tap';
import fc from 'fast-check';
import { RtspClient } from '../../lib/rtsp/client/client.js';
import { RtspClientError } from '../../lib/rtsp/client/errors.js';
import { RtspHeaders } from '../../lib/rtsp/protocol/header-map.js';
import type { ResponseInit, RtspRequest } from '../../lib/rtsp/protocol/index.js';
import { FakeTimers } from '../support/fake-clock.js';
import { fakeCamera } from './client-support.js';

type Step =
  | { kind: 'default' }
  | { kind: 'silent' }
  | { kind: 'status'; status: number }
  | { kind: 'bytes'; bytes: Uint8Array }
  | { kind: 'header'; name: string; value: string; status: number }
  | { kind: 'sdp'; body: string };

const printable = fc.string({ maxLength: 60 }).map((s) => s.replace(/[\r\n\0]/g, ' '));
const step: fc.Arbitrary<Step> = fc.oneof(
  { weight: 4, arbitrary: fc.constant<Step>({ kind: 'default' }) },
  fc.constant<Step>({ kind: 'silent' }),
  fc.integer({ min: 100, max: 599 }).map<Step>((status) => ({ kind: 'status', status })),
  fc.uint8Array({ minLength: 1, maxLength: 80 }).map<Step>((bytes) => ({ kind: 'bytes', bytes })),
  fc.record({
    name: fc.constantFrom('Transport', 'Session', 'WWW-Authenticate', 'Location', 'Content-Base', 'Public', 'RTP-Info', 'CSeq'),
    value: fc.oneof(printable, fc.constantFrom('RTP/AVP/TCP;interleaved=300-301', 'RTP/AVP;multicast', 'Digest nonce="x"', 'rtsp://127.0.0.1:1/x', ';timeout=-5', 'Basic', '')),
    status: fc.constantFrom(200, 301, 401),
  }).map<Step>((h) => ({ kind: 'header', ...h })),
  fc.oneof(printable, fc.constant('v=0\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:rtsp://[::1/bad\r\n')).map<Step>((body) => ({ kind: 'sdp', body })),
);

t.test('any server behaviour ends in a session or a typed error', async (t) => {
  let script: Step[] = [];
  let k = 0;
  const cam = await fakeCamera({
    override: (req: RtspRequest): ResponseInit | Uint8Array | undefined | 'silent' => {
      const s = script[k++ % script.length];
      const cseq = req.headers.get('cseq') ?? '0';
      switch (s.kind) {
        case 'default': return undefined;
        case 'silent': return 'silent';
        case 'status': return { status: s.status };
        case 'bytes': return s.bytes;
        case 'header': return { status: s.status, headers: new RtspHeaders([['CSeq', cseq], [s.name, s.value], ['Session', '1']]) };
        case 'sdp': return { status: 200, headers: new RtspHeaders({ 'Content-Type': 'application/sdp' }), body: s.body };
      }
    },
  });
  t.teardown(() => cam.close());
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(fc.array(step, { minLength: 1, maxLength: 8 }), fc.constantFrom('tcp' as const, 'udp' as const, 'auto' as const), async (steps, transport) => {
      script = steps;
      k = 0;
      runs++;
      const clock = new FakeTimers();
      const client = new RtspClient({ url: cam.server.url(), transport, clock, reconnect: { enabled: false }, maxRedirects: 2 });
      let outcome: unknown = 'pending';
      client.start().then((i) => (outcome = i), (e) => (outcome = e));
      for (let i = 0; i < 200 && outcome === 'pending'; i++) {
        await clock.advance(500);
        await new Promise((r) => setTimeout(r, 1));
      }
      // stop() waits up to 1 s (on the injected clock) for a TEARDOWN answer that a hostile
      // server may never send: keep virtual time moving until it returns.
      let stopped = false;
      const stopping = client.stop().then(() => (stopped = true));
      for (let i = 0; i < 20 && !stopped; i++) {
        await clock.advance(500);
        await new Promise((r) => setTimeout(r, 1));
      }
      await stopping;
      if (outcome === 'pending') throw new Error(`start() never settled for ${JSON.stringify(steps)}`);
      if (outcome instanceof Error && !(outcome instanceof RtspClientError)) throw outcome;
    }),
    { numRuns: 60 },
  );
  t.equal(runs >= 60, true, `${runs} scripted servers`);
});
