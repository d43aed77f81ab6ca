/** A well-behaved fake camera for client tests; each test bends one behaviour. */
import { createSocket, type Socket } from 'node:dgram';
import { RtspHeaders } from '../../lib/rtsp/protocol/header-map.js';
import { parseTransport } from '../../lib/rtsp/protocol/headers/transport.js';
import type { ResponseInit, RtspRequest } from '../../lib/rtsp/protocol/index.js';
import { FakeRtspServer, cameraSdp, type FakeConnection } from '../support/fake-rtsp-server.js';

export interface CameraOptions {
  public?: string;
  timeout?: number;
  sdp?: string;
  contentBase?: (server: FakeRtspServer) => string | undefined;
  /** Called first: a response or bytes answer instead, 'silent' answers nothing, undefined = default. */
  override?: (req: RtspRequest, conn: FakeConnection) => ResponseInit | Uint8Array | undefined | 'silent';
}

export interface FakeCamera {
  server: FakeRtspServer;
  /** UDP sockets of the server side per SETUP (RTP, RTCP) and the client's ports. */
  udp: { rtp: Socket; rtcp: Socket; clientPorts: [number, number]; rtcpIn: Uint8Array[] }[];
  close(): Promise<void>;
}

export async function fakeCamera(o: CameraOptions = {}): Promise<FakeCamera> {
  const udp: FakeCamera['udp'] = [];
  const server: FakeRtspServer = new FakeRtspServer(async (req, conn) => {
    const o2 = o.override?.(req, conn);
    if (o2 === 'silent') return undefined;
    if (o2 !== undefined) return o2;
    const session = `12345678;timeout=${o.timeout ?? 60}`;
    switch (req.method) {
      case 'OPTIONS':
        return { status: 200, headers: new RtspHeaders({ Public: o.public ?? 'OPTIONS, DESCRIBE, SETUP, PLAY, PAUSE, TEARDOWN, GET_PARAMETER' }) };
      case 'DESCRIBE': {
        const h = new RtspHeaders({ 'Content-Type': 'application/sdp', Server: 'FakeCam/1.0' });
        const base = o.contentBase ? o.contentBase(server) : req.url + '/';
        if (base) h.set('Content-Base', base);
        return { status: 200, headers: h, body: o.sdp ?? cameraSdp() };
      }
      case 'SETUP': {
        const t = parseTransport(req.headers.get('transport')!);
        if (t.lowerTransport === 'TCP') {
          return { status: 200, headers: new RtspHeaders({ Session: session, Transport: `RTP/AVP/TCP;unicast;interleaved=${t.interleaved![0]}-${t.interleaved![1]};ssrc=11223344` }) };
        }
        const rtp = createSocket('udp4');
        const rtcp = createSocket('udp4');
        await new Promise<void>((r) => rtp.bind(0, '127.0.0.1', r));
        await new Promise<void>((r) => rtcp.bind(0, '127.0.0.1', r));
        const entry = { rtp, rtcp, clientPorts: t.clientPort!, rtcpIn: [] as Uint8Array[] };
        rtcp.on('message', (m) => entry.rtcpIn.push(new Uint8Array(m)));
        udp.push(entry);
        return {
          status: 200,
          headers: new RtspHeaders({ Session: session, Transport: `RTP/AVP;unicast;client_port=${t.clientPort![0]}-${t.clientPort![1]};server_port=${rtp.address().port}-${rtcp.address().port}` }),
        };
      }
      case 'PLAY':
        return { status: 200, headers: new RtspHeaders({ Session: session, 'RTP-Info': `url=${req.url}/trackID=1;seq=1;rtptime=0` }) };
      default:
        return { status: 200, headers: new RtspHeaders({ Session: session }) };
    }
  });
  await server.listen();
  return {
    server,
    udp,
    async close() {
      for (const u of udp) {
        u.rtp.close();
        u.rtcp.close();
      }
      await server.close();
    },
  };
}

export function sendUdp(cam: FakeCamera, index: number, data: Uint8Array): void {
  const u = cam.udp[index];
  u.rtp.send(data, u.clientPorts[0], '127.0.0.1');
}
