/**
 * tshark (not camwire's reader) opens what a captured gateway wrote: the demo camera behind
 * Digest auth over UDP -> camwire with `capture.dir` -> an in-memory viewer that NACKs and
 * asks for a keyframe. Interfaces `camera` and `viewer-*`, RTP and RTCP on both, the viewer's
 * NACKs, one retransmission comment per packet camwire counts as retransmitted, the merged PLI
 * noted on the camera leg, nothing malformed, and the camera's password nowhere in the file.
 * Then a directory that cannot be written: the capture fails alone, the stream plays on.
 */
import t from 'tap';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { startDemoCamera } from '../../lib/rtsp/server/demo-camera.js';
import { startGateway } from '../../lib/app/start.js';
import { buildNack, buildPli } from '../../lib/rtsp/index.js';
import { FakeTransport, type FakePeer } from '../../test/support/fake-transport.js';
import { CHROMIUM_OFFER } from '../../test/support/offers.js';
import { missingTool } from '../../test/support/env.js';
import { createLogger } from '../../lib/log/logger.js';
import { systemClock } from '../../lib/clock.js';

const PASSWORD = 'Sup3r-s3cret-cam-pw';
const dir = mkdtempSync(join(tmpdir(), 'camwire-capture-spec-'));
t.teardown(() => rmSync(dir, { recursive: true, force: true }));

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function tshark(file: string, fields: string[], filter?: string): string[][] {
  const args = ['-r', file, '--enable-heuristic', 'rtp_udp', '-T', 'fields', '-E', 'separator=|', ...fields.flatMap((f) => ['-e', f])];
  if (filter) args.push('-Y', filter);
  const r = spawnSync('tshark', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.length > 0).map((l) => l.split('|'));
}

t.test('a captured stream opens in tshark with both legs, the decisions as comments, and no secret', async (t) => {
  const why = missingTool('tshark', '-v');
  if (why) return void t.comment('skip: ' + why);
  const camera = await startDemoCamera({ host: '127.0.0.1', port: 0, auth: { users: { researcher: PASSWORD } } });
  t.teardown(() => camera.close());
  const url = camera.url.replace('rtsp://', `rtsp://researcher:${PASSWORD}@`);
  const capDir = join(dir, 'ok');
  const transport = new FakeTransport();
  const gw = await startGateway(
    { http: { host: '127.0.0.1', port: 0 }, streams: { hall: { url, transport: 'udp', onDemand: false } }, capture: { dir: capDir } },
    { transport },
  );
  const stream = gw.gateway.stream('hall')!;
  const viewer = await gw.gateway.addViewer(stream, CHROMIUM_OFFER);
  const peer = transport.peers[0] as FakePeer;
  await sleep(1500);
  t.ok(peer.rtp.length > 20, `the viewer got RTP (${peer.rtp.length} packets)`);
  // The viewer asks again for a few packets it got, and for a keyframe.
  const sent = peer.rtp.slice(-6).map((p) => (p[2] << 8) | p[3]);
  const ssrc = Buffer.from(peer.rtp[0]).readUInt32BE(8);
  peer.handlers.onRtcp(buildNack(0x1234, ssrc, sent));
  peer.handlers.onRtcp(buildPli(0x1234, ssrc));
  await sleep(600);
  const api = (await (await fetch(`${gw.address}/api/streams`)).json()) as { streams: Record<string, any>[] };
  const hall = api.streams.find((s) => s.name === 'hall')!;
  t.equal(hall.capture?.state, 'writing', '/api/streams shows the capture writing');
  const metrics = await (await fetch(`${gw.address}/metrics`)).text();
  t.match(metrics, /camwire_stream_capture_records_total\{stream="hall"\} [1-9]/);
  const counts = viewer.stats();
  await gw.close();

  const files = readdirSync(capDir);
  t.equal(files.length, 1, 'one file for the stream');
  t.match(files[0], /^hall-\d{8}T\d{6}Z\.pcapng$/, '<stream>-<UTC start>.pcapng');
  const file = join(capDir, files[0]);
  t.notOk(readFileSync(file).includes(Buffer.from(PASSWORD)), 'the camera password is nowhere in the file');
  t.notOk(readFileSync(file).includes(Buffer.from('Authorization')), 'no RTSP header in the file');

  const rows = tshark(file, ['frame.interface_name', 'rtp.seq', 'rtcp.pt', 'rtcp.rtpfb.fmt', 'frame.comment']);
  const on = (name: RegExp) => rows.filter((r) => name.test(r[0]));
  const cam = on(/^camera$/);
  const view = on(/^viewer-hall-/);
  t.ok(cam.filter((r) => r[1]).length > 20, `camera: RTP decoded (${cam.filter((r) => r[1]).length})`);
  t.ok(cam.some((r) => r[2].includes('200')), 'camera: the camera\'s sender report');
  t.ok(cam.some((r) => r[2].includes('206') && /PLI forwarded to camera \(merged \d+\)/.test(r[4])), 'camera: the PLI camwire sent, noted as forwarded');
  t.ok(view.filter((r) => r[1]).length >= counts.packetsSent, `viewer: every RTP packet sent (${view.filter((r) => r[1]).length})`);
  t.ok(view.some((r) => r[2].includes('205') && r[3].includes('1')), 'viewer: the viewer\'s NACK (RTPFB fmt 1)');
  t.ok(view.some((r) => r[2].includes('200')), 'viewer: camwire\'s sender report');
  const retransmissions = view.filter((r) => /^retransmission for NACK seq \d+$/.test(r[4])).length;
  t.equal(retransmissions, counts.retransmitted + counts.rtxSent, `one retransmission comment per resent packet (${retransmissions})`);
  t.ok(counts.retransmitted + counts.rtxSent > 0, 'camwire resent packets');
  t.ok(view.some((r) => r[4] === 'keyframe-cache replay') || counts.keyframeCacheStarts === 0, 'cache replay noted when the viewer started on it');
  const malformed = tshark(file, ['frame.number'], '_ws.malformed || _ws.expert.severity == error');
  t.equal(malformed.length, 0, 'nothing malformed');
});

t.test('an unwritable capture directory: one log line, state failed, the stream plays on', async (t) => {
  const camera = await startDemoCamera({ host: '127.0.0.1', port: 0 });
  t.teardown(() => camera.close());
  const blocker = join(dir, 'a-file');
  writeFileSync(blocker, 'not a directory');
  const transport = new FakeTransport();
  const lines: string[] = [];
  const log = createLogger(systemClock, (l) => void (l.includes(' capture ') && lines.push(l)));
  const gw = await startGateway(
    { http: { host: '127.0.0.1', port: 0 }, streams: { hall: { url: camera.url, onDemand: false } }, capture: { dir: join(blocker, 'captures') } },
    { transport, log },
  );
  const stream = gw.gateway.stream('hall')!;
  await gw.gateway.addViewer(stream, CHROMIUM_OFFER);
  await sleep(1200);
  const before = (transport.peers[0] as FakePeer).rtp.length;
  await sleep(500);
  const s = stream.stats();
  t.equal(s.capture?.state, 'failed', 'the capture failed');
  t.match(s.capture?.error, /ENOTDIR|EEXIST/, 'with the error code');
  t.ok((transport.peers[0] as FakePeer).rtp.length > before, 'the viewer still gets media');
  t.equal(lines.length, 1, 'one log line');
  t.notMatch(lines.join(''), /\/\/.*@/, 'no URL with credentials in it');
  await gw.close();
});
