/**
 * Real traffic: ffmpeg's RTP muxer (a camera stand-in) sends RTP and an RTCP SR + SDES
 * over loopback; camwire demultiplexes, parses and re-serializes them byte for byte.
 */
import t from 'tap';
import dgram from 'node:dgram';
import { spawn } from 'node:child_process';
import type { AddressInfo } from 'node:net';
import { parseRtp } from '../lib/rtp/index.js';
import { isRtcp, parseRtcp, serializeRtcp, sdesCname, ntpToMs } from '../lib/rtcp/index.js';
import { missingTool } from '../test/support/env.js';

const SSRC = 0xcafe0001;
const CNAME = 'camwire-ffmpeg';

function bindLoopback(): Promise<dgram.Socket> {
  return new Promise((resolve, reject) => {
    const s = dgram.createSocket('udp4');
    s.once('error', reject);
    s.bind(0, '127.0.0.1', () => resolve(s));
  });
}

t.test('ffmpeg RTP muxer: its SR + SDES parse, match its RTP stream, and re-serialize byte for byte', async (t) => {
  const why = missingTool('ffmpeg');
  if (why) { t.comment('skip: ' + why); return; }
  const rtpSock = await bindLoopback();
  const rtcpSock = await bindLoopback();
  t.teardown(() => { rtpSock.close(); rtcpSock.close(); });
  const rtp: Buffer[] = [];
  const rtcp: Buffer[] = [];
  rtpSock.on('message', (m) => rtp.push(m));
  rtcpSock.on('message', (m) => rtcp.push(m));
  const rtpPort = (rtpSock.address() as AddressInfo).port;
  const rtcpPort = (rtcpSock.address() as AddressInfo).port;
  const startedMs = Date.now();
  const ff = spawn('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-re', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-t', '1',
    '-c:v', 'libx264', '-preset', 'ultrafast', '-f', 'rtp', '-ssrc', String(SSRC | 0), '-cname', CNAME,
    `rtp://127.0.0.1:${rtpPort}?rtcpport=${rtcpPort}`,
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  ff.stderr.on('data', (d) => { stderr += d; });
  const killer = setTimeout(() => ff.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => ff.on('exit', resolve));
  clearTimeout(killer);
  await new Promise((r) => setTimeout(r, 200)); // let the last datagrams land
  t.equal(code, 0, `ffmpeg exited cleanly ${stderr}`);

  t.ok(rtp.length > 0, `${rtp.length} RTP packets`);
  t.ok(rtcp.length > 0, `${rtcp.length} RTCP datagrams`);
  t.ok(rtp.every((b) => !isRtcp(b)) && rtcp.every((b) => isRtcp(b)), 'isRtcp tells them apart');
  t.ok(rtp.every((b) => parseRtp(b).ssrc === SSRC), 'RTP carries the SSRC we asked for');

  const first = parseRtcp(rtcp[0]);
  t.same(first.map((p) => p.type), ['sr', 'sdes'], 'ffmpeg sends SR then SDES');
  const [sr, sdes] = first;
  if (sr.type !== 'sr' || sdes.type !== 'sdes') return;
  t.equal(sr.ssrc, SSRC);
  t.equal(sdesCname(sdes, SSRC), CNAME);
  const srWallMs = ntpToMs(sr.ntpSeconds, sr.ntpFraction);
  t.ok(Math.abs(srWallMs - startedMs) < 60_000, `SR NTP time ${new Date(srWallMs).toISOString()} is about now`);
  for (const d of rtcp) t.same(serializeRtcp(parseRtcp(d)), new Uint8Array(d), 're-serialized byte for byte');
});
