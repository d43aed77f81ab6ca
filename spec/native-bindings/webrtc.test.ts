/**
 * The native transport against real headless Chromium: a browser offer is answered
 * (non-trickle), raw RTP built by camwire is decoded, and the browser's RTCP comes back
 * (with XR RRTR when the answer offers it).
 */
import t from 'tap';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createNativeTransport } from '../../native-bindings/webrtc.js';
import type { WebRtcPeer } from '../../lib/gateway/transport.js';
import { missingTool } from '../../test/support/env.js';
import { launchChromium, VIEWER_SCRIPT, startViewer, viewerStats, stopViewer } from '../../test/support/chromium.js';
import { makeClip } from '../../test/support/clip.js';
import { H264Packetizer } from '../../lib/h264/index.js';
import { negotiateOffer } from '../../lib/gateway/negotiate.js';
import { parseRtcp } from '../../lib/rtcp/index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

t.test('native transport: Chromium decodes raw RTP sent over node-datachannel', async (t) => {
  for (const tool of ['chromium', 'ffmpeg']) {
    const why = missingTool(tool, '--version');
    if (why) {
      t.comment('skip: ' + why);
      return;
    }
  }
  const clip = makeClip({ width: 640, height: 360, seconds: 2 });
  const transport = createNativeTransport({ bindAddress: '127.0.0.1' });
  let peer: WebRtcPeer | undefined;
  let rtcpPackets = 0;
  let rrtrBlocks = 0;
  const countRrtr = (p: Uint8Array): void => {
    rtcpPackets++;
    try {
      for (const x of parseRtcp(p)) if (x.type === 'xr') rrtrBlocks += x.blocks.filter((b) => b.type === 'rrtr').length;
    } catch {
      /* counted as a packet all the same */
    }
  };
  let opened = false;
  let answer = '';
  const server = createServer((req, res) => {
    if (req.method === 'DELETE') {
      peer?.close();
      return res.end();
    }
    if (req.method === 'GET') {
      res.setHeader('content-type', 'text/html');
      return res.end('<!doctype html><body></body>');
    }
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', async () => {
      const v = negotiateOffer(body, { profileLevelId: '42e01f' }, true);
      peer = await transport.createPeer(
        body,
        {
          ...v, ssrc: 0x11223344, rtxSsrc: v.rtxPayloadType !== undefined ? 0x55667788 : undefined,
          cname: 'camwire', streamId: 'camwire', trackId: 'video', rrtr: true,
        },
        { onRtcp: countRrtr, onState: () => {}, onOpen: () => (opened = true) },
      );
      answer = peer.answerSdp;
      res.statusCode = 201;
      res.setHeader('location', '/x');
      res.end(answer);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const browser = await launchChromium();
  let sender: NodeJS.Timeout | undefined;
  try {
    const page = await browser.newPage();
    await page.goto(base + '/');
    await page.evaluate(VIEWER_SCRIPT);
    const idx = await startViewer(page, base + '/whep');
    t.match(answer, /a=fmtp:\d+ .*profile-level-id=42e01f/, 'answer carries the H.264 fmtp');
    t.comment(answer.split(/\r\n/).filter((l) => /rtpmap|fmtp|ssrc|rtcp-fb|mid/.test(l)).join('\n'));
    const packetizer = new H264Packetizer({ ssrc: 0x11223344, sequenceNumber: 65500 });
    const out = new Uint8Array(1500);
    let ts = 90000;
    let i = 0;
    sender = setInterval(() => {
      if (!peer || !opened) return;
      packetizer.payloadType = peer.media.payloadType;
      packetizer.start(clip.units[i++ % clip.units.length].nalus, ts);
      for (let n = packetizer.writeNext(out); n > 0; n = packetizer.writeNext(out)) peer.sendRtp(out.subarray(0, n));
      ts = (ts + 3000) >>> 0;
    }, 1000 / clip.fps);
    let s = await viewerStats(page, idx);
    for (let k = 0; k < 60 && s.framesDecoded < 30; k++) {
      await sleep(100);
      s = await viewerStats(page, idx);
    }
    t.comment(JSON.stringify(s));
    t.ok(s.framesDecoded >= 30, `frames decoded (${s.framesDecoded})`);
    t.equal(s.frameWidth, 640);
    t.equal(s.frameHeight, 360);
    t.ok(rtcpPackets > 0, `RTCP from the browser arrived (${rtcpPackets})`);
    t.match(answer, /a=rtcp-fb:\d+ rrtr/, 'the answer offers XR RRTR');
    t.ok(rrtrBlocks > 0, `Chromium sends XR RRTR blocks so it can learn its RTT (${rrtrBlocks})`);
    await stopViewer(page, idx);
  } finally {
    if (sender) clearInterval(sender);
    await browser.close();
    server.close();
    transport.cleanup();
  }
});
