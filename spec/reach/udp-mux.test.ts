/**
 * `webrtc.udpMux`: ten node-datachannel viewers (the fan-out bench's receivers, in a child
 * process so their sockets are not ours) watch the demo camera, and the gateway's process holds
 * ONE UDP socket for all their ICE: the port a firewall or container needs one rule for.
 * Without the mux the same ten viewers take one socket each (the count can tell them apart).
 */
import t from 'tap';
import { fork } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { startGateway } from '../../lib/app/index.js';
import { parseConfig } from '../../lib/gateway/index.js';
import { startDemoCamera } from '../../lib/rtsp/server/demo-camera.js';
import { missingTool, repoRoot } from '../../test/support/env.js';

const VIEWERS = 10;

/** Local ports of the UDP sockets this process has open (ss -uanp, filtered by our pid). */
function ourUdpPorts(): number[] {
  const r = spawnSync('ss', ['-uanpH'], { encoding: 'utf8' });
  const ports: number[] = [];
  for (const line of r.stdout.split('\n')) {
    if (!line.includes(`pid=${process.pid},`)) continue;
    const local = line.trim().split(/\s+/)[3] ?? '';
    ports.push(Number(local.slice(local.lastIndexOf(':') + 1)));
  }
  return ports;
}

async function freeUdpPort(): Promise<number> {
  const s = createSocket('udp4');
  await new Promise<void>((r) => s.bind(0, '127.0.0.1', () => r()));
  const port = s.address().port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface Reply { joined?: number; failed?: number; errors?: string[]; packets?: number; error?: string }

async function watch(udpMux: boolean): Promise<{ joined: number; packets: number; ports: number[]; muxPort: number }> {
  const camera = await startDemoCamera({ host: '127.0.0.1', port: 0 });
  // the demo camera's own RTP/RTCP server sockets are not ICE's
  const cameraPorts = new Set(ourUdpPorts());
  const muxPort = await freeUdpPort();
  const webrtc = udpMux ? { bindAddress: '127.0.0.1', udpMux, portRangeBegin: muxPort, portRangeEnd: muxPort } : { bindAddress: '127.0.0.1' };
  const gateway = await startGateway(parseConfig({
    http: { host: '127.0.0.1', port: 0 },
    streams: { demo: { url: camera.url, transport: 'tcp' } },
    webrtc,
  }));
  const child = fork(join(repoRoot, 'dist/bench/fanout/receivers.js'), [], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const replies: Reply[] = [];
  let wake: (() => void) | undefined;
  child.on('message', (m: Reply) => {
    replies.push(m);
    wake?.();
  });
  const next = async (): Promise<Reply> => {
    while (replies.length === 0) await new Promise<void>((r) => (wake = r));
    return replies.shift()!;
  };
  try {
    await next(); // ready
    child.send({ cmd: 'join', url: `${gateway.address}/whep/demo`, n: VIEWERS, concurrency: 4, waitMs: 1500 });
    const joined = await next();
    if (joined.error) throw new Error(joined.error);
    const ports = ourUdpPorts().filter((p) => !cameraPorts.has(p));
    child.send({ cmd: 'mark' });
    const mark = await next();
    return { joined: joined.joined ?? 0, packets: mark.packets ?? 0, ports, muxPort };
  } finally {
    child.send({ cmd: 'close' });
    await new Promise((r) => child.once('exit', r));
    await gateway.close();
    await camera.close();
  }
}

t.test('udpMux: ten viewers, one UDP socket on the configured port', async (t) => {
  const why = missingTool('ss', '-V');
  if (why) return void t.comment('skip: ' + why);
  const mux = await watch(true);
  t.equal(mux.joined, VIEWERS, 'every viewer joined');
  t.ok(mux.packets > VIEWERS * 10, `media reached the viewers (${mux.packets} packets)`);
  t.same(mux.ports, [mux.muxPort], `one UDP socket, on portRangeBegin (${mux.muxPort}); ports seen: ${mux.ports.join(' ')}`);

  const plain = await watch(false);
  t.equal(plain.joined, VIEWERS);
  t.ok(plain.ports.length >= VIEWERS, `without the mux, a socket per viewer (${plain.ports.length})`);
});
