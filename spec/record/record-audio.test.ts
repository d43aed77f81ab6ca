/**
 * A GStreamer camera sending H.264 and AAC (or Opus) recorded in 2 s segments: each closed
 * segment carries the camera's audio as a second track, as sent, and ffprobe reads both
 * tracks with no error, the audio as long as the picture (within a frame or two).
 */
import t from 'tap';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startGateway } from '../../lib/app/start.js';
import { missingTool } from '../../test/support/env.js';
import { FakeTransport } from '../../test/support/fake-transport.js';
import { missingGstElements } from '../../test/support/gst-audio.js';
import { missingGstRtspServer, startGstServer } from '../support/gst-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const CODECS = [
  { codec: 'aac', elements: ['voaacenc', 'rtpmp4gpay'], probe: 'aac' },
  { codec: 'opus', elements: ['opusenc', 'rtpopuspay'], probe: 'opus' },
] as const;

interface Probed {
  streams: { codec_type: string; codec_name: string; nb_read_packets?: string; duration?: string }[];
}

t.test('AAC and Opus cameras: the audio is in every segment', async (t) => {
  for (const [tool, arg] of [['ffprobe', '-version']] as const) {
    const why = missingTool(tool, arg);
    if (why) return void t.comment('skip: ' + why);
  }
  const gst = missingGstRtspServer();
  if (gst) return void t.comment('skip: ' + gst);
  for (const c of CODECS) {
    const missing = missingGstElements([...c.elements]);
    if (missing) {
      t.comment(`skip ${c.codec}: ${missing}`);
      continue;
    }
    await t.test(c.codec, async (t) => {
      const dir = mkdtempSync(join(tmpdir(), 'camwire-record-audio-'));
      t.teardown(() => rmSync(dir, { recursive: true, force: true }));
      const cam = await startGstServer({ audio: c.codec, keyInt: 30 });
      const gw = await startGateway(
        { http: { host: '127.0.0.1', port: 0 }, streams: { cam: { url: cam.url(), transport: 'tcp', record: { dir, segmentSeconds: 2, fragmentSeconds: 0.5 } } } },
        { transport: new FakeTransport() },
      );
      try {
        await sleep(5000);
        const rec = (gw.gateway.snapshot().find((s) => s.stream.name === 'cam')?.recording);
        t.equal(rec?.audio, c.codec, `the recording carries ${c.codec}`);
        t.ok(Number(rec?.audioFrames) > 0, `audio frames recorded: ${rec?.audioFrames}`);
      } finally {
        await gw.close();
        await cam.stop();
      }
      const files = readdirSync(join(dir, 'cam')).sort();
      t.ok(files.length >= 2, `${files.length} segments`);
      for (const name of files.slice(0, -1)) {
        const r = spawnSync('ffprobe', ['-v', 'error', '-count_packets', '-show_entries', 'stream=codec_type,codec_name,nb_read_packets,duration', '-of', 'json', join(dir, 'cam', name)], { encoding: 'utf8' });
        t.equal(r.stderr.trim(), '', `${name}: ffprobe reads it without error`);
        const p = JSON.parse(r.stdout) as Probed;
        const video = p.streams.find((s) => s.codec_type === 'video');
        const audio = p.streams.find((s) => s.codec_type === 'audio');
        t.equal(audio?.codec_name, c.probe, `${name}: an ${c.probe} track`);
        t.ok(Number(audio?.nb_read_packets) > 0, `${name}: ${audio?.nb_read_packets} audio packets, ${video?.nb_read_packets} video`);
        const gap = Math.abs(Number(audio?.duration) - Number(video?.duration));
        t.ok(gap < 0.1, `${name}: audio ${audio?.duration} s, video ${video?.duration} s`);
      }
    });
  }
});
