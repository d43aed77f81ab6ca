/**
 * The demo camera and a gateway in their own process, so a spec can run them inside a network
 * namespace: `node gateway-in-ns.js '<config json>'` (the camera's URL is filled in as stream
 * `demo`). Prints {"address"} once listening; exits after a clean shutdown when stdin ends.
 */
import { startGateway } from '../../lib/app/index.js';
import { parseConfig } from '../../lib/gateway/index.js';
import { startDemoCamera } from '../../lib/rtsp/server/demo-camera.js';

const config = JSON.parse(process.argv[2] ?? '{}') as Record<string, unknown>;
const camera = await startDemoCamera({ host: '127.0.0.1', port: 0 });
const gateway = await startGateway(parseConfig({ ...config, streams: { demo: { url: camera.url, transport: 'tcp' } } }));
process.stdout.write(JSON.stringify({ address: gateway.address }) + '\n');
process.stdin.resume();
process.stdin.on('end', async () => {
  await gateway.close();
  await camera.close();
});
