/**
 * RTSPS against GStreamer's RTSP server with a TLS certificate signed by a throwaway CA: camwire
 * plays it when the CA is given (`tls.ca`), refuses it with RTSP_TLS and the reason when it is
 * not, or when the name is wrong, accepts it with `insecure`, refuses UDP under TLS, and the
 * gateway serves it to Chromium (logging the `insecure` warning once).
 */
import t from 'tap';
import { probe } from '../../lib/ingest/probe.js';
import { startGateway } from '../../lib/app/start.js';
import { missingTool } from '../../test/support/env.js';
import { launchChromium, startViewer, viewerStats, VIEWER_SCRIPT } from '../../test/support/chromium.js';
import { missingGstRtspServer, startGstServer, type GstServer } from '../support/gst-server.js';
import { makeTestCerts, type TestCerts } from '../support/tls-certs.js';
import { createLogger } from '../../lib/log/logger.js';
import { systemClock } from '../../lib/clock.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

const why = missingGstRtspServer() || missingTool('openssl', 'version');
if (why) {
  t.comment('skip: ' + why);
} else {
  let certs: TestCerts;
  let gst: GstServer;
  t.before(async () => {
    certs = makeTestCerts();
    gst = await startGstServer({ protocols: 'tcp', tls: { cert: certs.cert, key: certs.key } });
  });
  t.teardown(async () => {
    await gst.stop();
    certs.remove();
  });

  t.test('trusted through tls.ca: plays over interleaved TCP', async (t) => {
    t.match(gst.url(), /^rtsps:\/\//);
    const r = await probe({ url: gst.url(), seconds: 1.5, client: { tls: { ca: certs.ca } } });
    t.equal(r.ok, true, JSON.stringify(r.error));
    t.equal(r.transport, 'tcp', 'auto means TCP under TLS');
    t.match(r.tracks, [{ codec: 'H264', width: 640, height: 360 }]);
    t.ok(r.accessUnits.complete > 20, `${r.accessUnits.complete} access units`);
  });

  t.test('not trusted without tls.ca: RTSP_TLS with the reason and the remedy', async (t) => {
    const r = await probe({ url: gst.url(), seconds: 1 });
    t.equal(r.ok, false);
    t.equal(r.error?.code, 'RTSP_TLS');
    t.match(r.error?.message, /not trusted|self-signed/);
    t.match(r.error?.message, /rtsp\.tls\.ca/);
    t.notMatch(r.error?.message, /\n\s+at /, 'no stack');
  });

  t.test('a servername the certificate does not carry is refused; one it carries plays', async (t) => {
    const wrong = await probe({ url: gst.url(), seconds: 1, client: { tls: { ca: certs.ca, servername: 'other.test' } } });
    t.equal(wrong.error?.code, 'RTSP_TLS');
    t.match(wrong.error?.message, /another name/);
    const right = await probe({ url: gst.url(), seconds: 1, client: { tls: { ca: certs.ca, servername: 'camera.test' } } });
    t.equal(right.ok, true, JSON.stringify(right.error));
  });

  t.test('insecure skips verification', async (t) => {
    const r = await probe({ url: gst.url(), seconds: 1, client: { tls: { insecure: true } } });
    t.equal(r.ok, true, JSON.stringify(r.error));
    t.ok(r.accessUnits.complete > 10);
  });

  t.test('UDP and multicast are refused under TLS', async (t) => {
    for (const transport of ['udp', 'multicast'] as const) {
      const r = await probe({ url: gst.url(), transport, seconds: 1, client: { tls: { ca: certs.ca } } });
      t.equal(r.error?.code, 'RTSP_TLS', transport);
      t.match(r.error?.message, new RegExp(`transport '${transport}' is not possible`));
    }
  });

  t.test('a plain RTSP port asked for rtsps: RTSP_TLS, not a stack', async (t) => {
    const plain = await startGstServer({ protocols: 'tcp' });
    try {
      const r = await probe({ url: plain.url().replace(/^rtsp:/, 'rtsps:'), seconds: 1, client: { connectTimeoutMs: 3000 } });
      t.equal(r.error?.code, 'RTSP_TLS', JSON.stringify(r.error));
    } finally {
      await plain.stop();
    }
  });

  t.test('the gateway serves the RTSPS camera to Chromium; insecure is logged once', async (t) => {
    const chromiumMissing = missingTool('chromium', '--version');
    if (chromiumMissing) return void t.comment('skip: ' + chromiumMissing);
    const log: string[] = [];
    const gw = await startGateway({
      http: { host: '127.0.0.1', port: 0 },
      streams: { cam: { url: gst.url(), rtsp: { tls: { ca: certs.ca } } }, loose: { url: gst.url(), rtsp: { tls: { insecure: true } } } },
      webrtc: { bindAddress: '127.0.0.1' },
    }, { log: createLogger(systemClock, (l) => log.push(l)) });
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await page.goto(gw.address + '/api/streams');
      await page.evaluate(VIEWER_SCRIPT);
      const a = await startViewer(page, gw.address + '/whep/cam');
      const b = await startViewer(page, gw.address + '/whep/loose');
      await sleep(4000);
      const [sa, sb] = [await viewerStats(page, a), await viewerStats(page, b)];
      t.comment(JSON.stringify({ trusted: sa, insecure: sb }));
      t.ok(sa.framesDecoded > 30, `trusted: ${sa.framesDecoded} frames decoded`);
      t.ok(sb.framesDecoded > 30, `insecure: ${sb.framesDecoded} frames decoded`);
      t.equal(gw.gateway.stream('cam')!.stats().source.transport, 'tcp');
      t.equal(log.filter((l) => /insecure/.test(l)).length, 1, 'one warning');
      t.match(log.join('\n'), /source\.tls-insecure stream=loose /);
    } finally {
      await browser.close();
      await gw.close();
    }
  });
}
