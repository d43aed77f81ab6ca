/**
 * ffprobe and ffmpeg read camwire's demo camera over UDP and TCP, with and without
 * authentication. The server runs in this process on real time; the tools run as children.
 */
import t from 'tap';
import { startDemoCamera, type DemoCameraOptions } from '../../lib/rtsp/server/demo-camera.js';
import { missingTool } from '../../test/support/env.js';
import { runTool } from '../../test/support/spawn-tool.js';
import { demoClip } from '../../test/support/demo-clip.js';

const FRAMES = 50;

async function camera(t: { teardown(fn: () => unknown): void }, opts: DemoCameraOptions = {}) {
  const clip = await demoClip();
  const cam = await startDemoCamera({ port: 0, clip: clip.path!, ...opts });
  t.teardown(() => cam.close());
  return cam;
}

async function probeSize(args: string[]): Promise<{ codec?: string; width?: number; height?: number; stderr: string }> {
  const r = await runTool('ffprobe', ['-hide_banner', '-v', 'error', '-select_streams', 'v:0', '-show_entries', 'stream=codec_name,width,height', '-of', 'json', ...args], 30000);
  try {
    const s = JSON.parse(r.stdout).streams?.[0] ?? {};
    return { codec: s.codec_name, width: s.width, height: s.height, stderr: r.stderr };
  } catch {
    return { stderr: r.stderr };
  }
}

/** Decodes FRAMES frames; returns how many were decoded and what ffmpeg complained about. */
async function decode(url: string, transport: string): Promise<{ frames: number; errors: string; code: number | null }> {
  const r = await runTool('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-rtsp_transport', transport, '-i', url, '-map', '0:v', '-frames:v', String(FRAMES), '-f', 'framemd5', '-'], 60000);
  const frames = r.stdout.split('\n').filter((l) => l && !l.startsWith('#')).length;
  return { frames, errors: r.stderr.trim(), code: r.code };
}

t.test('ffprobe and ffmpeg over TCP and UDP', async (t) => {
  const why = missingTool('ffmpeg') || missingTool('ffprobe');
  if (why) { t.comment('skip: ' + why); return; }
  const clip = await demoClip();
  if (clip.skip) { t.comment('skip: ' + clip.skip); return; }
  const expected = await probeSize([clip.path!]);
  t.equal(expected.codec, 'h264');
  const cam = await camera(t);
  for (const transport of ['tcp', 'udp']) {
    const got = await probeSize(['-rtsp_transport', transport, cam.url]);
    t.equal(got.codec, 'h264', `${transport}: h264`);
    t.equal(got.width, expected.width, `${transport}: width ${expected.width}`);
    t.equal(got.height, expected.height, `${transport}: height ${expected.height}`);
    const d = await decode(cam.url, transport);
    t.equal(d.code, 0, `${transport}: ffmpeg exit code`);
    t.equal(d.frames, FRAMES, `${transport}: ${FRAMES} frames decoded`);
    t.equal(d.errors, '', `${transport}: no decoder or RTSP errors`);
  }
  t.equal(cam.server.stats().sessions, 0, 'every ffmpeg session ended (TEARDOWN or connection close)');
});

t.test('the audio track beside the video: ffprobe sees both, ffmpeg decodes the beeps over TCP and UDP', async (t) => {
  const why = missingTool('ffmpeg') || missingTool('ffprobe');
  if (why) { t.comment('skip: ' + why); return; }
  const clip = await demoClip();
  if (clip.skip) { t.comment('skip: ' + clip.skip); return; }
  const cam = await camera(t, { audio: 'pcma' });
  for (const transport of ['tcp', 'udp']) {
    const probe = await runTool('ffprobe', ['-v', 'error', '-rtsp_transport', transport, '-show_entries', 'stream=codec_type,codec_name,sample_rate,channels', '-of', 'json', cam.url], 30000);
    const streams = (JSON.parse(probe.stdout).streams ?? []).map((s: Record<string, unknown>) => `${s.codec_type}:${s.codec_name}${s.sample_rate ? `/${s.sample_rate}/${s.channels}` : ''}`);
    t.same(streams, ['video:h264', 'audio:pcm_alaw/8000/1'], `${transport}: both tracks`);
    // 3 s of the audio track: three 100 ms beeps at -6 dBFS, silence between
    const r = await runTool('ffmpeg', ['-hide_banner', '-rtsp_transport', transport, '-i', cam.url, '-map', '0:a', '-t', '3', '-af', 'volumedetect', '-f', 'null', '-'], 60000);
    const max = Number(/max_volume: (-?[\d.]+) dB/.exec(r.stderr)?.[1]);
    const mean = Number(/mean_volume: (-?[\d.]+) dB/.exec(r.stderr)?.[1]);
    const samples = Number(/n_samples: (\d+)/.exec(r.stderr)?.[1]);
    t.equal(r.code, 0, `${transport}: ffmpeg exit code`);
    t.ok(samples >= 8000 * 2.9 && samples <= 8000 * 3.1, `${transport}: ${samples} samples in 3 s at 8 kHz`);
    t.ok(max > -7 && max < -5, `${transport}: the beeps peak at ${max} dB (-6 sent)`);
    t.ok(mean > -22 && mean < -16, `${transport}: mean ${mean} dB (100 ms of beep a second: about -19)`);
  }
  t.ok(cam.server.stats().streams['/demo'].audioPackets > 0, 'the server counts its audio packets');
});

for (const method of ['basic', 'digest'] as const) {
  t.test(`${method} auth: ffmpeg with rtsp://user:pass@ plays, a wrong password is refused`, async (t) => {
    const why = missingTool('ffmpeg');
    if (why) { t.comment('skip: ' + why); return; }
    const clip = await demoClip();
    if (clip.skip) { t.comment('skip: ' + clip.skip); return; }
    const cam = await camera(t, { auth: { users: { viewer: 's3cret' }, methods: [method] } });
    const withCreds = (user: string, pass: string) => cam.url.replace('rtsp://', `rtsp://${user}:${pass}@`);
    const ok = await decode(withCreds('viewer', 's3cret'), 'tcp');
    t.equal(ok.code, 0);
    t.equal(ok.frames, FRAMES);
    const bad = await decode(withCreds('viewer', 'wrong'), 'tcp');
    t.not(bad.code, 0, 'wrong password fails');
    t.equal(bad.frames, 0);
    t.match(bad.errors, /401|Unauthorized/i);
    t.ok(cam.server.stats().authFailures >= 1);
  });
}

t.test('across the loop point: ffmpeg decodes past the end of the clip with rising timestamps and no errors', async (t) => {
  const why = missingTool('ffmpeg') || missingTool('ffprobe');
  if (why) { t.comment('skip: ' + why); return; }
  const clip = await demoClip();
  if (clip.skip) { t.comment('skip: ' + clip.skip); return; }
  const count = await runTool('ffprobe', ['-v', 'error', '-count_frames', '-select_streams', 'v:0', '-show_entries', 'stream=nb_read_frames', '-of', 'csv=p=0', clip.path!], 60000);
  const clipFrames = Number(count.stdout.trim());
  t.ok(clipFrames > 0, `the clip has ${clipFrames} frames`);
  const cam = await camera(t);
  const frames = Math.ceil(clipFrames * 1.3);
  const r = await runTool('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-rtsp_transport', 'tcp', '-i', cam.url, '-map', '0:v', '-frames:v', String(frames), '-f', 'framemd5', '-'], 120000);
  t.equal(r.code, 0);
  t.equal(r.stderr.trim(), '', 'no decoder errors at the loop point');
  const pts = r.stdout.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => Number(l.split(',')[2]));
  t.equal(pts.length, frames, `${frames} frames decoded, more than one loop`);
  t.ok(pts.every((p, i) => i === 0 || p > pts[i - 1]), 'presentation timestamps keep rising across the loop');
  t.ok(cam.server.stats().streams['/demo'].frames >= clipFrames, 'the server went round the loop');
});
