/**
 * UDP sockets for RTP and RTCP: an even/odd unicast port pair (RFC 3550 11), or a multicast
 * group joined (source-specific when the SDP names a source). Large receive buffers by default:
 * a 1080p IDR is 100-300 packets in one burst.
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { RtspClientError } from './errors.js';

export interface UdpPairOptions {
  /** Local address to bind. Default `0.0.0.0`. */
  bindAddress?: string;
  /** SO_RCVBUF asked for (the kernel may cap it at net.core.rmem_max). Default 4 MiB. */
  receiveBufferBytes?: number;
  /** Even RTP ports are picked at random from this range. Default [20000, 60000]. */
  portRange?: readonly [number, number];
  /** Tries before giving up on finding a free pair. Default 30. */
  attempts?: number;
}

export const UDP_PAIR_DEFAULTS = Object.freeze({
  bindAddress: '0.0.0.0',
  receiveBufferBytes: 4 * 1024 * 1024,
  portRange: Object.freeze([20000, 60000] as const),
  attempts: 30,
} as const satisfies Required<UdpPairOptions>);

/** UDP_PAIR_DEFAULTS.receiveBufferBytes, under the name lib/rtsp's public API has exported. */
export const DEFAULT_UDP_RECEIVE_BUFFER: number = UDP_PAIR_DEFAULTS.receiveBufferBytes;

export type DatagramHandler = (data: Buffer, from: RemoteInfo) => void;

function bind(socket: Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    socket.once('error', onError);
    socket.bind({ port, address, exclusive: true }, () => {
      socket.off('error', onError);
      resolve();
    });
  });
}

function closeQuietly(s: Socket): void {
  try {
    s.close();
  } catch {
    // already closed
  }
}

export class UdpPortPair {
  /** Receive buffer the kernel actually granted (bytes), for stats. */
  readonly receiveBufferBytes: number;
  private onRtpHandler: DatagramHandler = () => {};
  private onRtcpHandler: DatagramHandler = () => {};

  private constructor(readonly rtp: Socket, readonly rtcp: Socket, readonly rtpPort: number, receiveBuffer: number) {
    let granted: number;
    for (const s of [rtp, rtcp]) {
      try {
        s.setRecvBufferSize(receiveBuffer);
      } catch {
        // not permitted: keep the default
      }
    }
    try {
      granted = rtp.getRecvBufferSize();
    } catch {
      granted = 0;
    }
    this.receiveBufferBytes = granted;
    rtp.on('message', (d, r) => this.onRtpHandler(d, r));
    rtcp.on('message', (d, r) => this.onRtcpHandler(d, r));
    rtp.on('error', () => {});
    rtcp.on('error', () => {});
  }

  get rtcpPort(): number {
    return this.rtpPort + 1;
  }

  onRtp(h: DatagramHandler): void {
    this.onRtpHandler = h;
  }

  onRtcp(h: DatagramHandler): void {
    this.onRtcpHandler = h;
  }

  /** A free even port and the odd port above it. */
  static async unicast(opts: UdpPairOptions = {}): Promise<UdpPortPair> {
    const address = opts.bindAddress ?? UDP_PAIR_DEFAULTS.bindAddress;
    const [lo, hi] = opts.portRange ?? UDP_PAIR_DEFAULTS.portRange;
    const attempts = opts.attempts ?? UDP_PAIR_DEFAULTS.attempts;
    for (let k = 0; k < attempts; k++) {
      const port = (lo + 2 * Math.floor(Math.random() * ((hi - lo) / 2))) & ~1;
      const rtp = createSocket({ type: 'udp4' });
      const rtcp = createSocket({ type: 'udp4' });
      try {
        await bind(rtp, port, address);
        await bind(rtcp, port + 1, address);
        return new UdpPortPair(rtp, rtcp, port, opts.receiveBufferBytes ?? UDP_PAIR_DEFAULTS.receiveBufferBytes);
      } catch {
        closeQuietly(rtp);
        closeQuietly(rtcp);
      }
    }
    throw new RtspClientError('RTSP_CONNECTION_FAILED', `no free UDP port pair after ${attempts} tries`);
  }

  /**
   * Joins `group` on `port`/`port+1`. With `source`, joins source-specifically (RFC 4607),
   * so only that sender's packets are delivered.
   */
  static async multicast(group: string, port: number, opts: UdpPairOptions & { source?: string; interfaceAddress?: string } = {}): Promise<UdpPortPair> {
    const rtp = createSocket({ type: 'udp4', reuseAddr: true });
    const rtcp = createSocket({ type: 'udp4', reuseAddr: true });
    try {
      await bindShared(rtp, port);
      await bindShared(rtcp, port + 1);
      for (const s of [rtp, rtcp]) {
        if (opts.source) s.addSourceSpecificMembership(opts.source, group, opts.interfaceAddress);
        else s.addMembership(group, opts.interfaceAddress);
      }
    } catch (e) {
      closeQuietly(rtp);
      closeQuietly(rtcp);
      throw new RtspClientError('RTSP_CONNECTION_FAILED', `cannot join multicast group ${group}:${port}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
    return new UdpPortPair(rtp, rtcp, port, opts.receiveBufferBytes ?? UDP_PAIR_DEFAULTS.receiveBufferBytes);
  }

  sendRtcp(data: Uint8Array, host: string, port: number): void {
    this.rtcp.send(data, port, host, () => {});
  }

  close(): void {
    closeQuietly(this.rtp);
    closeQuietly(this.rtcp);
  }
}

function bindShared(socket: Socket, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (e: Error) => reject(e);
    socket.once('error', onError);
    socket.bind({ port, address: '0.0.0.0' }, () => {
      socket.off('error', onError);
      resolve();
    });
  });
}
