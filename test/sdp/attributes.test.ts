import t from 'tap';
import {
  bundleGroups,
  effectiveDirection,
  formatExtmap,
  formatFmtp,
  formatRtcpFb,
  formatRtpmap,
  formatSourceFilter,
  getAttribute,
  getAttributes,
  getDirection,
  parseExtmap,
  parseFmtp,
  parseGroup,
  parseRtcpFb,
  parseRtpmap,
  parseSdp,
  parseSourceFilter,
  parseSsrc,
  sourceFilters,
  transportParameters,
} from '../../lib/sdp/index.js';

t.test('getAttribute / getAttributes: first, all, case-insensitive names, property attributes', async (t) => {
  const attrs = [{ key: 'control', value: 'a' }, { key: 'Control', value: 'b' }, { key: 'recvonly' }];
  t.equal(getAttribute(attrs, 'control'), 'a');
  t.same(getAttributes(attrs, 'CONTROL'), ['a', 'b']);
  t.equal(getAttribute(attrs, 'recvonly'), '');
  t.equal(getAttribute(attrs, 'mid'), undefined);
});

t.test('rtpmap', async (t) => {
  t.same(parseRtpmap('96 H264/90000'), { payloadType: 96, encodingName: 'H264', clockRate: 90000 });
  t.same(parseRtpmap('111 opus/48000/2'), { payloadType: 111, encodingName: 'opus', clockRate: 48000, encodingParameters: 2 });
  t.equal(parseRtpmap('128 H264/90000'), undefined, 'PT out of range');
  t.equal(parseRtpmap('x H264/90000'), undefined);
  t.equal(parseRtpmap('96'), undefined);
  t.same(formatRtpmap({ payloadType: 111, encodingName: 'opus', clockRate: 48000, encodingParameters: 2 }), { key: 'rtpmap', value: '111 opus/48000/2' });
});

t.test('fmtp: keys lower-cased, first duplicate wins, valueless items kept', async (t) => {
  const f = parseFmtp('97 SizeLength=13;sizelength=99; mode=AAC-hbr ;flag;;');
  t.equal(f?.payloadType, 97);
  t.same([...(f?.parameters ?? [])], [['sizelength', '13'], ['mode', 'AAC-hbr'], ['flag', '']]);
  t.equal(parseFmtp('abc x=1'), undefined);
  t.same(formatFmtp(96, [['packetization-mode', '1'], ['x', '']]), { key: 'fmtp', value: '96 packetization-mode=1;x' });
  t.same(formatFmtp(96, []), { key: 'fmtp', value: '96' });
});

t.test('rtcp-fb', async (t) => {
  t.same(parseRtcpFb('96 nack pli'), { payloadType: 96, type: 'nack', parameter: 'pli' });
  t.same(parseRtcpFb('* transport-cc'), { payloadType: '*', type: 'transport-cc' });
  t.equal(parseRtcpFb('96'), undefined);
  t.same(formatRtcpFb({ payloadType: 96, type: 'ccm', parameter: 'fir' }), { key: 'rtcp-fb', value: '96 ccm fir' });
});

t.test('ssrc and ssrc-group', async (t) => {
  t.same(parseSsrc('3735928559 cname:camwire/1'), { ssrc: 3735928559, attribute: 'cname', value: 'camwire/1' });
  t.same(parseSsrc('1 msid:stream track'), { ssrc: 1, attribute: 'msid', value: 'stream track' });
  t.same(parseSsrc('1 foo'), { ssrc: 1, attribute: 'foo' });
  t.equal(parseSsrc('4294967296 cname:x'), undefined, 'over 32 bits');
  t.same(parseGroup('FID 1 2'), { semantics: 'FID', ids: ['1', '2'] });
});

t.test('group:BUNDLE', async (t) => {
  const d = parseSdp('v=0\r\na=group:BUNDLE 0 1\r\na=group:LS 0 1\r\n');
  t.same(bundleGroups(d), [['0', '1']]);
});

t.test('extmap (RFC 8285)', async (t) => {
  t.same(parseExtmap('3 http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time'), { id: 3, uri: 'http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time' });
  t.same(parseExtmap('4/recvonly urn:ietf:params:rtp-hdrext:sdes:mid x y'), { id: 4, direction: 'recvonly', uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', attributes: 'x y' });
  t.equal(parseExtmap('4/bogus urn:x'), undefined);
  t.equal(parseExtmap('urn:x'), undefined);
  const e = { id: 9, direction: 'sendonly' as const, uri: 'urn:x' };
  t.same(parseExtmap(formatExtmap(e).value ?? ''), e);
});

t.test('direction: media overrides session, default sendrecv, last line wins', async (t) => {
  const d = parseSdp('v=0\r\na=sendonly\r\nm=video 0 RTP/AVP 96\r\nm=audio 0 RTP/AVP 0\r\na=inactive\r\na=recvonly\r\n');
  t.equal(effectiveDirection(d, d.media[0]), 'sendonly');
  t.equal(effectiveDirection(d, d.media[1]), 'recvonly');
  t.equal(getDirection([{ key: 'sendonly', value: 'x' }]), undefined, 'with a value it is not a direction');
  const n = parseSdp('m=video 0 RTP/AVP 96\r\n');
  t.equal(effectiveDirection(n, n.media[0]), 'sendrecv');
});

t.test('source-filter (RFC 4570): SSM source for a multicast camera', async (t) => {
  const d = parseSdp(
    'v=0\r\na=source-filter: incl IN IP4 232.3.4.5 192.0.2.10\r\nm=video 5004 RTP/AVP 96\r\nc=IN IP4 232.3.4.5/64\r\n' +
      'm=audio 5006 RTP/AVP 0\r\na=source-filter: excl IN IP4 * 192.0.2.11 192.0.2.12\r\n',
  );
  t.same(sourceFilters(d, d.media[0]), [{ mode: 'incl', netType: 'IN', addrType: 'IP4', destination: '232.3.4.5', sources: ['192.0.2.10'] }]);
  t.same(sourceFilters(d, d.media[1]), [{ mode: 'excl', netType: 'IN', addrType: 'IP4', destination: '*', sources: ['192.0.2.11', '192.0.2.12'] }]);
  t.equal(parseSourceFilter('incl IN IP4 232.3.4.5'), undefined, 'no source');
  t.equal(parseSourceFilter('maybe IN IP4 232.3.4.5 1.2.3.4'), undefined);
  const f = parseSourceFilter('incl IN IP6 ff3e::1 2001:db8::1') ?? t.fail('parse');
  t.same(parseSourceFilter(formatSourceFilter(f as never).value ?? ''), f);
});

t.test('ICE/DTLS parameters are passed through, media level before session level', async (t) => {
  const d = parseSdp(
    'v=0\r\na=ice-ufrag:sess\r\na=fingerprint:sha-256 AB:CD\r\na=ice-options:trickle renomination\r\n' +
      'm=video 9 UDP/TLS/RTP/SAVPF 96\r\na=ice-ufrag:abcd\r\na=ice-pwd:secretsecretsecretsecret\r\na=setup:actpass\r\n',
  );
  t.same(transportParameters(d, d.media[0]), {
    iceUfrag: 'abcd',
    icePwd: 'secretsecretsecretsecret',
    iceOptions: ['trickle', 'renomination'],
    fingerprint: { algorithm: 'sha-256', value: 'AB:CD' },
    setup: 'actpass',
  });
  t.equal(transportParameters(d).iceUfrag, 'sess');
});
