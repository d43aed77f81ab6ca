/**
 * A clip-fed gateway in its own process, so a test can run it inside a network namespace:
 * `node gateway-child.js '<json>'`. Prints {"address"} once listening; on stdin end, prints
 * {"final": snapshot} and exits after a clean shutdown.
 */
import { startGateway } from '../../lib/app/start.js';
import type { StreamOptions } from '../../lib/gateway/stream.js';
import { ClipSource } from './clip-source.js';
import { makeClip, type ClipOptions } from './clip.js';
import { createDeps } from '../../lib/gateway/wiring.js';

interface ChildConfig {
  clip: ClipOptions;
  streams: Record<string, StreamOptions>;
  portRangeBegin?: number;
  portRangeEnd?: number;
}

const cfg = JSON.parse(process.argv[2] ?? '{}') as ChildConfig;
const clip = makeClip(cfg.clip);
const streams = Object.fromEntries(Object.entries(cfg.streams).map(([n, o]) => [n, { url: `rtsp://clip.invalid/${n}`, ...o }]));
const handle = await startGateway(
  {
    http: { host: '127.0.0.1', port: 0 }, streams,
    webrtc: { bindAddress: '127.0.0.1', portRangeBegin: cfg.portRangeBegin, portRangeEnd: cfg.portRangeEnd },
  },
  { deps: createDeps(), sourceFactory: () => new ClipSource(clip.units, clip.fps, { width: clip.width, height: clip.height }) },
);
process.stdout.write(JSON.stringify({ address: handle.address }) + '\n');
process.stdin.resume();
process.stdin.on('end', async () => {
  const final = handle.gateway.snapshot();
  await handle.close();
  process.stdout.write(JSON.stringify({ final }) + '\n');
});
