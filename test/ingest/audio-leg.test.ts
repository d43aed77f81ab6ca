import t from 'tap';
import { AudioLeg, chooseAudioTrack, wantVideoAndAudio } from '../../lib/ingest/audio-leg.js';
import { describeTracks, parseSdp } from '../../lib/sdp/index.js';
import type { RtpPacket } from '../../lib/rtp/packet.js';
import type { RtspSessionInfo, RtspTrack, RtspTransportMode } from '../../lib/rtsp/client/types.js';
import { FakeTimers } from '../support/fake-clock.js';

/** Axis-like description: H.264, then G.726 (nobody plays it), then PCMU, then Opus. */
const SDP = [
  'v=0', 'o=- 1 1 IN IP4 10.0.0.5', 's=cam', 't=0 0',
  'm=video 0 RTP/AVP 96', 'a=rtpmap:96 H264/90000', 'a=control:trackID=1',
  'm=audio 0 RTP/AVP 97', 'a=rtpmap:97 G726-32/8000', 'a=control:trackID=2',
  'm=audio 0 RTP/AVP 0', 'a=rtpmap:0 PCMU/8000', 'a=control:trackID=3',
  'm=audio 0 RTP/AVP 111', 'a=rtpmap:111 opus/48000/2', 'a=control:trackID=4', '',
].join('\r\n');

const tracks = describeTracks(parseSdp(SDP));

function session(transport: RtspTransportMode): { info: RtspSessionInfo; track: RtspTrack } {
  const track = { index: 1, mediaType: 'audio', codec: 'PCMU', payloadType: 0, clockRate: 8000, control: 'rtsp://x/trackID=3', sdp: tracks[2] } as RtspTrack;
  const info = { transport, tracks: [track], rtpInfo: [{ url: 'rtsp://x/trackID=3', seq: 100 }], generation: 1 } as unknown as RtspSessionInfo;
  return { info, track };
}

const pkt = (seq: number, pt = 0): RtpPacket => ({
  version: 2, padding: false, extension: false, marker: false, payloadType: pt, sequenceNumber: seq & 0xffff, timestamp: (seq * 160) >>> 0,
  ssrc: 7, csrcs: [], payload: new Uint8Array(160).fill(seq & 0xff),
} as unknown as RtpPacket);

t.test('the first audio track camwire can use is set up; the ones before it are named with their reason', (t) => {
  const choice = chooseAudioTrack(tracks);
  t.equal(choice.track, tracks[2], 'PCMU, not G.726 nor the later Opus');
  t.equal(choice.desc?.codec, 'pcmu');
  t.same(choice.skipped, ['G726-32: AUDIO_UNSUPPORTED_CODEC']);
  t.same(tracks.map((x) => wantVideoAndAudio(x, tracks)), [true, false, true, false], 'video and one audio track');
  t.end();
});

t.test('UDP: a reordered packet is put back in order, a duplicate dropped, a loss declared after the hold', async (t) => {
  const clock = new FakeTimers();
  const frames: number[] = [];
  const leg = new AudioLeg({ clock, onFrame: (f) => frames.push(f.sequenceNumber) });
  const { info, track } = session('udp');
  leg.start(info, track);
  for (const s of [100, 102, 101, 101, 103]) leg.onRtp(pkt(s));
  await clock.advance(250); // the reorder buffer's start-up hold
  t.same(frames, [100, 101, 102, 103], 'in order, once each');
  leg.onRtp(pkt(105));
  leg.onRtp(pkt(106, 8));
  await clock.advance(250);
  t.same(frames, [100, 101, 102, 103, 105], '104 given up after the hold time');
  const s = leg.stats();
  t.match(s, { codec: 'pcmu', clockRate: 8000, channels: 1, received: 6, lost: 1, duplicates: 1, foreign: 1, frames: 5 });
  leg.stop();
  t.equal(leg.stats().frames, 5, 'stats survive stop');
  t.end();
});

t.test('TCP: packets go straight to the depacketizer, a gap is a loss', (t) => {
  const clock = new FakeTimers();
  const frames: { seq: number; discontinuity: boolean }[] = [];
  const leg = new AudioLeg({ clock, onFrame: (f) => frames.push({ seq: f.sequenceNumber, discontinuity: f.discontinuity }) });
  const { info, track } = session('tcp');
  leg.start(info, track);
  for (const s of [100, 101, 103]) leg.onRtp(pkt(s));
  t.same(frames, [{ seq: 100, discontinuity: false }, { seq: 101, discontinuity: false }, { seq: 103, discontinuity: true }]);
  t.equal(leg.stats().lost, 1);
  t.end();
});
