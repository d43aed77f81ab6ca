/**
 * UDP multicast from camwire's demo camera: the server in one network namespace, ffmpeg and
 * GStreamer in another (a veth pair between them), both receiving the same group at once.
 * Two namespaces because a receiver on the server's host cannot bind the group port the
 * server's RTCP socket holds. Needs root and `ip netns`; skipped with a reason otherwise.
 */
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { missingTool, repoRoot, inCI } from '../../test/support/env.js';
import { runTool } from '../../test/support/spawn-tool.js';
import { demoClip } from '../../test/support/demo-clip.js';

const tag = `${process.pid % 100000}`;
const nsServer = `cwmc-s-${tag}`;
const nsClient = `cwmc-c-${tag}`;
const vethS = `cwms${tag}`;
const vethC = `cwmc${tag}`;
const serverIp = '10.213.7.1';
const clientIp = '10.213.7.2';

function ip(...args: string[]): boolean {
  return spawnSync('ip', args, { stdio: 'ignore' }).status === 0;
}

function teardownNamespaces(): void {
  ip('netns', 'del', nsServer);
  ip('netns', 'del', nsClient);
}

function setUpNamespaces(): string | undefined {
  if (!ip('netns', 'add', nsServer)) return 'cannot create network namespaces (needs root and ip netns)';
  const steps: string[][] = [
    ['netns', 'add', nsClient],
    ['link', 'add', vethS, 'type', 'veth', 'peer', 'name', vethC],
    ['link', 'set', vethS, 'netns', nsServer],
    ['link', 'set', vethC, 'netns', nsClient],
    ['-n', nsServer, 'addr', 'add', `${serverIp}/24`, 'dev', vethS],
    ['-n', nsClient, 'addr', 'add', `${clientIp}/24`, 'dev', vethC],
    ['-n', nsServer, 'link', 'set', 'lo', 'up'],
    ['-n', nsClient, 'link', 'set', 'lo', 'up'],
    ['-n', nsServer, 'link', 'set', vethS, 'up'],
    ['-n', nsClient, 'link', 'set', vethC, 'up'],
    ['-n', nsServer, 'route', 'add', '224.0.0.0/4', 'dev', vethS],
    ['-n', nsClient, 'route', 'add', '224.0.0.0/4', 'dev', vethC],
  ];
  for (const s of steps) if (!ip(...s)) return `ip ${s.join(' ')} failed`;
  return undefined;
}

t.test('ffmpeg and GStreamer receive the same multicast group from another namespace', async (t) => {
  const why = missingTool('ffmpeg') || missingTool('gst-launch-1.0', '--version') || missingTool('ip', '-V');
  if (why) { t.comment('skip: ' + why); return; }
  const clip = await demoClip();
  if (clip.skip) { t.comment('skip: ' + clip.skip); return; }
  const problem = setUpNamespaces();
  t.teardown(teardownNamespaces);
  if (problem) {
    if (inCI && process.getuid?.() === 0) throw new Error(problem);
    t.comment('skip: ' + problem);
    return;
  }
  const main = join(repoRoot, 'dist', 'test', 'support', 'demo-camera-main.js');
  const server = spawn('ip', ['netns', 'exec', nsServer, process.execPath, main, '--host', serverIp, '--port', '8554', '--multicast', '--clip', clip.path!], { stdio: ['ignore', 'pipe', 'pipe'] });
  t.teardown(() => { server.kill('SIGTERM'); });
  const ready = await new Promise<boolean>((resolve) => {
    const timer = setTimeout(() => resolve(false), 15000);
    server.stdout.on('data', (d: Buffer) => { if (d.toString().includes('demo camera at')) { clearTimeout(timer); resolve(true); } });
    server.on('exit', () => { clearTimeout(timer); resolve(false); });
  });
  t.ok(ready, 'demo camera started in the server namespace');
  if (!ready) return;
  const url = `rtsp://${serverIp}:8554/demo`;
  const [ff, gst] = await Promise.all([
    runTool('ip', ['netns', 'exec', nsClient, 'ffmpeg', '-hide_banner', '-loglevel', 'error', '-rtsp_transport', 'udp_multicast', '-i', url, '-frames:v', '50', '-f', 'framemd5', '-'], 60000),
    runTool('ip', ['netns', 'exec', nsClient, 'gst-launch-1.0', '-q', 'rtspsrc', `location=${url}`, 'protocols=udp-mcast', '!', 'rtph264depay', '!', 'h264parse', '!', 'fakesink', 'num-buffers=50'], 60000),
  ]);
  t.equal(ff.code, 0, `ffmpeg exit code (${ff.stderr.slice(0, 200)})`);
  const lines = ff.stdout.split('\n').filter((l) => l && !l.startsWith('#'));
  t.equal(lines.filter((l) => l.startsWith('0,')).length, 50, 'ffmpeg decoded 50 frames from the group');
  t.ok(lines.some((l) => l.startsWith('1,')), 'and the audio track from its own port pair of the group');
  t.equal(ff.stderr.trim(), '', 'no errors');
  t.equal(gst.code, 0, `GStreamer reached EOS (${gst.stderr.slice(0, 200)})`);
});
