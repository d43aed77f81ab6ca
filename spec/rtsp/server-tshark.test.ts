/**
 * Wire check: what camwire's server sends over UDP (RTP with H.264 payloads, RTCP SR + SDES)
 * is written to a pcap and decoded by tshark: no malformed packets, consecutive sequence
 * numbers, and the sender report names the stream's SSRC.
 */
import t from 'tap';
import { createSocket } from 'node:dgram';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RtspServer } from '../../lib/rtsp/server/server.js';
import { clipSource } from '../../lib/rtsp/server/demo-camera.js';
import { parseSession, parseTransport } from '../../lib/rtsp/protocol/headers/index.js';
import { missingTool } from '../../test/support/env.js';
import { runTool } from '../../test/support/spawn-tool.js';
import { demoClip } from '../../test/support/demo-clip.js';
import { buildPcap, type UdpRecord } from '../../test/support/pcap.js';
import { VirtualScheduler } from '../../test/support/virtual-clock.js';
import { RtspTestClient, ioTurn } from '../../test/support/rtsp-test-client.js';

t.test('tshark decodes the server\'s RTP/H.264 and RTCP without malformed packets', async (t) => {
  const why = missingTool('tshark', '-v');
  if (why) { t.comment('skip: ' + why); return; }
  const clip = await demoClip();
  if (clip.skip) { t.comment('skip: ' + clip.skip); return; }
  const clock = new VirtualScheduler();
  const server = new RtspServer({ port: 0, clock: clock, senderReportIntervalMs: 500 });
  server.addStream('/demo', clipSource(clip.path!));
  await server.listen();
  t.teardown(() => server.close());
  const rtp = createSocket('udp4');
  const rtcp = createSocket('udp4');
  await new Promise<void>((r) => rtp.bind(0, '127.0.0.1', r));
  await new Promise<void>((r) => rtcp.bind(0, '127.0.0.1', r));
  t.teardown(() => { rtp.close(); rtcp.close(); });
  const records: UdpRecord[] = [];
  const clientRtp = rtp.address().port;
  const clientRtcp = rtcp.address().port;
  rtp.on('message', (m, r) => records.push({ payload: m, srcPort: r.port, dstPort: clientRtp, timeMs: clock.now() }));
  rtcp.on('message', (m, r) => records.push({ payload: m, srcPort: r.port, dstPort: clientRtcp, timeMs: clock.now() }));

  const c = await RtspTestClient.connect(server.port);
  t.teardown(() => c.close());
  const url = server.url('/demo');
  const s = await c.request('SETUP', url + '/trackID=0', { Transport: `RTP/AVP;unicast;client_port=${clientRtp}-${clientRtcp}` });
  const ssrc = parseTransport(s.headers.get('Transport')!).ssrc!;
  await c.request('PLAY', url, { Session: parseSession(s.headers.get('Session')!).id });
  for (let ms = 0; ms < 2000; ms += 33) {
    clock.advance(33);
    await ioTurn(2);
  }
  await ioTurn(100);
  const rtpCount = records.filter((r) => r.dstPort === clientRtp).length;
  t.ok(rtpCount > 50, `${rtpCount} RTP packets captured`);

  const file = join(mkdtempSync(join(tmpdir(), 'camwire-tshark-')), 'server.pcap');
  writeFileSync(file, buildPcap(records));
  const decode = ['-r', file, '-d', `udp.port==${clientRtp},rtp`, '-d', `udp.port==${clientRtcp},rtcp`, '-d', 'rtp.pt==96,h264'];
  const malformed = await runTool('tshark', [...decode, '-Y', '_ws.malformed || _ws.expert.severity >= error'], 60000);
  t.equal(malformed.code, 0, malformed.stderr.slice(0, 200));
  t.equal(malformed.stdout.trim(), '', 'no malformed or erroneous packets');
  const seqs = await runTool('tshark', [...decode, '-Y', 'rtp', '-T', 'fields', '-e', 'rtp.seq', '-e', 'rtp.ssrc'], 60000);
  const rows = seqs.stdout.trim().split('\n').map((l) => l.split('\t'));
  t.equal(rows.length, rtpCount, 'tshark sees every packet as RTP');
  t.ok(rows.every(([, s]) => parseInt(s, 16) === ssrc), 'all with the announced SSRC');
  t.ok(rows.every(([q], i) => i === 0 || ((Number(q) - Number(rows[i - 1][0])) & 0xffff) === 1), 'consecutive sequence numbers');
  const nal = await runTool('tshark', [...decode, '-Y', 'h264', '-T', 'fields', '-e', 'h264.nal_unit_hdr'], 60000);
  t.ok(nal.stdout.split('\n').some((l) => /\b28\b/.test(l)), 'FU-A fragments present (720p IDRs exceed 1200 bytes)');
  const sr = await runTool('tshark', [...decode, '-Y', 'rtcp.pt == 200', '-T', 'fields', '-e', 'rtcp.senderssrc', '-e', 'rtcp.sdes.text'], 60000);
  const srRows = sr.stdout.trim().split('\n').filter(Boolean);
  t.ok(srRows.length >= 2, `${srRows.length} sender reports`);
  t.ok(srRows.every((l) => parseInt(l.split('\t')[0], 16) === ssrc), 'SR from the stream SSRC');
});
