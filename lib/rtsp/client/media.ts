/**
 * Media of one client session: per track the transport (UDP pair, interleaved channels or a
 * multicast group), RTP/RTCP parsing, reception statistics and the way back for RTCP.
 */
import type { RemoteInfo } from 'node:dgram';
import { parseRtp, type RtpPacket } from '../../rtp/packet.js';
import { parseRtcp, type RtcpPacket } from '../../rtcp/index.js';
import type { TransportSpec } from '../protocol/headers/transport.js';
import { RtpReception } from './reception.js';
import { UDP_PAIR_DEFAULTS, UdpPortPair, type UdpPairOptions } from './udp.js';
import type { RtspClientOptions, RtspTrack, RtspTrackStats, RtspTransportMode, RtspWireTap } from './types.js';
import { RtspClientError } from './errors.js';

export interface MediaSink {
  rtp(packet: RtpPacket, track: RtspTrack): void;
  rtcp(packets: RtcpPacket[], track: RtspTrack): void;
  quirk(name: string): void;
  /** Interleaved frames go out on the control connection. */
  sendFrame(channel: number, data: Uint8Array): void;
  now(): number;
  /** Optional capture of the raw media (RtspClientOptions.wireTap). */
  wire?: RtspWireTap;
  /** The control connection's ends, for the tracks' endpoints. */
  connection?(): { local: string; localPort: number; remote: string; remotePort: number } | undefined;
}

interface Binding {
  track: RtspTrack;
  mode: RtspTransportMode;
  reception: RtpReception;
  extra: { rtcpReceived: number; rtcpSent: number; rtpParseErrors: number; foreignPackets: number };
  pair?: UdpPortPair;
  channels?: [number, number];
  /** Where RTCP goes over UDP. */
  rtcpTarget?: { host: string; port: number };
  /** Accepted sender address (unicast/SSM); undefined accepts any. */
  sender?: string;
  lastRtpAt: number;
  /** RTX (RFC 4588) payload types of the track: resends on their own SSRC, kept out of the reception stats. */
  rtxPts: number[];
}

export class SessionMedia {
  private readonly bindings: Binding[] = [];
  /** channel -> binding index * 2 + (rtcp ? 1 : 0) */
  private readonly channelMap = new Int16Array(256).fill(-1);
  unknownChannelFrames = 0;

  constructor(
    private readonly sink: MediaSink,
    private readonly udp: UdpPairOptions & { multicastInterface?: string; announcePorts?: RtspClientOptions['udpAnnouncePorts'] },
  ) {}

  get tracks(): RtspTrack[] {
    return this.bindings.map((b) => b.track);
  }

  /** Opens what the track needs and returns the Transport header to send in its SETUP. */
  async offer(track: RtspTrack, mode: RtspTransportMode): Promise<string> {
    const b: Binding = {
      track,
      mode,
      reception: new RtpReception(track.clockRate),
      extra: { rtcpReceived: 0, rtcpSent: 0, rtpParseErrors: 0, foreignPackets: 0 },
      lastRtpAt: -1,
      rtxPts: track.sdp.formats.filter((f) => /^rtx$/i.test(f.codec ?? '')).map((f) => f.payloadType),
    };
    this.bindings[track.index] = b;
    if (mode === 'tcp') {
      const ch = track.index * 2;
      return `RTP/AVP/TCP;unicast;interleaved=${ch}-${ch + 1}`;
    }
    if (mode === 'multicast') return 'RTP/AVP;multicast';
    b.pair = await UdpPortPair.unicast(this.udp);
    this.checkBuffer(b.pair);
    this.listen(b);
    const bound = { rtpPort: b.pair.rtpPort, rtcpPort: b.pair.rtcpPort };
    const [rtp, rtcp] = this.udp.announcePorts ? await this.udp.announcePorts(bound, track) : [bound.rtpPort, bound.rtcpPort];
    return `RTP/AVP;unicast;client_port=${rtp}-${rtcp}`;
  }

  /**
   * Applies the server's Transport reply. `fallbackGroup` is the SDP's multicast address and
   * port, `ssmSource` the SDP source-filter sender, for multicast replies that omit them.
   */
  async accept(index: number, reply: TransportSpec, serverAddress: string, fallbackGroup?: { address?: string; port?: number; ttl?: number }, ssmSource?: string): Promise<void> {
    const b = this.bindings[index];
    if (reply.interleaved && (b.mode === 'tcp' || reply.lowerTransport === 'TCP' || !reply.clientPort)) {
      if (b.mode !== 'tcp') {
        this.sink.quirk('server-chose-tcp');
        b.pair?.close();
        b.pair = undefined;
        b.mode = 'tcp';
      }
      const [rtp, rtcp] = reply.interleaved;
      if (rtp !== index * 2) this.sink.quirk('interleaved-channels-reassigned');
      b.channels = [rtp, rtcp];
      this.channelMap[rtp] = index * 2;
      this.channelMap[rtcp] = index * 2 + 1;
      this.noteEndpoints(b, undefined);
      return;
    }
    if (b.mode === 'tcp') {
      const ch = index * 2;
      this.sink.quirk('tcp-reply-without-interleaved');
      b.channels = [ch, ch + 1];
      this.channelMap[ch] = index * 2;
      this.channelMap[ch + 1] = index * 2 + 1;
      this.noteEndpoints(b, undefined);
      return;
    }
    if (b.mode === 'udp') {
      const host = reply.source ?? serverAddress;
      b.sender = serverAddress;
      if (reply.serverPort) b.rtcpTarget = { host, port: reply.serverPort[1] };
      else this.sink.quirk('udp-reply-without-server-port');
      this.noteEndpoints(b, { camera: host, rtp: reply.serverPort?.[0] ?? 0, rtcp: reply.serverPort?.[1] ?? 0 });
      return;
    }
    const group = reply.destination ?? fallbackGroup?.address;
    const port = reply.port?.[0] ?? fallbackGroup?.port;
    if (!group || !port) throw new RtspClientError('RTSP_PROTOCOL', 'multicast SETUP reply names no group or port');
    if (!reply.destination || !reply.port) this.sink.quirk('multicast-group-from-sdp');
    b.pair = await UdpPortPair.multicast(group, port, { ...this.udp, source: ssmSource, interfaceAddress: this.udp.multicastInterface });
    this.checkBuffer(b.pair);
    b.sender = ssmSource;
    b.rtcpTarget = { host: group, port: port + 1 };
    if (reply.ttl !== undefined || fallbackGroup?.ttl !== undefined) b.pair.rtcp.setMulticastTTL(reply.ttl ?? fallbackGroup!.ttl!);
    this.listen(b);
    this.noteEndpoints(b, { camera: ssmSource ?? serverAddress, rtp: port, rtcp: port + 1 }, group);
  }

  /** The track's endpoints, for a capture (only with one: nothing is looked up otherwise). */
  private noteEndpoints(b: Binding, udp: { camera: string; rtp: number; rtcp: number } | undefined, group?: string): void {
    if (!this.sink.wire) return;
    const c = this.sink.connection?.();
    if (!udp) {
      if (!c) return;
      b.track.endpoints = {
        camera: c.remote, local: c.local, cameraRtpPort: c.remotePort, cameraRtcpPort: c.remotePort + 1,
        localRtpPort: c.localPort, localRtcpPort: c.localPort + 1, interleaved: true,
      };
      return;
    }
    b.track.endpoints = {
      camera: udp.camera, local: group ?? (c?.local || '0.0.0.0'), cameraRtpPort: udp.rtp, cameraRtcpPort: udp.rtcp,
      localRtpPort: b.pair?.rtpPort ?? 0, localRtcpPort: b.pair?.rtcpPort ?? 0, interleaved: false,
    };
  }

  /** A capped buffer drops IDR bursts (mediamtx#3308): say so, raise net.core.rmem_max to fix. */
  private checkBuffer(pair: UdpPortPair): void {
    const asked = this.udp.receiveBufferBytes ?? UDP_PAIR_DEFAULTS.receiveBufferBytes;
    if (pair.receiveBufferBytes > 0 && pair.receiveBufferBytes < asked) this.sink.quirk('udp-receive-buffer-capped-by-kernel');
  }

  private listen(b: Binding): void {
    const pair = b.pair!;
    pair.onRtp((data, from) => this.onRtp(b, data, from));
    pair.onRtcp((data, from) => this.onRtcp(b, data, from));
  }

  /** An interleaved frame from the control connection. */
  onFrame(channel: number, data: Uint8Array): void {
    const slot = this.channelMap[channel];
    if (slot < 0) {
      this.unknownChannelFrames++; // live555 < 2017 writes old sessions' data on reused fds
      return;
    }
    const b = this.bindings[slot >> 1];
    if (slot & 1) this.onRtcp(b, data, undefined);
    else this.onRtp(b, data, undefined);
  }

  private onRtp(b: Binding, data: Uint8Array, from: RemoteInfo | undefined): void {
    if (from && b.sender !== undefined && from.address !== b.sender) {
      b.extra.foreignPackets++;
      return;
    }
    this.sink.wire?.onWire(b.track.index, false, false, data);
    let p: RtpPacket;
    try {
      p = parseRtp(data);
    } catch {
      b.extra.rtpParseErrors++;
      return;
    }
    if (!b.track.sdp.payloadTypes.includes(p.payloadType)) {
      b.extra.foreignPackets++; // multicast groups shared by tracks, stray PTs
      return;
    }
    const now = this.sink.now();
    b.lastRtpAt = now;
    // An RTX stream's SSRC would look like a sender restart and reset the counters.
    if (b.rtxPts.length === 0 || !b.rtxPts.includes(p.payloadType)) b.reception.onPacket(p.sequenceNumber, p.timestamp, p.ssrc, data.length, now);
    this.sink.rtp(p, b.track);
  }

  private onRtcp(b: Binding, data: Uint8Array, from: RemoteInfo | undefined): void {
    if (from && b.sender !== undefined && from.address !== b.sender) {
      b.extra.foreignPackets++;
      return;
    }
    this.sink.wire?.onWire(b.track.index, true, false, data);
    let packets: RtcpPacket[];
    try {
      packets = parseRtcp(data);
    } catch {
      b.extra.rtpParseErrors++;
      return;
    }
    b.extra.rtcpReceived++;
    const now = this.sink.now();
    for (const p of packets) {
      if (p.type === 'sr') b.reception.onSenderReport(p.ntpSeconds, p.ntpFraction, now);
    }
    this.sink.rtcp(packets, b.track);
  }

  /** Sends RTCP upstream for one track; false when the transport has no way back. */
  sendRtcp(index: number, data: Uint8Array): boolean {
    const b = this.bindings[index];
    if (!b) return false;
    if (b.channels) {
      this.sink.sendFrame(b.channels[1], data);
    } else if (b.pair && b.rtcpTarget) {
      b.pair.sendRtcp(data, b.rtcpTarget.host, b.rtcpTarget.port);
    } else {
      return false;
    }
    b.extra.rtcpSent++;
    this.sink.wire?.onWire(index, true, true, data);
    return true;
  }

  /** SSRC the camera uses on a track (from its packets), for feedback addressed to it. */
  mediaSsrc(index: number): number | undefined {
    return this.bindings[index]?.reception.counters.ssrc;
  }

  reception(index: number): RtpReception | undefined {
    return this.bindings[index]?.reception;
  }

  /** Time of the newest RTP packet on any track, or -1. */
  get lastRtpAt(): number {
    let t = -1;
    for (const b of this.bindings) if (b && b.lastRtpAt > t) t = b.lastRtpAt;
    return t;
  }

  get mode(): RtspTransportMode | undefined {
    return this.bindings.find((b) => b)?.mode;
  }

  stats(): RtspTrackStats[] {
    return this.bindings.map((b) => ({ ...b.reception.counters, ...b.extra, receiveBufferBytes: b.pair?.receiveBufferBytes ?? 0 }));
  }

  close(): void {
    for (const b of this.bindings) b?.pair?.close();
  }
}
