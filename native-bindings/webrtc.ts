/**
 * The only module that imports node-datachannel: a raw RTP/RTCP transport per browser.
 * No libdatachannel media handler is chained, so the browser's RTCP (RR, NACK, PLI, REMB)
 * reaches camwire decrypted and camwire answers it itself. Recipe: ../shared/TESTING.md.
 */
import nodeDataChannel from 'node-datachannel';
import type { IceServer as NativeIceServer, PeerConnection, Track } from 'node-datachannel';
import { systemClock } from '../lib/clock.js';
import { GatewayError } from '../lib/gateway/errors.js';
import { parseIceUrl, resolveIceServers, type IceServerConfig } from '../lib/gateway/ice-servers.js';
import { addPublicCandidates } from '../lib/sdp/candidates.js';
import { TRANSPORT_CC_URI } from '../lib/gateway/transport-cc-peer.js';
import {
  WEBRTC_DEFAULTS,
  type PeerAudioParams,
  type PeerHandlers,
  type PeerMediaParams,
  type PeerState,
  type PeerAddress,
  type PeerTransportStats,
  type WebRtcPeer,
  type WebRtcTransport,
} from '../lib/gateway/transport.js';
import type { MediaKind } from '../lib/gateway/track.js';

export interface NativeTransportOptions {
  /** Local address ICE binds to (default: all interfaces). */
  bindAddress?: string;
  /** UDP port range for ICE (default: ephemeral ports). */
  portRangeBegin?: number;
  portRangeEnd?: number;
  /** Give up answering when gathering takes longer (default 5000 ms). */
  gatheringTimeoutMs?: number;
  /** STUN/TURN servers for camwire's own ICE agent (default none); `secret` entries are minted per peer. */
  iceServers?: readonly IceServerConfig[];
  /** Addresses added as host candidates to every answer (default none). */
  publicAddresses?: readonly string[];
  /** All peers on one UDP port, portRangeBegin (default false). */
  udpMux?: boolean;
  /** Unix time in ms, for the expiry of minted TURN credentials (default the system clock). */
  wallClock?: () => number;
  /** libdatachannel log level (default 'Warning'); logs go to `log`. */
  logLevel?: 'Verbose' | 'Debug' | 'Info' | 'Warning' | 'Error' | 'Fatal';
  log?: (line: string) => void;
}

/** ICE binds to every interface on ephemeral ports, and logs go nowhere, unless given. */
export const NATIVE_TRANSPORT_DEFAULTS = Object.freeze({
  gatheringTimeoutMs: WEBRTC_DEFAULTS.gatheringTimeoutMs,
  udpMux: WEBRTC_DEFAULTS.udpMux,
  logLevel: 'Warning',
} as const satisfies Required<Pick<NativeTransportOptions, 'gatheringTimeoutMs' | 'udpMux' | 'logLevel'>>);
let nextPeerId = 1;

export function createNativeTransport(opts: NativeTransportOptions = {}): WebRtcTransport {
  return new NativeTransport(opts);
}

class NativeTransport implements WebRtcTransport {
  private readonly peers = new Set<NativePeer>();
  /**
   * Every track until its closed event has reached JS. node-datachannel's TrackWrapper leaves its
   * registry only then; one garbage-collected before (a peer closed by camwire just as the browser
   * closed it) stays there dangling, and cleanup() then crashes closing it (SIGSEGV in
   * rtc::Track::close from TrackWrapper::CloseAll, seen after whip-whep's stop()). Holding the
   * JS object keeps the wrapper alive; the set holds no more than node-datachannel's registry.
   */
  private readonly unclosedTracks = new Set<Track>();
  private cleanedUp = false;

  constructor(private readonly opts: NativeTransportOptions) {
    if (opts.log) {
      const log = opts.log;
      nodeDataChannel.initLogger(opts.logLevel ?? NATIVE_TRANSPORT_DEFAULTS.logLevel, (level, message) => log(`[${level}] ${message}`));
    }
  }

  get peerCount(): number {
    return this.peers.size;
  }

  createPeer(offerSdp: string, media: PeerMediaParams, handlers: PeerHandlers): Promise<WebRtcPeer> {
    if (this.cleanedUp) return Promise.reject(new GatewayError('TRANSPORT_CLOSED', 'the WebRTC transport has been cleaned up'));
    const o = this.opts;
    const id = `camwire-${nextPeerId++}`;
    const pc = new nodeDataChannel.PeerConnection(id, {
      iceServers: o.iceServers?.length ? nativeIceServers(o.iceServers, id, (o.wallClock ?? systemClock.wallClock)()) : [],
      bindAddress: o.bindAddress,
      portRangeBegin: o.portRangeBegin,
      portRangeEnd: o.portRangeEnd,
      enableIceUdpMux: o.udpMux ?? NATIVE_TRANSPORT_DEFAULTS.udpMux,
      disableAutoNegotiation: true,
    });
    const peer = new NativePeer(pc, media, handlers, o.publicAddresses ?? [], this.unclosedTracks, () => this.peers.delete(peer));
    this.peers.add(peer);
    return peer.answer(offerSdp, o.gatheringTimeoutMs ?? NATIVE_TRANSPORT_DEFAULTS.gatheringTimeoutMs);
  }

  cleanup(): void {
    if (this.cleanedUp) return;
    this.cleanedUp = true;
    for (const p of [...this.peers]) p.close();
    nodeDataChannel.cleanup();
    this.unclosedTracks.clear();
  }
}

/**
 * libdatachannel's object form, not its URL strings: minted passwords are base64 ('+', '/',
 * '='), which a `turn:user:pass@host` string would have to escape. Only what libjuice can use:
 * STUN and TURN over UDP (no stuns:/turns:, no TCP).
 */
function nativeIceServers(entries: readonly IceServerConfig[], id: string, wallClockMs: number): NativeIceServer[] {
  const out: NativeIceServer[] = [];
  for (const s of resolveIceServers(entries, id, wallClockMs)) {
    for (const url of s.urls) {
      const u = parseIceUrl(url);
      if (!u) continue; // the config check refused it already
      if (u.scheme === 'stun') out.push({ hostname: u.host, port: u.port });
      // libjuice relays over UDP only (it warns and skips TCP and TLS): those are the browser's
      else if (u.scheme === 'turn' && u.transport !== 'tcp') {
        out.push({ hostname: u.host, port: u.port, username: s.username ?? '', password: s.credential ?? '', relayType: 'TurnUdp' });
      }
    }
  }
  return out;
}

const STATE_MAP: Record<string, PeerState> = {
  new: 'new',
  connecting: 'connecting',
  connected: 'connected',
  disconnected: 'disconnected',
  failed: 'failed',
  closed: 'closed',
};

class NativePeer implements WebRtcPeer {
  answerSdp = '';
  state: PeerState = 'new';
  private track: Track | undefined;
  private audioTrack: Track | undefined;
  private closed = false;
  private open = false;

  constructor(
    private readonly pc: PeerConnection,
    readonly media: PeerMediaParams,
    private readonly handlers: PeerHandlers,
    private readonly publicAddresses: readonly string[],
    private readonly unclosedTracks: Set<Track>,
    private readonly onClosed: () => void,
  ) {}

  get isOpen(): boolean {
    return this.open;
  }

  answer(offerSdp: string, timeoutMs: number): Promise<WebRtcPeer> {
    const pc = this.pc;
    const m = this.media;
    return new Promise<WebRtcPeer>((resolve, reject) => {
      let settled = false;
      const fail = (err: Error): void => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        this.close();
        reject(err);
      };
      const timer = setTimeout(
        () => fail(new GatewayError('GATHERING_TIMEOUT', `ICE gathering did not complete within ${timeoutMs} ms`)),
        timeoutMs,
      );
      pc.onStateChange((s) => this.setState(STATE_MAP[s] ?? 'failed'));
      pc.onGatheringStateChange((g) => {
        if (g !== 'complete' || settled) return;
        const desc = pc.localDescription();
        if (!desc) return fail(new GatewayError('OFFER_REJECTED', 'no local description after gathering'));
        settled = true;
        clearTimeout(timer);
        this.answerSdp = addPublicCandidates(desc.sdp, this.publicAddresses);
        resolve(this);
      });
      try {
        // The remote offer must be set before the track exists, else the answer grows a
        // second m-line and ICE never connects (TESTING.md).
        pc.setRemoteDescription(offerSdp, 'offer');
        const video = new nodeDataChannel.Video(m.mid, 'SendOnly');
        if (m.codec === 'h265') video.addVideoCodec(m.payloadType, 'H265', m.fmtp);
        else video.addH264Codec(m.payloadType, m.fmtp);
        if (m.rrtr) video.parseSdpLine(`a=rtcp-fb:${m.payloadType} rrtr`);
        if (m.transportCcExtensionId !== undefined) {
          video.parseSdpLine(`a=extmap:${m.transportCcExtensionId} ${TRANSPORT_CC_URI}`);
          video.parseSdpLine(`a=rtcp-fb:${m.payloadType} transport-cc`);
        }
        if (m.rtxPayloadType !== undefined) video.addRTXCodec(m.rtxPayloadType, m.payloadType, 90000);
        video.addSSRC(m.ssrc, m.cname, m.streamId, m.trackId);
        if (m.rtxPayloadType !== undefined && m.rtxSsrc !== undefined) {
          video.addSSRC(m.rtxSsrc, m.cname, m.streamId, m.trackId);
          video.parseSdpLine(`a=ssrc-group:FID ${m.ssrc} ${m.rtxSsrc}`);
        }
        const track = pc.addTrack(video);
        this.track = track;
        this.unclosedTracks.add(track);
        if (m.audio) this.addAudio(m.audio);
        track.onOpen(() => {
          if (this.closed) return;
          this.open = true;
          this.handlers.onOpen();
        });
        track.onClosed(() => {
          this.open = false;
          this.unclosedTracks.delete(track);
        });
        track.onMessage((msg) => {
          if (!this.closed) this.handlers.onRtcp(msg);
        });
        pc.setLocalDescription('answer');
      } catch (err) {
        fail(new GatewayError('OFFER_REJECTED', `offer rejected: ${(err as Error).message}`));
      }
    });
  }

  /** The audio m-line of the same BUNDLE: its codec, RED around it when offered, its SSRC. */
  private addAudio(a: PeerAudioParams): void {
    const m = this.media;
    const audio = new nodeDataChannel.Audio(a.mid, 'SendOnly');
    // the binding refuses an explicit undefined profile: no fmtp, no third argument
    if (a.fmtp !== undefined) audio.addAudioCodec(a.payloadType, a.rtpmap, a.fmtp);
    else audio.addAudioCodec(a.payloadType, a.rtpmap);
    if (a.redPayloadType !== undefined) audio.addAudioCodec(a.redPayloadType, 'red/48000/2', `${a.payloadType}/${a.payloadType}`);
    if (a.nack) audio.parseSdpLine(`a=rtcp-fb:${a.payloadType} nack`);
    audio.addSSRC(a.ssrc, m.cname, m.streamId, a.trackId);
    const track = this.pc.addTrack(audio);
    this.audioTrack = track;
    this.unclosedTracks.add(track);
    track.onClosed(() => this.unclosedTracks.delete(track));
    // the browser's RTCP about audio may come on either track of the BUNDLE
    track.onMessage((msg) => {
      if (!this.closed) this.handlers.onRtcp(msg);
    });
  }

  private setState(s: PeerState): void {
    if (this.state === s || this.state === 'closed') return;
    this.state = s;
    this.handlers.onState(s);
    if (s === 'closed') this.close();
  }

  sendRtp(packet: Uint8Array, kind: MediaKind = 'video'): boolean {
    return this.send(packet, kind === 'audio' ? this.audioTrack : this.track);
  }

  sendRtcp(packet: Uint8Array, kind: MediaKind = 'video'): boolean {
    return this.send(packet, kind === 'audio' ? this.audioTrack : this.track);
  }

  private send(packet: Uint8Array, track: Track | undefined): boolean {
    if (!this.open || this.closed || !track) return false;
    try {
      // node-datachannel wants a Buffer; wrapping a Uint8Array's memory is free.
      const buf = Buffer.isBuffer(packet) ? packet : Buffer.from(packet.buffer, packet.byteOffset, packet.byteLength);
      return track.sendMessageBinary(buf);
    } catch {
      return false;
    }
  }

  transportStats(): PeerTransportStats {
    if (this.closed) return { bytesSent: 0, bytesReceived: 0, rttMs: undefined };
    const rtt = this.pc.rtt();
    return { bytesSent: this.pc.bytesSent(), bytesReceived: this.pc.bytesReceived(), rttMs: rtt > 0 ? rtt : undefined };
  }

  selectedPath(): { local: PeerAddress; remote: PeerAddress } | undefined {
    if (this.closed) return undefined;
    try {
      const pair = this.pc.getSelectedCandidatePair();
      if (!pair) return undefined;
      return { local: { address: pair.local.address, port: pair.local.port }, remote: { address: pair.remote.address, port: pair.remote.port } };
    } catch {
      return undefined;
    }
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.open = false;
    for (const track of [this.track, this.audioTrack]) {
      try {
        track?.close();
      } catch {
        /* already closed natively */
      }
    }
    try {
      this.pc.close();
    } catch {
      /* already closed natively */
    }
    this.onClosed();
    if (this.state !== 'closed') {
      this.state = 'closed';
      this.handlers.onState('closed');
    }
  }
}
