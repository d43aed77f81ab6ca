/**
 * FFmpeg interop over plain RTP, both directions, on a libx265 clip (GOP 15, no B-frames, headers
 * repeated before each IDR):
 *  1. ffmpeg `-f rtp` (its RFC 7798 packetizer) -> camwire's depacketizer: the clip's NAL units;
 *  2. camwire's packetizer -> ffmpeg (SDP file): decodes every frame, copies out the same units.
 */
import t from 'tap';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseRtp } from '../../lib/rtp/packet.js';
import { splitAnnexB } from '../../lib/h264/nal.js';
import type { AccessUnit } from '../../lib/h264/access-unit.js';
import { H265Depacketizer, H265Packetizer } from '../../lib/h265/index.js';
import { missingTool } from '../../test/support/env.js';
import { run, sleep, udpCollector, freePortPair, waitBound, sendAll } from '../h264/tools.js';

const FRAMES = 45;
const hex = (n: Uint8Array) => Buffer.from(n).toString('hex');

const why = missingTool('ffmpeg');
if (why) {
  t.comment('skip: ' + why);
} else {
  t.test('libx265 clip: ffmpeg RTP -> camwire, camwire RTP -> ffmpeg, same NAL units', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'camwire-h265-'));
    t.teardown(() => rmSync(dir, { recursive: true, force: true }));
    const clip = join(dir, 'clip.hevc');
    const enc = await run('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=30', '-frames:v', String(FRAMES),
      '-c:v', 'libx265', '-pix_fmt', 'yuv420p', '-x265-params', 'log-level=error:keyint=15:min-keyint=15:bframes=0:repeat-headers=1', '-f', 'hevc', clip]);
    t.equal(enc.code, 0, enc.stderr);
    const reference = splitAnnexB(readFileSync(clip)).map(hex);

    // 1. ffmpeg as the RTP sender
    const rx = await udpCollector();
    const send = await run('ffmpeg', ['-v', 'error', '-re', '-r', '30', '-i', clip, '-c', 'copy', '-f', 'rtp', `rtp://127.0.0.1:${rx.port}`]);
    await sleep(100);
    rx.close();
    t.equal(send.code, 0, send.stderr);
    const packets = rx.messages.map((m) => parseRtp(m));
    const aus: AccessUnit[] = [];
    const d = new H265Depacketizer((au) => aus.push(au), { firstSequenceNumber: packets[0].sequenceNumber });
    for (const p of packets) d.push(p);
    d.flush();
    t.equal(aus.length, FRAMES, 'one access unit per frame');
    t.equal(aus.filter((a) => a.keyframe).length, 3, 'three IRAP pictures');
    t.equal(d.stats.lostPackets + d.stats.malformed + d.stats.fragmentsWithoutStart + d.stats.fragmentsUnterminated, 0, 'zero errors');
    // ffmpeg's RTP muxer, reading an Annex-B file, sends the leading 00 of the next 4-byte start
    // code as the last byte of a NAL unit (a NAL unit never ends in 00: it is byte-stream framing);
    // camwire passes it on as sent, so the units are compared without trailing zero bytes
    const camwire = aus.flatMap((a) => a.nalus.map(hex));
    const trailingZeros = camwire.filter((n) => n.endsWith('00')).length;
    t.equal(camwire.length, reference.length, 'as many NAL units as the clip');
    t.ok(camwire.every((n, i) => n.replace(/(00)+$/, '') === reference[i]), 'identical NAL units in identical order');
    t.comment(`${trailingZeros} units carried ffmpeg's trailing zero byte`);
    t.comment(`${packets.length} RTP packets from ffmpeg (${d.stats.fuPackets} FU, ${d.stats.apPackets} AP), ${reference.length} NAL units`);

    // 2. camwire as the RTP sender; the clip is sent twice (UDP has no end): ffmpeg stops after FRAMES
    const port = await freePortPair();
    const sdp = join(dir, 'camwire.sdp');
    writeFileSync(sdp, ['v=0', 'o=- 0 0 IN IP4 127.0.0.1', 's=camwire', 'c=IN IP4 127.0.0.1', 't=0 0',
      `m=video ${port} RTP/AVP 96`, 'a=rtpmap:96 H265/90000', ''].join('\r\n'));
    const pz = new H265Packetizer({ payloadType: 96, ssrc: 0x1234abcd, sequenceNumber: 65500 });
    const span = (aus[aus.length - 1].timestamp - aus[0].timestamp + 3000) >>> 0;
    const ours = [...aus, ...aus].flatMap((a, i) => pz.packetize(a.nalus, (a.timestamp + (i >= aus.length ? span : 0)) >>> 0));
    t.ok(ours.every((p) => p.length <= 1200), 'no packet over 1200 bytes');
    t.ok(pz.stats.apPackets > 0 && pz.stats.fuPackets > 0, 'APs and FUs sent');
    const copyOut = join(dir, 'copy.hevc');
    const recv = run('ffmpeg', ['-v', 'error', '-y', '-protocol_whitelist', 'file,udp,rtp', '-i', sdp,
      '-map', '0:v', '-frames:v', String(FRAMES), '-f', 'framecrc', '-', '-map', '0:v', '-frames:v', String(FRAMES), '-c', 'copy', '-f', 'hevc', copyOut], 30_000);
    await waitBound(port);
    await sendAll(ours, port);
    const got = await recv;
    const errors = got.stderr.split('\n').filter((l) => l.trim() !== '');
    t.same(errors, [], 'ffmpeg reports no error reading and decoding camwire\'s RTP');
    t.equal(got.stdout.split('\n').filter((l) => /^\d+,/.test(l)).length, FRAMES, 'ffmpeg decoded every frame');
    const copied = splitAnnexB(readFileSync(copyOut)).map(hex);
    t.equal(copied.length, reference.length, 'ffmpeg copied out as many NAL units');
    t.ok(copied.every((n, i) => n === reference[i]), 'ffmpeg depacketizes camwire\'s RTP to the original NAL units');
  });
}
