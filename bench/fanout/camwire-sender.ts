/**
 * Child process: camwire's gateway (startGateway: HTTP + WHEP + node-datachannel transport)
 * serving one stream fed by the synthetic 1080p30 camera (access units in real time), so the
 * orchestrator can measure this process's CPU per delivered packet.
 */
import { createSocket } from 'node:dgram';
import { startGateway } from '../../lib/app/start.js';
import { gop } from '../stream1080p.js';
import { PacedSource } from './paced-source.js';
import { benchDeps } from '../support/gateway-deps.js';
import { serve } from './sender-protocol.js';

/** CAMWIRE_FANOUT_UDPMUX=1: every viewer on one UDP port (webrtc.udpMux), on a port free now. */
async function webrtcConfig() {
  if (process.env.CAMWIRE_FANOUT_UDPMUX !== '1') return { bindAddress: '127.0.0.1' };
  const probe = createSocket('udp4');
  await new Promise<void>((r) => probe.bind(0, '127.0.0.1', () => r()));
  const port = probe.address().port;
  await new Promise<void>((r) => probe.close(() => r()));
  return { bindAddress: '127.0.0.1', udpMux: true, portRangeBegin: port, portRangeEnd: port };
}

/** CAMWIRE_FANOUT_CAMERA=rtsp://...: pull that camera (tools/peers, beside Janus) instead of the synthetic one. */
const camera = process.env.CAMWIRE_FANOUT_CAMERA;
const source = new PacedSource(gop(), { profileLevelId: '4d0029', width: 1920, height: 1080 });
const handle = await startGateway(
  {
    http: { host: '127.0.0.1', port: 0 },
    streams: { cam: { url: camera ?? 'rtsp://synthetic.invalid/cam', transport: 'tcp', onDemand: false, maxViewers: 10_000 } },
    webrtc: await webrtcConfig(),
    // CAMWIRE_FANOUT_CAPTURE=<dir>: the stream captured to pcapng (bench/capture.bench.ts).
    ...(process.env.CAMWIRE_FANOUT_CAPTURE ? { capture: { dir: process.env.CAMWIRE_FANOUT_CAPTURE } } : {}),
  },
  camera ? {} : { deps: benchDeps(), sourceFactory: () => source },
);
const stream = handle.gateway.stream('cam')!;
serve(`${handle.address}/whep/cam`, () => {
  const t = stream.viewerTotals();
  return { packetsSent: t.packetsSent ?? 0, viewers: stream.viewerCount };
}, () => handle.close());
