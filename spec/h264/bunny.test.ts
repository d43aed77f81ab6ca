/**
 * The corpus capture of a Wowza server (bunny.rtsp, channel 2 = H.264 PT 97) depacketizes to
 * the expected access units with zero errors; FFmpeg decodes the result without complaint.
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { parseRtp, type RtpPacket } from '../../lib/rtp/packet.js';
import { H264Depacketizer, type AccessUnit } from '../../lib/h264/depacketizer.js';
import { joinAnnexB } from '../../lib/h264/nal.js';
import { interleavedFrames, readCorpus, corpusFile, missingTool } from '../../test/support/env.js';

/** The obvious reference: one access unit per timestamp, units taken straight from RFC 6184. */
function reference(packets: RtpPacket[]): { timestamp: number; nalus: string[] }[] {
  const out: { timestamp: number; nalus: string[] }[] = [];
  let fu: number[] = [];
  for (const p of packets) {
    if (out.length === 0 || out[out.length - 1].timestamp !== p.timestamp) out.push({ timestamp: p.timestamp, nalus: [] });
    const au = out[out.length - 1].nalus;
    const b = Buffer.from(p.payload);
    const type = b[0] & 0x1f;
    if (type === 24) {
      for (let i = 1; i < b.length; i += 2 + b.readUInt16BE(i)) au.push(b.subarray(i + 2, i + 2 + b.readUInt16BE(i)).toString('hex'));
    } else if (type === 28) {
      if (b[1] & 0x80) fu = [(b[0] & 0xe0) | (b[1] & 0x1f)];
      fu.push(...b.subarray(2));
      if (b[1] & 0x40) au.push(Buffer.from(fu).toString('hex'));
    } else au.push(b.toString('hex'));
  }
  return out;
}

t.test('Wowza bunny.rtsp: 245 access units, all complete, zero errors, equal to the reference', async (t) => {
  const buf = readCorpus('bunny.rtsp');
  if (!buf) { t.comment('skip: ' + corpusFile('bunny.rtsp').skip); return; }
  const packets = interleavedFrames(buf).filter((f) => f.channel === 2).map((f) => parseRtp(f.data));
  t.equal(packets.length, 269, 'corpus README: 269 H.264 packets');
  t.ok(packets.every((p) => p.payloadType === 97));
  const aus: AccessUnit[] = [];
  const d = new H264Depacketizer((au) => aus.push(au), { firstSequenceNumber: packets[0].sequenceNumber });
  for (const p of packets) d.push(p);
  const ref = reference(packets);
  t.equal(aus.length, 245, '245 marker bits, 245 timestamps');
  t.same(aus.map((a) => ({ timestamp: a.timestamp, nalus: a.nalus.map((n) => Buffer.from(n).toString('hex')) })), ref);
  t.ok(aus.every((a) => a.complete));
  const s = d.stats;
  t.same([s.malformed, s.lostPackets, s.fragmentsUnterminated, s.fragmentsWithoutStart, s.unsupportedPackets, s.duplicates, s.unknownStarts], [0, 0, 0, 0, 0, 0, 0]);
  t.same([s.stapAPackets, s.fuAPackets, s.singleNalUnits], [2, 20, 247], 'corpus README: 20 FU-A, 2 STAP-A');
  t.same(aus[0].nalus.map((n) => n[0] & 0x1f), [7, 8, 6, 5], 'STAP-A with SPS+PPS+SEI+IDR');
  t.same(aus[0].nalus.map((n) => n.length), [21, 4, 650, 127], 'QUIRKS J: sizes 21/4/650/127');

  const why = missingTool('ffmpeg');
  if (why) { t.comment('skip ffmpeg decode: ' + why); return; }
  const stream = Buffer.concat(aus.map((a) => joinAnnexB(a.nalus)));
  const r = spawnSync('ffmpeg', ['-v', 'error', '-f', 'h264', '-i', '-', '-f', 'framecrc', '-'], { input: stream });
  t.equal(r.status, 0);
  t.equal(r.stderr.toString(), '', 'ffmpeg decodes without errors');
  const frames = r.stdout.toString().split('\n').filter((l) => /^\d+,/.test(l)).length;
  t.equal(frames, 245, 'every access unit decodes to a frame');
});
