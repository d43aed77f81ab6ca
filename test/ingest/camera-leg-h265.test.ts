/** The camera leg on an H.265 track: RFC 7798 depacketizing, sprop parameter sets, DONL from the fmtp, loss handling. */
import t from 'tap';
import { CameraLeg, firstVideoTrack } from '../../lib/ingest/camera-leg.js';
import { H265Packetizer } from '../../lib/h265/packetizer.js';
import { parseRtp, type RtpPacket } from '../../lib/rtp/packet.js';
import type { AccessUnit } from '../../lib/h264/index.js';
import { parseH265Fmtp } from '../../lib/sdp/index.js';
import type { RtspSessionInfo, RtspTrack } from '../../lib/rtsp/client/types.js';
import { FakeTimers } from '../support/fake-clock.js';
import { PPS, SPS, VPS, nal } from '../h265/vectors.js';

function session(fmtp: string): { info: RtspSessionInfo; track: RtspTrack } {
  const track = {
    index: 1, mediaType: 'video', codec: 'H265', payloadType: 96, clockRate: 90000, control: 'rtsp://x/trackID=1',
    sdp: { formats: [{ payloadType: 96, codec: 'H265', h265: parseH265Fmtp(`96 ${fmtp}`) }], payloadTypes: [96] },
  } as unknown as RtspTrack;
  const audio = { index: 0, mediaType: 'audio', codec: 'PCMA' } as unknown as RtspTrack;
  return { info: { transport: 'tcp', tracks: [audio, track], rtpInfo: [{ url: 'rtsp://x/trackID=1', seq: 100 }] } as unknown as RtspSessionInfo, track };
}

function packets(): RtpPacket[] {
  const pz = new H265Packetizer({ mtu: 600, sequenceNumber: 100 });
  const units = [[nal(19, new Array(1500).fill(0x55))], [nal(1, new Array(900).fill(0x33))], [nal(1, new Array(300).fill(0x22))]];
  return units.flatMap((u, i) => pz.packetize(u, i * 3000).map((b) => parseRtp(b)));
}

const b64 = (u: Uint8Array) => Buffer.from(u).toString('base64');
const FMTP = `sprop-vps=${b64(VPS)};sprop-sps=${b64(SPS)};sprop-pps=${b64(PPS)}`;

t.test('an H.265 track is picked and depacketized, its sprop parameter sets put in front of the IRAP', async (t) => {
  const { info, track } = session(FMTP);
  t.equal(firstVideoTrack(info), track, 'the H.265 track, not the audio one');
  const aus: AccessUnit[] = [];
  const clock = new FakeTimers();
  const leg = new CameraLeg({ clock, upstream: { sendNack: () => true, requestKeyframe: () => true }, onAccessUnit: (au) => aus.push(au), depacketizer: { insertParameterSets: true } });
  leg.start(info, track);
  for (const p of packets()) leg.onRtp(p);
  t.equal(aus.length, 3);
  t.ok(aus[0].keyframe);
  t.same(aus[0].nalus.slice(0, 3).map((n) => (n[0] >> 1) & 63), [32, 33, 34], 'VPS, SPS, PPS from the SDP');
  t.ok(aus.every((a) => a.complete));
  t.ok(leg.h265?.parameterSets.complete);
  t.equal(leg.h264, undefined);
  t.equal(leg.stats().keyframes, 1);
});

t.test('dropIncomplete: a lost FU drops its unit and asks for a keyframe; sprop-max-don-diff > 0 turns DONL on', async (t) => {
  const { info, track } = session(`${FMTP};sprop-max-don-diff=0`);
  const aus: AccessUnit[] = [];
  let plis = 0;
  const clock = new FakeTimers();
  const leg = new CameraLeg({ clock, upstream: { sendNack: () => true, requestKeyframe: () => { plis++; return true; } }, onAccessUnit: (au) => aus.push(au), dropIncomplete: true });
  leg.start(info, track);
  const pkts = packets();
  pkts.forEach((p, i) => { if (i !== 1) leg.onRtp(p); });
  await clock.advance(10);
  t.equal(aus.length, 0, 'the broken IRAP and what depends on it are dropped');
  t.ok(plis >= 1, 'a keyframe is asked for');

  const donl = session(`${FMTP};sprop-max-don-diff=2`);
  const got: AccessUnit[] = [];
  const leg2 = new CameraLeg({ clock, upstream: { sendNack: () => true, requestKeyframe: () => true }, onAccessUnit: (au) => got.push(au) });
  leg2.start(donl.info, donl.track);
  // a single NAL unit packet with DONL 5 between its header and its payload
  leg2.onRtp({ ...pkts[0], sequenceNumber: 100, marker: true, payload: Uint8Array.of(0x26, 0x01, 0, 5, 0x80, 7) });
  t.same([...got[0].nalus[0]], [0x26, 0x01, 0x80, 7], 'DONL stripped');
});
