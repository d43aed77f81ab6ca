/**
 * Audio sample entries read by ffprobe: real AAC (ffmpeg's encoder, ADTS) muxed beside the demo
 * clip's video as a camera would send both, and real Opus (libopus, Ogg) alone. Every frame
 * must be counted, at the right rate and channel count, and decode without an error.
 */
import t, { type Test } from 'tap';
import { mkdtempSync, readFileSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Mp4Muxer } from '../../lib/mp4/muxer.js';
import { splitAnnexB } from '../../lib/h264/nal.js';
import { loadH264Clip } from '../../lib/rtsp/server/h264-clip.js';
import { missingTool } from '../../test/support/env.js';
import { demoClip } from '../../test/support/demo-clip.js';
import { runTool } from '../../test/support/spawn-tool.js';
import { parseAdts } from '../../test/support/adts.js';
import { parseOggOpus, opusPacketSamples } from '../../test/support/ogg-opus.js';

interface ProbedStream { codec_name: string; codec_type: string; sample_rate?: string; channels?: number; nb_read_frames: string }

const missing = missingTool('ffprobe') || missingTool('ffmpeg');
if (missing) {
  t.comment('skip: ' + missing);
} else {
  const dir = mkdtempSync(join(tmpdir(), 'camwire-mp4-audio-'));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));

  const probe = async (t: Test, file: string): Promise<ProbedStream[]> => {
    const r = await runTool('ffprobe', ['-v', 'error', '-count_frames', '-show_streams', '-of', 'json', file], 60_000);
    t.equal(r.code, 0, r.stderr);
    t.equal(r.stderr, '', 'ffprobe reads it without a complaint');
    const decode = await runTool('ffmpeg', ['-v', 'error', '-i', file, '-f', 'null', '-'], 60_000);
    t.equal(decode.code, 0);
    t.equal(decode.stderr, '', 'ffmpeg decodes it without an error');
    return (JSON.parse(r.stdout) as { streams: ProbedStream[] }).streams;
  };

  t.test('H.264 + AAC (48 kHz stereo, ffmpeg aac), interleaved by time', async (t) => {
    const source = await demoClip();
    if (!source.path) { t.comment('skip: ' + source.skip); return; }
    const aacFile = join(dir, 'tone.aac');
    const enc = await runTool('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000:duration=5',
      '-ac', '2', '-c:a', 'aac', '-b:a', '96k', '-f', 'adts', aacFile], 60_000);
    t.equal(enc.code, 0, enc.stderr);
    const aac = parseAdts(readFileSync(aacFile));
    const clip = loadH264Clip(splitAnnexB(readFileSync(source.path)));
    const muxer = new Mp4Muxer([
      { kind: 'video', codec: 'h264', sps: clip.sps, pps: clip.pps },
      { kind: 'audio', codec: 'aac', audioSpecificConfig: aac.audioSpecificConfig },
    ]);
    const out: Uint8Array[] = [muxer.initSegment()];
    const keep = (f: Uint8Array | undefined) => { if (f) out.push(f); };
    // RTP timestamps: video 90 kHz from 1e9, audio 48 kHz from a random-looking base; interleave by seconds
    let a = 0;
    clip.frames.forEach((frame, v) => {
      keep(muxer.pushVideo(0, { nalus: frame.nalus, timestamp: (1e9 + v * 3000) >>> 0, keyframe: frame.keyframe }));
      for (; a < aac.frames.length && a * 1024 / 48000 <= v / 30; a++) keep(muxer.pushAudio(1, aac.frames[a], (0xfff0_0000 + a * 1024) >>> 0));
    });
    for (; a < aac.frames.length; a++) keep(muxer.pushAudio(1, aac.frames[a], (0xfff0_0000 + a * 1024) >>> 0));
    keep(muxer.flush(0));
    keep(muxer.flush(1));
    const file = join(dir, 'av.mp4');
    writeFileSync(file, Buffer.concat(out));
    const [video, audio] = await probe(t, file);
    t.equal(video.codec_name, 'h264');
    t.equal(Number(video.nb_read_frames), clip.frames.length);
    t.equal(audio.codec_name, 'aac');
    t.equal(audio.sample_rate, '48000');
    t.equal(audio.channels, 2);
    t.equal(Number(audio.nb_read_frames), aac.frames.length, 'every AAC frame');
  });

  t.test('Opus (libopus, stereo, 20 ms packets)', async (t) => {
    const encoders = await runTool('ffmpeg', ['-hide_banner', '-encoders']);
    if (!/\blibopus\b/.test(encoders.stdout)) { t.comment('skip: ffmpeg has no libopus encoder'); return; }
    const oggFile = join(dir, 'tone.ogg');
    const enc = await runTool('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=330:sample_rate=48000:duration=3',
      '-ac', '2', '-c:a', 'libopus', '-b:a', '64k', '-f', 'ogg', oggFile], 60_000);
    t.equal(enc.code, 0, enc.stderr);
    const ogg = parseOggOpus(readFileSync(oggFile));
    t.ok(ogg.packets.length > 100);
    const muxer = new Mp4Muxer([{ kind: 'audio', codec: 'opus', channelCount: ogg.channels, preSkip: ogg.preSkip, inputSampleRate: ogg.inputSampleRate }]);
    const out: Uint8Array[] = [muxer.initSegment()];
    let ts = 0xffff_0000;
    for (const p of ogg.packets) {
      const f = muxer.pushAudio(0, p, ts >>> 0);
      if (f) out.push(f);
      ts += opusPacketSamples(p);
    }
    out.push(muxer.flush(0) as Uint8Array);
    const file = join(dir, 'opus.mp4');
    writeFileSync(file, Buffer.concat(out));
    const [audio] = await probe(t, file);
    t.equal(audio.codec_name, 'opus');
    t.equal(audio.sample_rate, '48000');
    t.equal(audio.channels, 2);
    t.equal(Number(audio.nb_read_frames), ogg.packets.length, 'every Opus packet');
  });
}
