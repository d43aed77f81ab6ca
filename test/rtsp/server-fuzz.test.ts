/**
 * Arbitrary request sequences (methods, URLs, Session and Transport headers, some valid, most
 * not) never crash the server or leave a request unanswered; afterwards it still serves.
 */
import t from 'tap';
import fc from 'fast-check';
import { RtspServer } from '../../lib/rtsp/server/server.js';
import { loadH264Clip } from '../../lib/rtsp/server/h264-clip.js';
import { LoopingClipSource } from '../../lib/rtsp/server/media-source.js';
import { VirtualScheduler } from '../support/virtual-clock.js';
import { RtspTestClient } from '../support/rtsp-test-client.js';
import { syntheticNalus } from '../support/h264-synthetic.js';

const method = fc.constantFrom('OPTIONS', 'DESCRIBE', 'SETUP', 'PLAY', 'PAUSE', 'TEARDOWN', 'GET_PARAMETER', 'SET_PARAMETER', 'RECORD', 'X');
const path = fc.constantFrom('/demo', '/demo/', '/demo/trackID=0', '/demo/trackID=9', '/nope', '', '/demo?x=%zz');
const transport = fc.oneof(
  fc.constantFrom(
    'RTP/AVP/TCP;unicast;interleaved=0-1', 'RTP/AVP/TCP;interleaved=254-255', 'RTP/AVP;unicast;client_port=40000-40001',
    'RTP/AVP;multicast', 'RTP/AVP;unicast;client_port=0-0', 'RTP/AVP/TCP;interleaved=300-301', 'garbage', '',
  ),
  fc.string({ maxLength: 60 }),
);

t.test('random request sequences get one reply each and never break the server', async (t) => {
  const clock = new VirtualScheduler();
  const server = new RtspServer({ port: 0, clock: clock, maxSessions: 8 });
  server.addStream('/demo', new LoopingClipSource(loadH264Clip(syntheticNalus({ frames: 10, gop: 5 })), 25));
  await server.listen();
  t.teardown(() => server.close());
  const base = `rtsp://127.0.0.1:${server.port}`;
  await fc.assert(
    fc.asyncProperty(
      fc.array(fc.record({ method, path, transport, session: fc.boolean(), advance: fc.integer({ min: 0, max: 200 }) }), { minLength: 1, maxLength: 12 }),
      async (steps) => {
        const c = await RtspTestClient.connect(server.port);
        let session: string | undefined;
        try {
          for (const s of steps) {
            const headers: Record<string, string> = {};
            if (s.method === 'SETUP') headers.Transport = s.transport.replace(/[\r\n]/g, '');
            if (s.session && session) headers.Session = session;
            const r = await c.request(s.method, base + s.path, headers);
            if (!(r.status >= 200 && r.status < 600)) return false;
            const id = r.headers.get('Session');
            if (id) session = id.split(';')[0];
            clock.advance(s.advance);
          }
          return true;
        } finally {
          c.close();
        }
      },
    ),
    { numRuns: 60 },
  );
  await new Promise((r) => setTimeout(r, 50));
  t.equal(server.stats().sessions, 0, 'every session ended with its connection');
  const c = await RtspTestClient.connect(server.port);
  t.teardown(() => c.close());
  t.equal((await c.request('DESCRIBE', base + '/demo')).status, 200, 'still serving');
});
