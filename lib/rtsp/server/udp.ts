/**
 * UDP sockets of the RTSP server: one even/odd port pair shared by every unicast viewer
 * (RTCP from viewers is matched to sessions by source address), and one sender per
 * multicast group, with an RTCP socket bound to the group so receivers' PLIs reach us.
 */
import { createSocket, type Socket } from 'node:dgram';
import { RtspServerError } from './errors.js';

export type UdpPair = { rtp: Socket; rtcp: Socket; rtpPort: number; rtcpPort: number; type: 'udp4' | 'udp6' };

function bind(socket: Socket, port: number, address: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    socket.once('error', onError);
    socket.bind(port, address, () => {
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

/**
 * Binds RTP to an even port and RTCP to the next one (RFC 3550 11). With `rtpPort` given
 * that pair is used; otherwise the kernel picks ports until an even one with a free
 * neighbour turns up (at most `attempts` tries).
 */
export async function bindUdpPair(host: string, rtpPort?: number, attempts = 32): Promise<UdpPair> {
  const type = host.includes(':') ? 'udp6' : 'udp4';
  if (rtpPort !== undefined && (rtpPort % 2 !== 0 || rtpPort <= 0 || rtpPort >= 65535)) {
    throw new RtspServerError('RTSP_SERVER_BAD_OPTION', `UDP RTP port ${rtpPort} must be even and in (0, 65535)`);
  }
  for (let i = 0; i < attempts; i++) {
    const rtp = createSocket({ type });
    const rtcp = createSocket({ type });
    try {
      await bind(rtp, rtpPort ?? 0, host);
      const port = rtp.address().port;
      if (port % 2 !== 0 || port >= 65535) throw new Error('odd port');
      await bind(rtcp, port + 1, host);
      return { rtp, rtcp, rtpPort: port, rtcpPort: port + 1, type };
    } catch (err) {
      closeQuietly(rtp);
      closeQuietly(rtcp);
      if (rtpPort !== undefined) {
        throw new RtspServerError('RTSP_SERVER_NO_PORTS', `cannot bind UDP ports ${rtpPort}-${rtpPort + 1} on ${host}: ${(err as Error).message}`);
      }
    }
  }
  throw new RtspServerError('RTSP_SERVER_NO_PORTS', `no free even/odd UDP port pair on ${host} after ${attempts} tries`);
}

export interface MulticastOptions {
  /** First group address handed out. Default 239.255.42.1 (organisation-local scope). */
  firstAddress?: string;
  /** How many consecutive group addresses the pool holds. Default 16. */
  addresses?: number;
  /** Even RTP port used for every group (RTCP on the next). Default 5000. */
  rtpPort?: number;
  /** TTL of multicast packets. Default 1 (stays on the local network). */
  ttl?: number;
  /** Local interface address to send from (default: the kernel's choice by route). */
  interfaceAddress?: string;
}

export const MULTICAST_DEFAULTS = Object.freeze({
  firstAddress: '239.255.42.1',
  addresses: 16,
  rtpPort: 5000,
  ttl: 1,
} as const satisfies Required<Omit<MulticastOptions, 'interfaceAddress'>>);

function ipv4ToInt(a: string): number {
  const p = a.split('.').map(Number);
  if (p.length !== 4 || p.some((x) => !Number.isInteger(x) || x < 0 || x > 255)) {
    throw new RtspServerError('RTSP_SERVER_BAD_OPTION', `${a} is not an IPv4 address`);
  }
  return ((p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3]) >>> 0;
}

function intToIpv4(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** Group addresses handed out to served paths, one per path while it has multicast viewers. */
export class MulticastPool {
  readonly rtpPort: number;
  readonly ttl: number;
  readonly interfaceAddress: string | undefined;
  private readonly first: number;
  private readonly size: number;
  private readonly used = new Set<number>();

  constructor(opts: MulticastOptions = {}) {
    this.first = ipv4ToInt(opts.firstAddress ?? MULTICAST_DEFAULTS.firstAddress);
    if (this.first >>> 28 !== 0xe) throw new RtspServerError('RTSP_SERVER_BAD_OPTION', `${opts.firstAddress} is not a multicast address`);
    this.size = opts.addresses ?? MULTICAST_DEFAULTS.addresses;
    this.rtpPort = opts.rtpPort ?? MULTICAST_DEFAULTS.rtpPort;
    if (this.rtpPort % 2 !== 0) throw new RtspServerError('RTSP_SERVER_BAD_OPTION', `multicast RTP port ${this.rtpPort} must be even`);
    this.ttl = opts.ttl ?? MULTICAST_DEFAULTS.ttl;
    this.interfaceAddress = opts.interfaceAddress;
  }

  allocate(): string | undefined {
    for (let i = 0; i < this.size; i++) {
      if (!this.used.has(i)) {
        this.used.add(i);
        return intToIpv4((this.first + i) >>> 0);
      }
    }
    return undefined;
  }

  release(address: string): void {
    this.used.delete((ipv4ToInt(address) - this.first) >>> 0);
  }
}

/**
 * Sockets of one multicast group: a sender, and (when the port is free on this host) an RTCP
 * socket bound to the group's RTCP port so receivers' PLIs reach us. A receiver on the same
 * host may hold that port; the group then streams without RTCP feedback.
 */
export async function openMulticastSockets(pool: MulticastPool, group: string): Promise<{ sender: Socket; rtcp: Socket | undefined }> {
  const sender = createSocket({ type: 'udp4' });
  try {
    await bind(sender, 0, pool.interfaceAddress ?? '0.0.0.0');
    sender.setMulticastTTL(pool.ttl);
    sender.setMulticastLoopback(true);
    if (pool.interfaceAddress) sender.setMulticastInterface(pool.interfaceAddress);
  } catch (err) {
    closeQuietly(sender);
    throw new RtspServerError('RTSP_SERVER_NO_PORTS', `cannot open a multicast sender for ${group}: ${(err as Error).message}`);
  }
  const rtcp = createSocket({ type: 'udp4', reuseAddr: true });
  try {
    // Bound to the group address, so only this group's RTCP arrives here.
    await bind(rtcp, pool.rtpPort + 1, group);
    rtcp.addMembership(group, pool.interfaceAddress);
    return { sender, rtcp };
  } catch {
    closeQuietly(rtcp);
    return { sender, rtcp: undefined };
  }
}

export { closeQuietly as closeUdpQuietly };
