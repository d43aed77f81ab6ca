/**
 * FFmpeg interop, both directions, for libx264 baseline and high, with and without slices:
 *  1. ffmpeg `-f rtp` -> camwire depacketizer == ffmpeg's own Annex-B output of the same encode;
 *  2. camwire packetizer -> ffmpeg (SDP file) decodes with no error and copies out the same units;
 *  3. tshark's H.264 dissector agrees on the FU-A start/end bits, nothing malformed.
 *
 * Why compare NAL by NAL and not byte by byte: `h264_mp4toannexb` writes 4-byte start codes
 * before some units and 3-byte ones before others; the start codes are framing, not content.
 * The NAL units themselves must be identical, in the same order. x264 writes no AUD; its SEI
 * (version string) is part of the first access unit in both outputs. The RTP muxer sends SPS/PPS
 * only in the SDP (the encode has global headers), and h264_mp4toannexb inserts them right before
 * each IDR: camwire does the same from the sprop-parameter-sets (`insertParameterSets`).
 */
import t, { type Test } from 'tap';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRtp } from '../../lib/rtp/packet.js';
import { H264Depacketizer, type AccessUnit } from '../../lib/h264/depacketizer.js';
import { H264Packetizer } from '../../lib/h264/packetizer.js';
import { splitAnnexB, NalType } from '../../lib/h264/nal.js';
import { missingTool } from '../../test/support/env.js';
import { pcapOfUdp } from '../../test/support/pcap-h264.js';
import { run, sleep, udpCollector, freePortPair, waitBound, sendAll } from './tools.js';

const FRAMES = 45; // 1.5 s at 30 fps, GOP 15: three IDRs
const hex = (n: Uint8Array) => Buffer.from(n).toString('hex');

const variants = [
  { name: 'baseline', args: ['-profile:v', 'baseline'] },
  { name: 'baseline, 4 slices', args: ['-profile:v', 'baseline', '-x264-params', 'slices=4'] },
  { name: 'high', args: ['-profile:v', 'high'] },
  { name: 'high, 4 slices', args: ['-profile:v', 'high', '-x264-params', 'slices=4'] },
];

const missing = missingTool('ffmpeg') || missingTool('tshark', '-v');
if (missing) {
  t.comment('skip: ' + missing);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'camwire-h264-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const v of variants) t.test(`libx264 ${v.name}`, (t) => variant(t, dir, v.name.replace(/\W+/g, '-'), v.args));
}

async function variant(t: Test, dir: string, name: string, encodeArgs: string[]): Promise<void> {
  const clip = join(dir, `${name}.mkv`);
  const enc = await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', `testsrc2=size=640x360:rate=30`, '-frames:v', String(FRAMES),
    '-c:v', 'libx264', ...encodeArgs, '-g', '15', '-pix_fmt', 'yuv420p', clip]);
  t.equal(enc.code, 0, enc.stderr);
  const annexB = join(dir, `${name}.h264`);
  t.equal((await run('ffmpeg', ['-v', 'error', '-y', '-i', clip, '-c', 'copy', '-bsf:v', 'h264_mp4toannexb', '-f', 'h264', annexB])).code, 0);
  const reference = splitAnnexB(readFileSync(annexB)).map(hex);

  // 1. ffmpeg as the RTP sender, camwire as the receiver
  const rx = await udpCollector();
  const sdpFile = join(dir, `${name}.sdp`);
  const send = await run('ffmpeg', ['-v', 'error', '-re', '-i', clip, '-c', 'copy', '-f', 'rtp', '-sdp_file', sdpFile, `rtp://127.0.0.1:${rx.port}`]);
  await sleep(100);
  rx.close();
  t.equal(send.code, 0, send.stderr);
  const sdp = readFileSync(sdpFile, 'utf8');
  const sprop = /sprop-parameter-sets=([^;\s]+)/.exec(sdp)?.[1] ?? '';
  const parameterSets = sprop.split(',').map((b) => Uint8Array.from(Buffer.from(b, 'base64')));
  const packets = rx.messages.map((m) => parseRtp(m));
  const aus: AccessUnit[] = [];
  const d = new H264Depacketizer((au) => aus.push(au), { parameterSets, insertParameterSets: true, firstSequenceNumber: packets[0].sequenceNumber });
  for (const p of packets) d.push(p);
  t.equal(aus.length, FRAMES, 'one access unit per frame');
  t.ok(aus.every((a) => a.complete), 'all complete');
  t.equal(d.stats.lostPackets + d.stats.malformed + d.stats.fragmentsWithoutStart + d.stats.fragmentsUnterminated, 0, 'zero errors');
  t.equal(aus.filter((a) => a.keyframe).length, 3, 'three IDRs');
  const camwire = aus.flatMap((a) => a.nalus.map(hex));
  t.equal(camwire.length, reference.length, 'same number of NAL units as h264_mp4toannexb');
  t.ok(camwire.every((n, i) => n === reference[i]), 'identical NAL units in identical order');
  t.comment(`${name}: ${packets.length} RTP packets from ffmpeg (${d.stats.fuAPackets} FU-A, ${d.stats.stapAPackets} STAP-A), ${reference.length} NAL units`);

  // 2. camwire as the RTP sender (SPS/PPS only from the sprop, inserted by the packetizer), ffmpeg as the receiver
  const port = await freePortPair();
  const camSdp = join(dir, `${name}-camwire.sdp`);
  writeFileSync(camSdp, ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=camwire', 'c=IN IP4 127.0.0.1', 't=0 0',
    `m=video ${port} RTP/AVP 96`, 'a=rtpmap:96 H264/90000', 'a=fmtp:96 packetization-mode=1', ''].join('\r\n'));
  const packetizer = new H264Packetizer({ payloadType: 96, ssrc: 0x1234abcd, sequenceNumber: 65500, parameterSets });
  const withoutParameterSets = aus.map((a) => a.nalus.filter((n) => (n[0] & 0x1f) !== NalType.Sps && (n[0] & 0x1f) !== NalType.Pps));
  const ours = withoutParameterSets.flatMap((nalus, i) => packetizer.packetize(nalus, aus[i].timestamp));
  t.equal(packetizer.stats.parameterSetsInserted, 3, 'SPS/PPS inserted before each IDR');
  t.ok(ours.every((p) => p.length <= 1200), 'no packet over 1200 bytes');
  // UDP has no end of stream (and this ffmpeg ignores RTCP BYE on an SDP input), so the clip is
  // sent twice: the repeat only pushes the decoder's delayed frames out; ffmpeg stops after FRAMES.
  const span = (aus[aus.length - 1].timestamp - aus[0].timestamp + 3000) >>> 0;
  const trailer = withoutParameterSets.flatMap((nalus, i) => packetizer.packetize(nalus, (aus[i].timestamp + span) >>> 0));
  const copyOut = join(dir, `${name}-copy.h264`);
  const recv = run('ffmpeg', ['-v', 'error', '-y', '-protocol_whitelist', 'file,udp,rtp', '-i', camSdp,
    '-map', '0:v', '-frames:v', String(FRAMES), '-f', 'framecrc', '-', '-map', '0:v', '-frames:v', String(FRAMES), '-c', 'copy', '-f', 'h264', copyOut], 30_000);
  await waitBound(port);
  await sendAll([...ours, ...trailer], port);
  const got = await recv;
  // With B-frames the RTP timestamp is the presentation time and RTP carries no decode time, so
  // ffmpeg's muxers (not its decoder) complain about DTS (backwards, or after PTS); ffmpeg's own RTP gets the same.
  const errors = got.stderr.split('\n').filter((l) => l.trim() !== '' && !/non monotonically increasing dts|pts \(-?\d+\) < dts \(-?\d+\)/.test(l));
  t.same(errors, [], 'ffmpeg reports no error reading and decoding camwire\'s RTP: ' + JSON.stringify(errors));
  t.equal(got.stdout.split('\n').filter((l) => /^\d+,/.test(l)).length, FRAMES, 'ffmpeg decoded every frame');
  const copied = splitAnnexB(readFileSync(copyOut)).map(hex);
  t.ok(copied.length === reference.length && copied.every((n, i) => n === reference[i]), 'ffmpeg depacketizes camwire\'s RTP to the original NAL units');

  // 3. tshark's H.264 dissector on camwire's packets
  const pcap = join(dir, `${name}.pcap`);
  writeFileSync(pcap, pcapOfUdp(ours, 40000, port));
  const ts = await run('tshark', ['-r', pcap, '-d', `udp.port==${port},rtp`, '-d', 'rtp.pt==96,h264', '-T', 'fields', '-E', 'separator=;',
    '-e', 'rtp.seq', '-e', 'rtp.marker', '-e', 'h264.nal_unit_type', '-e', 'h264.start.bit', '-e', 'h264.end.bit']);
  t.equal(ts.code, 0, ts.stderr);
  const rows = ts.stdout.trim().split('\n').map((l) => l.split(';'));
  t.equal(rows.length, ours.length, 'tshark saw every packet');
  let inFragment = false;
  let fragments = 0;
  let agree = 0;
  rows.forEach((r, i) => {
    const payload = parseRtp(ours[i]).payload;
    if ((payload[0] & 0x1f) !== NalType.FuA) return;
    fragments++;
    const start = r[3].split(',')[0] === '1' || r[3].split(',')[0] === 'True';
    const end = r[4].split(',')[0] === '1' || r[4].split(',')[0] === 'True';
    // a well-formed FU-A run: S on the first fragment only, E on the last only, no overlap
    if (start === !inFragment && (start || inFragment)) agree++;
    inFragment = !end;
  });
  t.ok(fragments > 0, 'the stream has FU-A fragments');
  t.equal(agree, fragments, 'start bits open and end bits close every FU-A run');
  t.notOk(inFragment, 'the last run is closed');
  const bad = await run('tshark', ['-r', pcap, '-d', `udp.port==${port},rtp`, '-d', 'rtp.pt==96,h264', '-Y', '_ws.malformed || _ws.expert.severity >= error', '-T', 'fields', '-e', 'frame.number', '-e', '_ws.expert.message']);
  // (tshark 4.0 adds a "Not decoded yet" warning to every FU-A fragment: it does not reassemble them)
  t.equal(bad.stdout.trim(), '', 'no malformed packets, no expert errors');
}
