/**
 * Regression vectors for real-camera SDP quirks (corpus QUIRKS.md H and I), written by hand
 * after the facts recorded there; each test is named after the device.
 */
import t from 'tap';
import { describeTracks, getAttribute, parseSdp, serializeSdp } from '../../lib/sdp/index.js';

t.test('Bosch/Mercury/fritzbox: LF-only SDP parses like CRLF', async (t) => {
  const lf = 'v=0\no=- 1 1 IN IP4 10.0.0.9\ns=LIVE VIEW\nt=0 0\nm=video 0 RTP/AVP 35\na=rtpmap:35 H264/90000\n';
  t.same(parseSdp(lf), parseSdp(lf.replace(/\n/g, '\r\n')));
  t.equal(describeTracks(parseSdp(lf))[0].payloadTypes[0], 35);
});

t.test('Anpviz: final line without terminator is still read', async (t) => {
  const d = parseSdp('v=0\r\ns=x\r\nm=video 0 RTP/AVP 96\r\na=appversion:1.0');
  t.equal(getAttribute(d.media[0].attributes, 'appversion'), '1.0');
});

t.test('gortsplib#448 camera: only an m= section (no v/o/s/t)', async (t) => {
  const d = parseSdp('m=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000\r\na=control:trackID=0\r\n');
  t.equal(d.version, 0);
  t.equal(d.origin.username, '-');
  t.same(d.timings, [{ start: '0', stop: '0', repeats: [] }]);
  const [track] = describeTracks(d);
  t.equal(track.codec, 'H264');
  t.equal(track.control, 'trackID=0');
  t.match(serializeSdp(d), /^v=0\r\no=- 0 0 IN IP4 0\.0\.0\.0\r\ns= \r\nt=0 0\r\nm=video/);
});

t.test('Wisenet NVR: no o= and no t=; H.265 camera: no s=', async (t) => {
  const d = parseSdp('v=0\r\ns=DWC-MV94WiAT\r\nc=IN IP4 10.1.10.178\r\nm=video 0 RTP/AVP 96\r\n');
  t.equal(d.sessionName, 'DWC-MV94WiAT');
  t.equal(d.origin.address, '0.0.0.0');
  const n = parseSdp('v=0\r\no=- 3899 3899 IN IP4 192.168.1.10\r\nm=video 0 RTP/AVP 96\r\n');
  t.equal(n.sessionName, '');
});

t.test('WUHAN Ants RtspServer: session attribute before s=', async (t) => {
  const d = parseSdp('v=0\r\na=control:*\r\ns=WUHAN Ants RtspServer\r\nt=0 0\r\nm=video 0 RTP/AVP 96\r\na=control:track0\r\n');
  t.equal(d.sessionName, 'WUHAN Ants RtspServer');
  t.same(d.attributes, [{ key: 'control', value: '*' }]);
  t.equal(describeTracks(d)[0].control, 'track0');
});

t.test('RtspServer: repeated s=/i=/a=control inside media do not clobber the session', async (t) => {
  const d = parseSdp('v=0\ns=RtspServer\ni=live\nt=0 0\nm=video 0 RTP/AVP 96\ns=RtspServer\ni=live\na=control:track0\na=control:track0\n');
  t.equal(d.sessionName, 'RtspServer');
  t.equal(d.information, 'live');
  t.equal(d.media[0].title, 'live');
  t.equal(describeTracks(d)[0].control, 'track0');
});

t.test('TP-Link/Mercury: a fourth number in o= and application/TP-LINK media', async (t) => {
  const d = parseSdp('v=0\no=- 14665860 31787219 1 IN IP4 192.168.2.29\ns=x\nt=0 0\nm=application/TP-LINK 0 RTP/AVP smart/1/90000\na=rtpmap:95 TP-LINK/90000\na=control:track3\n');
  t.same(d.origin, { username: '-', sessionId: '14665860', sessionVersion: '31787219', netType: 'IN', addrType: 'IP4', address: '192.168.2.29' });
  t.equal(d.media[0].type, 'application/TP-LINK');
  t.same(d.media[0].formats, ['smart/1/90000']);
  const [track] = describeTracks(d);
  t.same(track.payloadTypes, [95]);
  t.equal(track.codec, 'TP-LINK');
  t.equal(track.clockRate, 90000);
});

t.test('odd origins: usernames with spaces, -0, missing address, IP nettype, IPV4, decimals', async (t) => {
  const o = (line: string) => parseSdp(`v=0\r\n${line}\r\n`).origin;
  t.same(o('o=RTSP Session 1 2 IN IP4 0.0.0.0'), { username: 'RTSP Session', sessionId: '1', sessionVersion: '2', netType: 'IN', addrType: 'IP4', address: '0.0.0.0' });
  t.same(o('o=JefferyZhang Inno Fuzhou 0 0 IN IP4 127.0.0.1').username, 'JefferyZhang Inno Fuzhou');
  t.same(o('o=-0 0 IN IP4 127.0.0.1'), { username: '-0', sessionId: '0', sessionVersion: '0', netType: 'IN', addrType: 'IP4', address: '127.0.0.1' });
  t.same(o('o=Channel1 3910280086 3910366486 IN IP4'), { username: 'Channel1', sessionId: '3910280086', sessionVersion: '3910366486', netType: 'IN', addrType: 'IP4', address: '' });
  t.same(o('o=- 1001 1 IN '), { username: '-', sessionId: '1001', sessionVersion: '1', netType: 'IN', addrType: '', address: '' });
  t.equal(o('o=- 1329416390 1329416390 IP IP4 192.168.1.1').netType, 'IP');
  t.equal(o('o=- 1 1 IN IPV4 10.10.10.10').addrType, 'IPV4');
  t.equal(o('o=- 1698210484.879535 1698210484.879535 IN IP4 46.242.10.231:12626').sessionId, '1698210484.879535');
  t.equal(o('o=- -1962418793961427 -1962418793961418 IN IP4 192.168.221.104').sessionId, '-1962418793961427');
  t.equal(o('o=- 18302136002250915122 1 IN IP4 host').sessionId, '18302136002250915122', '64-bit id not rounded');
});

t.test('odd connections: Uniview c=IN, HIK V3.1.3 doubled c=, no addrtype, In, Avigilon SM', async (t) => {
  const c = (line: string) => parseSdp(`v=0\r\n${line}\r\n`).connection;
  t.same(c('c=IN'), { netType: 'IN', addrType: '', address: '' });
  t.same(c('c=IN c=IN IP4 0.0.0.0'), { netType: 'IN', addrType: 'IP4', address: '0.0.0.0' });
  t.same(c('c=IN 198.51.100.1'), { netType: 'IN', addrType: 'IP4', address: '198.51.100.1' });
  t.same(c('c=In IP4 0.0.0.0'), { netType: 'In', addrType: 'IP4', address: '0.0.0.0' });
  t.same(c('c=SM SM spk0_trackID2'), { netType: 'SM', addrType: 'SM', address: 'spk0_trackID2' });
});

t.test('H264DVR/IPCAM: trailing whitespace, tab after m=, double spaces in rtpmap', async (t) => {
  const d = parseSdp('v=0\r\ns=RTSP Session\r\nm=video 0 RTP/AVP 96\r\na=rtpmap:96 H264/90000 \r\nm=audio 0 RTP/AVP 8\t \r\na=rtpmap:97  G726-32/8000\r\n');
  t.same(d.media[0].attributes, [{ key: 'rtpmap', value: '96 H264/90000' }]);
  t.same(d.media[1].formats, ['8']);
  const tracks = describeTracks(d);
  t.equal(tracks[0].codec, 'H264');
  t.equal(tracks[1].codec, 'PCMA');
});

t.test('BZBGear: a=rtpmap:123 META /0', async (t) => {
  const [track] = describeTracks(parseSdp('m=meta 0 RTP/AVP 123\r\nb=AS:0\r\na=rtpmap:123 META /0\r\n'));
  t.equal(track.mediaType, 'meta');
  t.equal(track.codec, 'META');
  t.equal(track.clockRate, 0);
});

t.test('Wowza/Sony: a=framerate=25.0 reads as framerate 25.0; a=framerate:0S kept raw', async (t) => {
  const d = parseSdp('m=video 0 RTP/AVP 96\r\na=framerate=25.0\r\na=framerate:0S\r\n');
  t.same(d.media[0].attributes, [{ key: 'framerate', value: '25.0' }, { key: 'framerate', value: '0S' }]);
});

t.test('Ubiquiti: fmtp with spaces after ";", and a=fmtp:96 with no parameters', async (t) => {
  const [aac, opus] = describeTracks(parseSdp(
    'm=audio 0 RTP/AVP 96\r\na=rtpmap:96 mpeg4-generic/48000/1\r\na=fmtp:96 streamtype=5; profile-level-id=15; mode=AAC-hbr; config=1188; SizeLength=13;\r\n' +
      'm=audio 0 RTP/AVP 96\r\na=rtpmap:96 opus/48000/2\r\na=fmtp:96\r\n',
  ));
  t.same([...aac.formats[0].fmtp], [['streamtype', '5'], ['profile-level-id', '15'], ['mode', 'AAC-hbr'], ['config', '1188'], ['sizelength', '13']]);
  t.equal(opus.formats[0].fmtp.size, 0);
  t.equal(aac.payloadTypes[0], opus.payloadTypes[0], 'same PT in two media stays per media');
  t.equal(opus.codec, 'opus');
  t.equal(opus.channels, 2);
});

t.test('RTSP server with fmtp for the video PT placed in the audio section', async (t) => {
  const [video, audio] = describeTracks(parseSdp(
    'm=video 0 RTP/AVP 96\na=rtpmap:96 H264/90000\na=control:track0\nm=audio 0 RTP/AVP 8\na=rtpmap:0 pcma/8000/1\na=control:track1\n' +
      'a=fmtp:96 packetization-mode=1;profile-level-id=4D001F;sprop-parameter-sets=Z00AH5WoFAFuQA==,aO48gA==\n',
  ));
  t.equal(video.formats[0].h264?.packetizationMode, 1);
  t.same(video.formats[0].h264?.sps, Uint8Array.from([0x67, 0x4d, 0x00, 0x1f, 0x95, 0xa8, 0x14, 0x01, 0x6e, 0x40]));
  t.equal(audio.codec, 'PCMA', 'static PT 8 wins over an rtpmap for PT 0 not in m=');
});

t.test('Anpviz/Hikvision: static PT with a contradicting rtpmap uses the rtpmap', async (t) => {
  const [a, b] = describeTracks(parseSdp('m=audio 0 RTP/AVP 0\r\na=rtpmap:0 MPEG4-GENERIC/16000/2\r\nm=audio 0 RTP/AVP 11\r\na=rtpmap:11 PCM/48000\r\n'));
  t.same([a.codec, a.clockRate, a.channels], ['MPEG4-GENERIC', 16000, 2]);
  t.same([b.codec, b.clockRate, b.channels], ['PCM', 48000, 1]);
});

t.test('CV-RTSPHandler: camera video marked sendonly is reported as is', async (t) => {
  const [v, a] = describeTracks(parseSdp('v=0\ns=Camera\na=recvonly\nm=video 0 RTP/AVP 99\na=sendonly\nm=audio 0 RTP/AVP 0\n'));
  t.equal(v.direction, 'sendonly');
  t.equal(a.direction, 'recvonly', 'session-level direction inherited');
});

t.test('Hikvision: vendor extensions kept in order, never interpreted', async (t) => {
  const d = parseSdp('m=application 0 RTP/AVP 107\r\na=Media_header:MEDIAINFO=494D4B48;\r\na=appversion:1.0\r\na=x-dimensions: 1280, 720\r\n');
  t.same(d.media[0].attributes, [
    { key: 'Media_header', value: 'MEDIAINFO=494D4B48;' },
    { key: 'appversion', value: '1.0' },
    { key: 'x-dimensions', value: '1280, 720' },
  ]);
});

t.test('FLIR: t=now- and AJA: r=0 0', async (t) => {
  t.same(parseSdp('v=0\r\nt=now-\r\n').timings, [{ start: 'now-', stop: '0', repeats: [] }]);
  t.same(parseSdp('v=0\r\nt=0 0\r\nr=0 0\r\n').timings, [{ start: '0', stop: '0', repeats: ['0 0'] }]);
});

t.test('RTSP servers with fmtp before rtpmap, and Uniview with two rtpmaps for one PT', async (t) => {
  const [v, back] = describeTracks(parseSdp(
    'm=video 0 RTP/AVP 96\r\na=fmtp:96 packetization-mode=1\r\na=rtpmap:96 H264/90000\r\n' +
      'm=audio 0 RTP/AVP 0\r\na=rtpmap:0 PCMA/8000\r\na=rtpmap:0 PCMU/8000\r\na=sendonly\r\n',
  ));
  t.equal(v.formats[0].h264?.packetizationMode, 1);
  t.equal(back.codec, 'PCMA', 'the first rtpmap for a PT wins');
  t.equal(back.direction, 'sendonly', 'a real ONVIF back channel');
});

t.test('HIK V5: a=fmtp:97 inside a PT-104 track does not invent a format', async (t) => {
  const [track] = describeTracks(parseSdp('m=audio 0 RTP/AVP 104\r\na=rtpmap:104 mpeg4-generic/16000/1\r\na=fmtp:97 config=1408\r\n'));
  t.same(track.payloadTypes, [104]);
  t.equal(track.formats[0].fmtp.size, 0);
});

t.test('Avigilon: c= after a= inside media, and a second odd c= line kept', async (t) => {
  const d = parseSdp('m=audio 0 RTP/AVP 0 97\r\na=control:trackID=2\r\nc=IN IP4 192.0.2.63\r\nc=SM SM spk0_trackID2\r\n');
  t.equal(d.media[0].connections.length, 2);
  t.equal(d.media[0].connections[0].address, '192.0.2.63');
  t.same(describeTracks(d)[0].payloadTypes, [0, 97]);
});

t.test('Multicast camera: c=IN IP4 239.x/5 per media gives address and TTL', async (t) => {
  const d = parseSdp('v=0\r\nm=video 5004 RTP/AVP 96\r\nc=IN IP4 239.3.1.142/5\r\n');
  t.same(d.media[0].connections, [{ netType: 'IN', addrType: 'IP4', address: '239.3.1.142', ttl: 5 }]);
});
