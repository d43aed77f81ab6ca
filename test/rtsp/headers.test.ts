import t from 'tap';
import fc from 'fast-check';
import {
  parseTransport,
  parseTransports,
  serializeTransport,
  parseSession,
  serializeSession,
  parseRtpInfo,
  serializeRtpInfo,
  parsePublic,
  parseWwwAuthenticate,
  parseAuthorization,
  serializeAuthParams,
  type TransportSpec,
} from '../../lib/rtsp/protocol/headers/index.js';
import { RtspParseError } from '../../lib/rtsp/protocol/errors.js';

t.test('Transport replies seen on cameras', async (t) => {
  t.match(parseTransport('RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=30A98EE7'), {
    profile: 'RTP/AVP', lowerTransport: 'TCP', delivery: 'unicast', interleaved: [0, 1], ssrc: 0x30a98ee7,
  }, 'Dahua');
  t.match(parseTransport('RTP/AVP/TCP;unicast;interleaved=0-1;ssrc=4cacc3d1;mode="play"'), { ssrc: 0x4cacc3d1, mode: 'PLAY' }, 'Hikvision quoted mode');
  t.equal(parseTransport('RTP/AVP/TCP;unicast;interleaved=0-1;ssrc= d6d6627').ssrc, 0x0d6d6627, 'Hikvision: ssrc with a space and 7 digits');
  t.equal(parseTransport('RTP/AVP;unicast;ssrc=     D93FF;client_port=1-2').ssrc, 0xd93ff, 'Dahua server: 5 spaces');
  t.equal(parseTransport('RTP/AVP;unicast;ssrc=1449463210').ssrc, undefined, 'not hex-sized: dropped');
  t.match(parseTransport('RTP/AVP/TCP;ssrc=22345684;interleaved=0-1'), { delivery: undefined, interleaved: [0, 1] }, 'Luckfox: no unicast');
  t.match(parseTransport('RTP/AVP;unicast;server_port=8052;client_port=14186'), { serverPort: [8052, 8053], clientPort: [14186, 14187] }, 'single-value ports');
  t.match(parseTransport('RTP/AVP;unicast;source=;client_port=5000-5001'), { source: undefined }, 'empty source');
  t.match(parseTransport('RTP/AVP;unicast;destination=192.168.1.5;source=192.168.1.10;interleaved=0-1'), {
    lowerTransport: 'UDP', interleaved: [0, 1], source: '192.168.1.10',
  }, 'Escam Q6: TCP reply without /TCP keeps interleaved');
  t.match(parseTransport('RTP/AVP;multicast;destination=239.194.168.96;ttl=5;port=50000-50001;mode="PLAY"'), {
    delivery: 'multicast', destination: '239.194.168.96', ttl: 5, port: [50000, 50001], mode: 'PLAY',
  }, 'Axis multicast');
  t.match(parseTransport('RTP/AVP;unicast;mode=PLAY;source=127.0.0.1;client_port=5000-5001;server_port=6970-6971;ssrc=0'), { ssrc: 0, source: '127.0.0.1' }, 'H264DVR');
  t.equal(parseTransports('RTP/AVP;unicast;client_port=1-2,RTP/AVP/TCP;interleaved=0-1').length, 2, 'alternatives');
  t.throws(() => parseTransport('RTP/AVP;client_port=99999'), RtspParseError);
  t.throws(() => parseTransport(''), RtspParseError);
});

t.test('Transport round trip and arbitrary input', async (t) => {
  const pair = fc.integer({ min: 0, max: 65534 }).map((a) => [a, a + 1] as [number, number]);
  const spec = fc.record(
    {
      profile: fc.constant('RTP/AVP'),
      lowerTransport: fc.constantFrom('UDP' as const, 'TCP' as const),
      delivery: fc.constantFrom('unicast' as const, 'multicast' as const),
      destination: fc.ipV4(),
      source: fc.ipV4(),
      interleaved: fc.integer({ min: 0, max: 254 }).map((a) => [a, a + 1] as [number, number]),
      ttl: fc.integer({ min: 0, max: 255 }),
      port: pair,
      clientPort: pair,
      serverPort: pair,
      ssrc: fc.integer({ min: 0, max: 0xffffffff }),
      mode: fc.constantFrom('PLAY', 'RECORD'),
    },
    { requiredKeys: ['profile', 'lowerTransport'] },
  );
  fc.assert(fc.property(spec, (s: TransportSpec) => {
    t.same(parseTransport(serializeTransport(s)), s);
  }), { numRuns: 300 });
  fc.assert(fc.property(fc.string({ maxLength: 80 }), (s) => {
    try {
      parseTransports(s);
    } catch (e) {
      if (!(e instanceof RtspParseError)) throw e;
    }
  }), { numRuns: 1000 });
});

t.test('Session with and without spaces', async (t) => {
  t.same(parseSession('708345999;timeout=60'), { id: '708345999', timeout: 60 }, 'Hikvision');
  t.same(parseSession('F8F8E425; timeout=60'), { id: 'F8F8E425', timeout: 60 }, 'Axis GStreamer: space after ;');
  t.same(parseSession('       708345999;timeout=60'), { id: '708345999', timeout: 60 }, 'padded');
  t.same(parseSession('12345678'), { id: '12345678' }, 'no timeout');
  t.same(parseSession('abc;timeout = 65 '), { id: 'abc', timeout: 65 }, 'live555 style, spaced');
  t.throws(() => parseSession(' ;timeout=60'), RtspParseError);
  fc.assert(fc.property(fc.stringMatching(/^[A-Za-z0-9$\-_.+]{1,24}$/), fc.option(fc.integer({ min: 1, max: 86400 }), { nil: undefined }), (id, timeout) => {
    t.same(parseSession(serializeSession({ id, timeout })), timeout === undefined ? { id } : { id, timeout });
  }), { numRuns: 200 });
});

t.test('RTP-Info forms', async (t) => {
  t.same(parseRtpInfo('url=trackID=1;seq=16852;rtptime=1070938629;ssrc=dcc4a0d8,url=trackID=2;seq=39409;rtptime=3075976528;ssrc=9fc9fff8'), [
    { url: 'trackID=1', seq: 16852, rtptime: 1070938629, ssrc: 0xdcc4a0d8 },
    { url: 'trackID=2', seq: 39409, rtptime: 3075976528, ssrc: 0x9fc9fff8 },
  ], 'Reolink: relative urls with ssrc');
  t.same(parseRtpInfo('url=rtsp://10.0.0.1/Streaming/Channels/101/trackID=1?transportmode=unicast;seq=1;rtptime=0;'), [
    { url: 'rtsp://10.0.0.1/Streaming/Channels/101/trackID=1?transportmode=unicast', seq: 1, rtptime: 0 },
  ], 'Hikvision absolute with query, Laureii trailing ;');
  t.same(parseRtpInfo('url=rtsp://h/1,100_high.unicast/track1;seq=5, url=rtsp://h/1,100_high.unicast/track2;seq=6').map((e) => e.url), [
    'rtsp://h/1,100_high.unicast/track1',
    'rtsp://h/1,100_high.unicast/track2',
  ], 'commas inside a URL');
  const e = [{ url: 'rtsp://a/b', seq: 65535, rtptime: 4294967295 }];
  t.same(parseRtpInfo(serializeRtpInfo(e)), e);
});

t.test('Public', async (t) => {
  t.same(parsePublic('OPTIONS, DESCRIBE, SETUP, TEARDOWN, PLAY, PAUSE, GET_PARAMETER, SET_PARAMETER'), [
    'OPTIONS', 'DESCRIBE', 'SETUP', 'TEARDOWN', 'PLAY', 'PAUSE', 'GET_PARAMETER', 'SET_PARAMETER',
  ]);
  t.same(parsePublic('options,describe'), ['OPTIONS', 'DESCRIBE']);
  t.same(parsePublic(undefined), []);
});

t.test('WWW-Authenticate: several challenges, in one header and in several', async (t) => {
  t.same(parseWwwAuthenticate('Digest realm="Surveillance Server", nonce="98481030"'), [
    { scheme: 'Digest', params: { realm: 'Surveillance Server', nonce: '98481030' } },
  ], 'Longse numeric nonce');
  t.same(parseWwwAuthenticate(['Digest realm="AXIS_ACCC8E000000", nonce="0000002eY58", stale=FALSE', 'Basic realm="AXIS_ACCC8E000000"']), [
    { scheme: 'Digest', params: { realm: 'AXIS_ACCC8E000000', nonce: '0000002eY58', stale: 'FALSE' } },
    { scheme: 'Basic', params: { realm: 'AXIS_ACCC8E000000' } },
  ], 'Axis: Digest and Basic headers');
  t.same(parseWwwAuthenticate('Basic realm="YUAN",Digest realm="YUAN",nonce="abc",algorithm="MD5", NTLM, Negotiate'), [
    { scheme: 'Basic', params: { realm: 'YUAN' } },
    { scheme: 'Digest', params: { realm: 'YUAN', nonce: 'abc', algorithm: 'MD5' } },
    { scheme: 'NTLM', params: {} },
    { scheme: 'Negotiate', params: {} },
  ], 'several challenges in one header, no spaces after commas');
  t.same(parseWwwAuthenticate('Digest realm="IP Camera(AB705)", nonce="x", algorithm="SHA-256", stale="FALSE", opaque="", qop="auth"')[0].params, {
    realm: 'IP Camera(AB705)', nonce: 'x', algorithm: 'SHA-256', stale: 'FALSE', opaque: '', qop: 'auth',
  });
  t.same(parseAuthorization('Basic dXNlcjpwYXNz'), { scheme: 'Basic', params: {}, token68: 'dXNlcjpwYXNz' });
  t.same(parseAuthorization('Basic dXNlcjpwYXNzMQ=='), { scheme: 'Basic', params: {}, token68: 'dXNlcjpwYXNzMQ==' });
  const params = { username: 'a "b"', realm: 'r', nonce: 'n', uri: 'rtsp://h/x?y=1,2', response: 'f', algorithm: 'MD5', qop: 'auth', nc: '00000001' };
  t.same(parseAuthorization(serializeAuthParams('Digest', params, ['algorithm', 'qop', 'nc'])).params, params, 'round trip with quotes and commas');
  fc.assert(fc.property(fc.string({ maxLength: 80 }), (s) => {
    try {
      parseWwwAuthenticate(s);
    } catch (e) {
      if (!(e instanceof RtspParseError)) throw e;
    }
  }), { numRuns: 1000 });
});
