/**
 * The demo clip (assets/demo.h264) muxed to fragmented MP4 as a live viewer (one frame per
 * fragment) and a recorder (a GOP per fragment) would get it, with the RTP timestamps crossing
 * the 32-bit wrap and a camera restart halfway: ffprobe must count every frame at the right size,
 * with decode times that only go forward, and ffmpeg must decode it all without a complaint.
 */
import t from 'tap';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Mp4Muxer } from '../../lib/mp4/muxer.js';
import { splitAnnexB } from '../../lib/h264/nal.js';
import { parseSps } from '../../lib/h264/sps.js';
import { loadH264Clip } from '../../lib/rtsp/server/h264-clip.js';
import { missingTool } from '../../test/support/env.js';
import { demoClip } from '../../test/support/demo-clip.js';
import { runTool } from '../../test/support/spawn-tool.js';

const missing = missingTool('ffprobe') || missingTool('ffmpeg');
if (missing) {
  t.comment('skip: ' + missing);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'camwire-mp4-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  for (const samplesPerFragment of [1, 30]) {
    t.test(`demo clip, ${samplesPerFragment} sample(s) per fragment`, async (t) => {
      const source = await demoClip();
      if (!source.path) { t.comment('skip: ' + source.skip); return; }
      const clip = loadH264Clip(splitAnnexB(readFileSync(source.path)));
      const sps = parseSps(clip.sps);
      // no parameter sets configured: the muxer learns them from the first keyframe
      const muxer = new Mp4Muxer([{ kind: 'video', codec: 'h264' }], { samplesPerFragment });
      const fragments: Uint8Array[] = [];
      let ts = 0xffff_ffff - 3000 * 20;
      const restartAt = clip.keyframes[Math.floor(clip.keyframes.length / 2)];
      clip.frames.forEach((frame, i) => {
        if (i === restartAt) ts = 0x1234_5678;
        const f = muxer.pushVideo(0, { nalus: frame.nalus, timestamp: ts >>> 0, keyframe: frame.keyframe });
        if (f) fragments.push(f);
        ts += 3000;
      });
      fragments.push(muxer.flush(0) as Uint8Array);
      t.equal(muxer.stats.samples, clip.frames.length);
      t.equal(muxer.stats.timelineRebases, 1);
      const file = join(dir, `demo-${samplesPerFragment}.mp4`);
      writeFileSync(file, Buffer.concat([muxer.initSegment(), ...fragments]));

      const probe = await runTool('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-of', 'json', file]);
      t.equal(probe.code, 0, probe.stderr);
      t.equal(probe.stderr, '', 'ffprobe reads it without a complaint');
      const [stream] = (JSON.parse(probe.stdout) as { streams: Record<string, unknown>[] }).streams;
      t.equal(stream.codec_name, 'h264');
      t.equal(stream.width, sps.width);
      t.equal(stream.height, sps.height);
      t.equal(Number(stream.nb_read_frames), clip.frames.length, 'every frame decoded');

      const packets = await runTool('ffprobe', ['-v', 'error', '-show_entries', 'packet=dts,flags', '-of', 'csv=p=0', file]);
      const rows = packets.stdout.trim().split('\n').map((l) => l.split(','));
      t.equal(rows.length, clip.frames.length);
      const dts = rows.map((r) => Number(r[0]));
      t.ok(dts.every((d, i) => i === 0 || d > dts[i - 1]), 'decode times only go forward, across the wrap and the restart');
      t.equal(dts[dts.length - 1], (clip.frames.length - 1) * 3000, 'the restart is rebased one frame on');
      t.same(rows.flatMap((r, i) => (r[1].startsWith('K') ? [i] : [])), clip.keyframes, 'sync samples are the keyframes');

      const decode = await runTool('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], 60_000);
      t.equal(decode.code, 0);
      t.equal(decode.stderr, '', 'ffmpeg decodes it without an error');
    });
  }
}
