import t from 'tap';
import { parseSdp, serializeSdp, SdpParseError, SdpSerializeError, type SessionDescription } from '../../lib/sdp/index.js';

const BASIC = [
  'v=0',
  'o=jdoe 3724394400 3724394405 IN IP4 198.51.100.1',
  's=Call to John Smith',
  'i=SDP Offer #1',
  'u=http://www.jdoe.example.com/home.html',
  'e=Jane Doe <jane@jdoe.example.com>',
  'p=+1 617 555-6011',
  'c=IN IP4 198.51.100.1',
  'b=AS:2000',
  't=0 0',
  'r=604800 3600 0 90000',
  'z=2882844526 -1h 2898848070 0',
  'a=recvonly',
  'm=audio 49170 RTP/AVP 0',
  'm=video 51372/2 RTP/AVP 99',
  'i=main camera',
  'c=IN IP6 2001:db8::2/3',
  'b=TIAS:512000',
  'a=rtpmap:99 h263-1998/90000',
  '',
].join('\r\n');

t.test('RFC 8866 example: every line type lands in its field', async (t) => {
  const d = parseSdp(BASIC);
  t.equal(d.version, 0);
  t.same(d.origin, { username: 'jdoe', sessionId: '3724394400', sessionVersion: '3724394405', netType: 'IN', addrType: 'IP4', address: '198.51.100.1' });
  t.equal(d.sessionName, 'Call to John Smith');
  t.equal(d.information, 'SDP Offer #1');
  t.equal(d.uri, 'http://www.jdoe.example.com/home.html');
  t.same(d.emails, ['Jane Doe <jane@jdoe.example.com>']);
  t.same(d.phones, ['+1 617 555-6011']);
  t.same(d.connection, { netType: 'IN', addrType: 'IP4', address: '198.51.100.1' });
  t.same(d.bandwidths, [{ type: 'AS', value: 2000 }]);
  t.same(d.timings, [{ start: '0', stop: '0', repeats: ['604800 3600 0 90000'] }]);
  t.equal(d.timeZones, '2882844526 -1h 2898848070 0');
  t.same(d.attributes, [{ key: 'recvonly' }]);
  t.equal(d.media.length, 2);
  t.same(d.media[0], { type: 'audio', port: 49170, protocol: 'RTP/AVP', formats: ['0'], connections: [], bandwidths: [], attributes: [] });
  const v = d.media[1];
  t.equal(v.port, 51372);
  t.equal(v.portCount, 2);
  t.equal(v.title, 'main camera');
  t.same(v.connections, [{ netType: 'IN', addrType: 'IP6', address: '2001:db8::2', count: 3 }]);
  t.same(v.bandwidths, [{ type: 'TIAS', value: 512000 }]);
  t.same(v.attributes, [{ key: 'rtpmap', value: '99 h263-1998/90000' }]);
});

t.test('serialize writes the same text back for a canonical description', async (t) => {
  t.equal(serializeSdp(parseSdp(BASIC)), BASIC);
});

t.test('multicast connection: IP4 TTL and address count', async (t) => {
  const d = parseSdp('v=0\r\nc=IN IP4 233.252.0.1/127/3\r\nm=video 5004 RTP/AVP 96\r\nc=IN IP4 239.1.2.3/0\r\n');
  t.same(d.connection, { netType: 'IN', addrType: 'IP4', address: '233.252.0.1', ttl: 127, count: 3 });
  t.same(d.media[0].connections[0], { netType: 'IN', addrType: 'IP4', address: '239.1.2.3', ttl: 0 });
  t.match(serializeSdp(d), /c=IN IP4 233\.252\.0\.1\/127\/3\r\n/);
});

t.test('canonical output: CRLF, v/o/s/t first and in order even when the input lacked them', async (t) => {
  const out = serializeSdp(parseSdp('a=control:*\nm=video 0 RTP/AVP 96\na=rtpmap:96 H264/90000'));
  t.equal(out, 'v=0\r\no=- 0 0 IN IP4 0.0.0.0\r\ns= \r\nt=0 0\r\na=control:*\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\n');
});

t.test('serialize refuses fields that would inject lines or break tokens', async (t) => {
  const base = parseSdp('v=0\r\nm=video 0 RTP/AVP 96\r\n');
  const bad: ((d: SessionDescription) => void)[] = [
    (d) => (d.sessionName = 'x\r\na=evil'),
    (d) => d.attributes.push({ key: 'tool', value: 'x\nm=audio 0 RTP/AVP 0' }),
    (d) => d.attributes.push({ key: 'bad key' }),
    (d) => d.attributes.push({ key: 'a:b', value: 'c' }),
    (d) => (d.origin.username = 'RTSP Session'),
    (d) => (d.origin.address = ''),
    (d) => (d.media[0].formats = []),
    (d) => (d.media[0].port = 70000.5),
    (d) => d.bandwidths.push({ type: 'AS', value: -1 }),
  ];
  for (const mutate of bad) {
    const d = structuredClone(base);
    mutate(d);
    t.throws(() => serializeSdp(d), SdpSerializeError);
    try {
      serializeSdp(d);
    } catch (e) {
      t.equal((e as SdpSerializeError).code, 'SDP_BAD_FIELD');
    }
  }
});

t.test('typed errors for what is not SDP at all', async (t) => {
  const cases: [unknown, string][] = [
    ['', 'SDP_NO_LINES'],
    ['hello world\r\n', 'SDP_NO_LINES'],
    ['RTSP/1.0 200 OK\r\nCSeq: 1\r\n\r\n', 'SDP_NO_LINES'],
    ['v=0\r\n' + 'a=x\r\n'.repeat(20000), 'SDP_TOO_LARGE'],
    [new Uint8Array(70000), 'SDP_TOO_LARGE'],
    [42, 'SDP_BAD_INPUT'],
  ];
  for (const [input, code] of cases) {
    t.throws(() => parseSdp(input as string), { code, name: 'SdpParseError' }, code);
  }
  t.ok(new SdpParseError('SDP_NO_LINES', 'x') instanceof Error);
});

t.test('maxSize option raises or lowers the bound', async (t) => {
  const sdp = 'v=0\r\ns=x\r\n';
  t.throws(() => parseSdp(sdp, { maxSize: 5 }), { code: 'SDP_TOO_LARGE' });
  t.equal(parseSdp(sdp, { maxSize: sdp.length }).sessionName, 'x');
  const big = 'v=0\r\n' + 'a=x\r\n'.repeat(20000);
  t.equal(parseSdp(big, { maxSize: 1 << 20 }).attributes.length, 20000);
});

t.test('bytes are decoded as UTF-8', async (t) => {
  const d = parseSdp(new TextEncoder().encode('v=0\r\ns=Caméra\r\n'));
  t.equal(d.sessionName, 'Caméra');
});

t.test('unknown line types and non-SDP lines are ignored', async (t) => {
  const d = parseSdp('v=0\r\nx=unknown\r\ngarbage line\r\nQ=upper\r\ns=ok\r\n');
  t.equal(d.sessionName, 'ok');
  t.same(d.attributes, []);
});
