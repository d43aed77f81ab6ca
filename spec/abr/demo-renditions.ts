/**
 * The gateway most ABR specs run: camwire's built-in demo camera with its two profiles as the
 * renditions of one stream `demo`, pulled over TCP, on loopback.
 */
import { startGateway } from '../../lib/app/index.js';
import { parseConfig } from '../../lib/gateway/index.js';
import { startDemoCamera } from '../../lib/rtsp/server/demo-camera.js';

export async function startDemoRenditions(): Promise<{ camera: Awaited<ReturnType<typeof startDemoCamera>>; gateway: Awaited<ReturnType<typeof startGateway>> }> {
  const camera = await startDemoCamera({ host: '127.0.0.1', port: 0 });
  const gateway = await startGateway(parseConfig({
    http: { host: '127.0.0.1', port: 0 },
    streams: { demo: { renditions: [{ name: '720p', url: camera.url }, { name: '360p', url: camera.subUrl! }], transport: 'tcp' } },
    webrtc: { bindAddress: '127.0.0.1' },
  }));
  return { camera, gateway };
}
