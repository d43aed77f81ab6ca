/**
 * Child process for the churn check: camwire's demo camera and a gateway with the real
 * node-datachannel transport, started with --expose-gc. Prints {"address"} once listening;
 * answers IPC {cmd:'mem'} with heap and RSS after full collections, native peers and viewers.
 */
import { startGateway } from '../../lib/app/start.js';
import { startDemoCamera } from '../../lib/rtsp/server/demo-camera.js';
import { createNativeTransport } from '../../native-bindings/webrtc.js';

const camera = await startDemoCamera({ host: '127.0.0.1', port: 0 });
const transport = createNativeTransport({ bindAddress: '127.0.0.1' });
const handle = await startGateway(
  { http: { host: '127.0.0.1', port: 0 }, streams: { demo: { url: camera.url, transport: 'tcp', onDemand: false, maxViewers: 1000 } } },
  { transport },
);
process.stdout.write(JSON.stringify({ address: handle.address }) + '\n');

const gc = (globalThis as { gc?: () => void }).gc;
// Its parent gone (killed after a timeout): nothing will ever ask for 'close'.
process.on('disconnect', () => process.exit(1));
process.on('message', async (m: { cmd: string }) => {
  if (m.cmd === 'mem') {
    for (let i = 0; i < 3; i++) {
      gc?.();
      await new Promise((r) => setTimeout(r, 50));
    }
    const mem = process.memoryUsage();
    const s = handle.gateway.stream('demo')!;
    process.send?.({ heapUsed: mem.heapUsed, rss: mem.rss, external: mem.external, peers: transport.peerCount, viewers: s.viewerCount, stats: s.stats() });
  } else if (m.cmd === 'close') {
    await handle.close();
    await camera.close();
    process.exit(0);
  }
});
