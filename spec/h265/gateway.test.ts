/**
 * An H.265 camera (GStreamer x265enc ! rtph265pay) through the gateway, frame forwarding:
 *  - a browser offer with H265/90000 (crafted, shaped like Chrome 136+'s) is answered H.265,
 *    even as the first viewer of an on-demand stream whose codec is not known yet;
 *  - the track carries the camera's access units and caches its keyframe with VPS/SPS/PPS in
 *    front (an AP), so a viewer can start on it;
 *  - headless Chromium's real offer has no H265: WHEP refuses it with OFFER_NO_H265 and the
 *    player page says this browser cannot play H.265;
 *  - packet forwarding is refused at the camera's DESCRIBE with the reason.
 * The browser side of H.265 playback cannot be shown here (no H.265 decoder in headless Chromium).
 */
import t from 'tap';
import { startGateway, type GatewayHandle } from '../../lib/app/start.js';
import { parseRtp } from '../../lib/rtp/packet.js';
import { systemClock } from '../../lib/clock.js';
import { h265NalType } from '../../lib/h265/index.js';
import { missingTool } from '../../test/support/env.js';
import { launchChromium } from '../../test/support/chromium.js';
import { H265_OFFER } from '../../test/support/offers.js';
import { missingGstRtspServer, startGstServer } from '../support/gst-server.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function gateway(url: string, forwarding: 'frame' | 'packet', onDemand: boolean): Promise<GatewayHandle> {
  return startGateway({
    http: { host: '127.0.0.1', port: 0 },
    streams: { cam: { url, transport: 'tcp', forwarding, onDemand } },
    webrtc: { bindAddress: '127.0.0.1' },
  });
}

const why = missingGstRtspServer('h265') || missingTool('chromium', '--version');
if (why) {
  t.comment('skip: ' + why);
} else {
  t.test('H.265 camera: answered H.265 when offered, keyframe cached behind its parameter sets, refused for Chromium', async (t) => {
    const cam = await startGstServer({ codec: 'h265', protocols: 'tcp', keyInt: 30 });
    const gw = await gateway(cam.url(), 'frame', true);
    try {
      const r = await fetch(gw.address + '/whep/cam', { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: H265_OFFER });
      const answer = await r.text();
      t.equal(r.status, 201, answer.slice(0, 200));
      t.match(answer, /a=rtpmap:49 H265\/90000/, 'answered with the offer\'s H.265 payload type');
      t.match(answer, /a=fmtp:49 level-id=180;profile-id=1;tier-flag=0;tx-mode=SRST/);
      t.notMatch(answer, /H264/, 'no H.264 in the answer');
      await sleep(2500);
      const stream = gw.gateway.stream('cam')!;
      const s = stream.stats();
      t.comment(JSON.stringify({ accessUnits: s.accessUnits, keyframes: s.keyframes, packetsOut: s.packetsOut, cache: s.keyframeCachePackets, source: s.source }));
      t.ok(s.accessUnits > 40, `${s.accessUnits} access units forwarded`);
      t.ok(s.keyframes >= 1, `${s.keyframes} keyframes`);
      const cached = stream.videoTrack.keyframes.usable(systemClock.now());
      t.ok(cached, 'a keyframe is cached');
      if (cached) {
        const first = parseRtp(cached.packets[0]).payload;
        t.equal(h265NalType(first[0]), 48, 'it starts with an AP');
        t.equal(h265NalType(first[4]), 32, 'whose first unit is the VPS');
      }

      const browser = await launchChromium();
      try {
        const page = await browser.newPage();
        await page.goto(gw.address + '/watch/cam');
        const offered = await page.evaluate(`(async () => {
          const pc = new RTCPeerConnection();
          pc.addTransceiver('video', { direction: 'recvonly' });
          const o = await pc.createOffer();
          pc.close();
          return o.sdp;
        })()`) as string;
        t.notMatch(offered, /H265/i, 'headless Chromium offers no H.265');
        let status = '';
        for (let i = 0; i < 100 && !/H\.265/.test(status); i++) {
          await sleep(100);
          status = await page.evaluate(`document.getElementById('status').textContent`) as string;
        }
        t.match(status, /this browser cannot play H\.265/, `player page: "${status}"`);
        const refused = await page.evaluate(async (sdp) => {
          const res = await fetch('/whep/cam', { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: sdp });
          return { status: res.status, text: await res.text() };
        }, offered);
        t.equal(refused.status, 400);
        t.match(refused.text, /^OFFER_NO_H265: .*H\.265/, refused.text.trim());
      } finally {
        await browser.close();
      }
    } finally {
      await gw.close();
      await cam.stop();
    }
  });

  t.test('packet forwarding refuses an H.265 camera with the reason', async (t) => {
    const cam = await startGstServer({ codec: 'h265', protocols: 'tcp' });
    const gw = await gateway(cam.url(), 'packet', false);
    try {
      let src: Record<string, number | string> = {};
      for (let i = 0; i < 100 && src.state !== 'failed'; i++) {
        await sleep(100);
        src = gw.gateway.stream('cam')!.stats().source;
      }
      t.equal(src.state, 'failed');
      t.match(String(src.lastError), /^CAMERA_H265_PACKET_FORWARDING: .*forwarding to "frame"/);
    } finally {
      await gw.close();
      await cam.stop();
    }
  });
}
