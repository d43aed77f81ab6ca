/**
 * Impairs the camera leg of any RTSP camera: an RTSP proxy that passes requests and responses
 * through unchanged except the SETUP Transport ports, so the camera's RTP/RTCP go to a pair of
 * ImpairedPipes and from there to camwire's own ports. Works with UDP transport only (the lab
 * configures camwire's camera leg for UDP); interleaved `$` frames pass through untouched.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';
import { ImpairedPipe, evenPortPair, type PipeStats } from './impaired-pipe.js';
import type { Impairment } from './scenario.js';

export interface RtspProxyOptions {
  camera: { host: string; port: number };
  impairment: Impairment;
  seed: number;
  host?: string;
}

const MAX_HEADER = 64 * 1024;

export class RtspImpairProxy {
  readonly pipes: { rtp: ImpairedPipe; rtcp: ImpairedPipe }[] = [];
  private server!: Server;
  private readonly sockets = new Set<Socket>();
  private setups = 0;

  private constructor(private readonly o: RtspProxyOptions) {}

  static async start(o: RtspProxyOptions): Promise<RtspImpairProxy> {
    const p = new RtspImpairProxy(o);
    p.server = createServer((s) => p.onClient(s));
    await new Promise<void>((resolve, reject) => {
      p.server.once('error', reject);
      p.server.listen(0, o.host ?? '127.0.0.1', () => resolve());
    });
    return p;
  }

  get port(): number {
    const a = this.server.address();
    return typeof a === 'object' && a ? a.port : 0;
  }

  /** rtsp URL of the camera path through the proxy. */
  url(path: string): string {
    return `rtsp://${this.o.host ?? '127.0.0.1'}:${this.port}${path}`;
  }

  /** Frames the camera sent on the first video pipe (counted before impairment). */
  cameraFrames(): number {
    return this.pipes[0]?.rtp.wire.counts.frames ?? 0;
  }

  stats(): { rtp: PipeStats; rtcp: PipeStats }[] {
    return this.pipes.map((p) => ({ rtp: p.rtp.stats(), rtcp: p.rtcp.stats() }));
  }

  /** Stops relaying media (UDP), leaving the RTSP connections up: nothing more reaches the client. */
  async closeMedia(): Promise<void> {
    await Promise.all(this.pipes.flatMap((p) => [p.rtp.close(), p.rtcp.close()]));
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((r) => this.server.close(() => r()));
    await this.closeMedia();
  }

  private onClient(client: Socket): void {
    const upstream = connect(this.o.camera.port, this.o.camera.host);
    this.sockets.add(client);
    this.sockets.add(upstream);
    const end = () => { client.destroy(); upstream.destroy(); this.sockets.delete(client); this.sockets.delete(upstream); };
    client.on('error', end).on('close', end);
    upstream.on('error', end).on('close', end);
    // Only one SETUP is in flight at a time on an RTSP connection (clients wait for the answer).
    let pending: { rtp: ImpairedPipe; rtcp: ImpairedPipe } | undefined;
    messageStream(client, async (head) => {
      if (/^SETUP /i.test(head)) {
        const m = /client_port=(\d+)-(\d+)/i.exec(head);
        if (m && !/RTP\/AVP\/TCP/i.test(head)) {
          pending = await this.makePipes(Number(m[1]), Number(m[2]));
          head = head.replace(/client_port=\d+-\d+/i, `client_port=${pending.rtp.aPort}-${pending.rtcp.aPort}`);
        }
      }
      upstream.write(Buffer.from(head, 'latin1'));
    }, (body) => upstream.write(body));
    messageStream(upstream, async (head) => {
      const m = /server_port=(\d+)-(\d+)/i.exec(head);
      if (m && pending) {
        const host = this.o.camera.host;
        pending.rtp.setPeer('a', { address: host, port: Number(m[1]) });
        pending.rtcp.setPeer('a', { address: host, port: Number(m[2]) });
        head = head.replace(/server_port=\d+-\d+/i, `server_port=${pending.rtp.bPort}-${pending.rtcp.bPort}`);
        head = head.replace(/;source=[^;\r\n]*/i, '');
        pending = undefined;
      }
      client.write(Buffer.from(head, 'latin1'));
    }, (body) => client.write(body));
  }

  private async makePipes(clientRtp: number, clientRtcp: number): Promise<{ rtp: ImpairedPipe; rtcp: ImpairedPipe }> {
    const host = this.o.host ?? '127.0.0.1';
    const imp = this.o.impairment;
    const seed = this.o.seed + 101 * this.setups++;
    const aPair = await evenPortPair(host);
    const bPair = await evenPortPair(host);
    const common = { host, mediaArrivesOn: 'a' as const, media: imp.forward, reverse: imp.back, minSize: imp.minSize };
    const rtp = await ImpairedPipe.start({ ...common, aPort: aPair, bPort: bPair, bPeer: { address: host, port: clientRtp }, seed });
    const rtcp = await ImpairedPipe.start({ ...common, aPort: aPair + 1, bPort: bPair + 1, bPeer: { address: host, port: clientRtcp }, seed: seed + 50 });
    const pair = { rtp, rtcp };
    this.pipes.push(pair);
    return pair;
  }
}

/**
 * Splits an RTSP byte stream into messages: `onHead` gets each start line + headers (as text,
 * which may be rewritten), `onBody` the body bytes and interleaved frames unchanged. Handlers
 * run in order even when `onHead` awaits.
 */
function messageStream(sock: Socket, onHead: (head: string) => Promise<void>, onBody: (b: Buffer) => void): void {
  let buf = Buffer.alloc(0);
  let chain = Promise.resolve();
  sock.on('data', (chunk: Buffer) => {
    buf = Buffer.concat([buf, chunk]);
    for (;;) {
      if (buf.length === 0) return;
      if (buf[0] === 0x24) {
        if (buf.length < 4) return;
        const len = 4 + buf.readUInt16BE(2);
        if (buf.length < len) return;
        const frame = buf.subarray(0, len);
        chain = chain.then(() => onBody(frame));
        buf = buf.subarray(len);
        continue;
      }
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > MAX_HEADER) sock.destroy();
        return;
      }
      const head = buf.subarray(0, end + 4).toString('latin1');
      const cl = /\r\ncontent-length:\s*(\d+)/i.exec(head);
      const bodyLen = cl ? Number(cl[1]) : 0;
      if (buf.length < end + 4 + bodyLen) return;
      const body = buf.subarray(end + 4, end + 4 + bodyLen);
      buf = buf.subarray(end + 4 + bodyLen);
      chain = chain.then(() => onHead(head)).then(() => { if (body.length > 0) onBody(Buffer.from(body)); }).catch(() => { sock.destroy(); });
    }
  });
}
