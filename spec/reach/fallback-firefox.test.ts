/**
 * Firefox ESR (Debian's, headless, driven by puppeteer-core over WebDriver BiDi) offers no H.264
 * in WebRTC without its OpenH264 plugin: camwire's player page sees that in its own offer, says
 * so, and plays the demo camera through the WebSocket fallback (MSE), near the live edge.
 */
import t from 'tap';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { startGateway } from '../../lib/app/index.js';
import { parseConfig } from '../../lib/gateway/index.js';
import { startDemoCamera } from '../../lib/rtsp/server/demo-camera.js';
import { missingTool, repoRoot } from '../../test/support/env.js';
import { machineLock } from '../../tools/machine-lock.js';
import { lagSummary, type FallbackRun } from './fallback-page.js';

const FIREFOX = '/usr/bin/firefox-esr';

t.test('Firefox ESR plays the player page through the WebSocket fallback', async (t) => {
  const why = missingTool(FIREFOX, '--version');
  if (why) return void t.comment('skip: ' + why);
  const camera = await startDemoCamera({ host: '127.0.0.1', port: 0 });
  const gateway = await startGateway(parseConfig({
    http: { host: '127.0.0.1', port: 0 }, webrtc: { bindAddress: '127.0.0.1' }, streams: { demo: { url: camera.url, transport: 'tcp' } },
  }));
  const release = await machineLock('chromium');
  try {
    // its own process, without tap's import hooks (puppeteer-core does not load under them)
    const env = { ...process.env };
    delete env.NODE_OPTIONS;
    const out = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, [join(repoRoot, 'dist/spec/reach/firefox-player.js'), gateway.address + '/watch/demo', '6'], { env, timeout: 60_000 },
        (err, stdout, stderr) => (err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout)));
    });
    const run = JSON.parse(out.trim().split('\n').at(-1)!) as FallbackRun;
    const last = run.samples.at(-1);
    const first = run.samples[0];
    t.comment(JSON.stringify({ fallbackAtMs: run.fallbackAtMs, firstFrameMs: run.firstFrameMs, last }));
    t.equal(last?.path, 'websocket', 'the page plays over the WebSocket');
    t.match(last?.reason ?? '', /no H\.264/, `and says why: ${last?.reason}`);
    t.equal(last?.width, 1280, 'the demo camera\'s picture');
    t.ok(last && first && last.frames - first.frames >= 60, `frames advance (${first?.frames} -> ${last?.frames} in 6 s)`);
    t.same(run.samples.slice(10).filter((s) => s.lag > 1.5), [], 'never more than 1.5 s behind the buffered end once playing');
    const lag = lagSummary(run.samples);
    console.log(JSON.stringify({
      bench: 'fallback-latency', browser: 'firefox-esr', fallbackAtMs: run.fallbackAtMs, firstFrameMs: run.firstFrameMs,
      lagMeanMs: lag.meanMs, lagP95Ms: lag.p95Ms, lagMaxMs: lag.maxMs,
    }));
  } finally {
    release();
    await gateway.close();
    await camera.close();
  }
});
