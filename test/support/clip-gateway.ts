/** A gateway on loopback fed by ffmpeg-made clips (ClipSource), for end-to-end tests. */
import { startGateway, type GatewayHandle } from '../../lib/app/start.js';
import type { StreamOptions } from '../../lib/gateway/stream.js';
import type { GatewayDeps } from '../../lib/gateway/deps.js';
import { ClipSource } from './clip-source.js';
import { makeClip, type ClipOptions } from './clip.js';
import { createDeps } from '../../lib/gateway/wiring.js';

export interface ClipGateway {
  handle: GatewayHandle;
  source: ClipSource;
  width: number;
  height: number;
  close(): Promise<void>;
}

export async function startClipGateway(
  clipOpts: ClipOptions,
  stream: StreamOptions = {},
  deps: GatewayDeps = createDeps(),
): Promise<ClipGateway> {
  const clip = makeClip(clipOpts);
  const source = new ClipSource(clip.units, clip.fps, { width: clip.width, height: clip.height, profileLevelId: '42c01e' });
  const handle = await startGateway(
    { http: { host: '127.0.0.1', port: 0 }, streams: { demo: { url: 'rtsp://clip.invalid/demo', ...stream } }, webrtc: { bindAddress: '127.0.0.1' } },
    { deps, sourceFactory: () => source },
  );
  return { handle, source, width: clip.width, height: clip.height, close: () => handle.close() };
}
