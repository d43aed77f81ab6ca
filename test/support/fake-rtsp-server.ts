/**
 * A scriptable RTSP server on 127.0.0.1 for client protocol tests: each request goes to a
 * handler that answers (or not), and the test can push frames or requests to the client.
 */
import { createServer, type Server, type Socket } from 'node:net';
import { RtspMessageParser } from '../../lib/rtsp/protocol/message-parser.js';
import { RtspHeaders } from '../../lib/rtsp/protocol/header-map.js';
import { serializeRequest, serializeResponse, serializeInterleavedFrame, type ResponseInit, type RtspRequest, type RtspResponse } from '../../lib/rtsp/protocol/index.js';

export interface FakeConnection {
  id: number;
  socket: Socket;
  requests: RtspRequest[];
  responses: RtspResponse[];
  frames: { channel: number; data: Uint8Array }[];
}

/** Return a response, `undefined` to stay silent, or raw bytes to write as they are. */
export type FakeHandler = (req: RtspRequest, conn: FakeConnection) => ResponseInit | Uint8Array | undefined | Promise<ResponseInit | Uint8Array | undefined>;

export class FakeRtspServer {
  readonly connections: FakeConnection[] = [];
  private server: Server | undefined;
  private nextId = 1;
  port = 0;

  constructor(public handler: FakeHandler) {}

  /** Every request received on every connection, in order. */
  get requests(): RtspRequest[] {
    return this.connections.flatMap((c) => c.requests);
  }

  methods(): string[] {
    return this.requests.map((r) => r.method);
  }

  async listen(port = 0): Promise<number> {
    this.server = createServer((socket) => this.accept(socket));
    await new Promise<void>((r) => this.server!.listen(port, '127.0.0.1', r));
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  url(path = '/stream'): string {
    return `rtsp://127.0.0.1:${this.port}${path}`;
  }

  private accept(socket: Socket): void {
    const conn: FakeConnection = { id: this.nextId++, socket, requests: [], responses: [], frames: [] };
    this.connections.push(conn);
    const parser = new RtspMessageParser({
      onMessage: async (m) => {
        if (m.type === 'response') {
          conn.responses.push(m);
          return;
        }
        conn.requests.push(m);
        const out = await this.handler(m, conn);
        if (out === undefined || socket.destroyed) return;
        if (out instanceof Uint8Array) {
          socket.write(out);
          return;
        }
        const headers = out.headers?.clone() ?? new RtspHeaders();
        if (!headers.has('cseq')) headers.set('CSeq', m.headers.get('cseq') ?? '0');
        socket.write(serializeResponse({ ...out, headers }));
      },
      onFrame: (channel, data) => conn.frames.push({ channel, data: Uint8Array.from(data) }),
    });
    socket.on('data', (d) => {
      try {
        parser.push(d);
      } catch {
        socket.destroy();
      }
    });
    socket.on('error', () => {});
  }

  sendFrame(conn: FakeConnection, channel: number, data: Uint8Array): void {
    conn.socket.write(serializeInterleavedFrame(channel, data));
  }

  sendRequest(conn: FakeConnection, method: string, url: string, headers: Record<string, string>): void {
    conn.socket.write(serializeRequest({ method, url, headers: new RtspHeaders(headers) }));
  }

  /** Drops every client connection (the camera went away). */
  dropAll(): void {
    for (const c of this.connections) c.socket.destroy();
  }

  async close(): Promise<void> {
    this.dropAll();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/** SDP of a simple H.264 camera; `control` per track as given. */
export function cameraSdp(opts: { videoControl?: string; sessionControl?: string; audio?: boolean; extra?: string } = {}): string {
  const lines = [
    'v=0',
    'o=- 1 1 IN IP4 127.0.0.1',
    's=fake camera',
    't=0 0',
    ...(opts.sessionControl ? [`a=control:${opts.sessionControl}`] : []),
    'm=video 0 RTP/AVP 96',
    'c=IN IP4 0.0.0.0',
    'a=rtpmap:96 H264/90000',
    'a=fmtp:96 packetization-mode=1;profile-level-id=42c01e;sprop-parameter-sets=Z0LAHtkBQfsBEAAAAwAQAAADAyDxYuSA,aMuDyyA=',
    `a=control:${opts.videoControl ?? 'trackID=1'}`,
  ];
  if (opts.audio) lines.push('m=audio 0 RTP/AVP 8', 'a=control:trackID=2');
  if (opts.extra) lines.push(opts.extra);
  return lines.join('\r\n') + '\r\n';
}

/** A 12-byte-header RTP packet with a small payload. */
export function rtpPacket(seq: number, ts: number, ssrc = 0x11223344, pt = 96, payload = Uint8Array.of(0x65, 1, 2, 3)): Uint8Array {
  const b = new Uint8Array(12 + payload.length);
  b[0] = 0x80;
  b[1] = 0x80 | pt;
  b[2] = seq >> 8;
  b[3] = seq & 0xff;
  new DataView(b.buffer).setUint32(4, ts >>> 0);
  new DataView(b.buffer).setUint32(8, ssrc >>> 0);
  b.set(payload, 12);
  return b;
}
