/** A WebRtcTransport whose peers are open at once and drop what they are given (counting it). */
import type { PeerHandlers, PeerMediaParams, PeerState, WebRtcPeer, WebRtcTransport } from '../../lib/gateway/transport.js';

export class NullPeer implements WebRtcPeer {
  readonly answerSdp = 'v=0\r\n';
  state: PeerState = 'connected';
  isOpen = true;
  packets = 0;
  bytes = 0;
  /** Called with every RTP packet (latency probes); undefined = just count. */
  onSend: ((p: Uint8Array) => void) | undefined;

  constructor(readonly media: PeerMediaParams, readonly handlers: PeerHandlers) {}

  sendRtp(p: Uint8Array): boolean {
    this.packets++;
    this.bytes += p.length;
    if (this.onSend) this.onSend(p);
    return true;
  }

  sendRtcp(): boolean {
    return true;
  }

  transportStats() {
    return { bytesSent: this.bytes, bytesReceived: 0, rttMs: undefined };
  }

  close(): void {
    this.state = 'closed';
    this.isOpen = false;
  }
}

export class NullTransport implements WebRtcTransport {
  readonly peers: NullPeer[] = [];

  get peerCount(): number {
    return this.peers.length;
  }

  async createPeer(_offer: string, media: PeerMediaParams, handlers: PeerHandlers): Promise<WebRtcPeer> {
    const p = new NullPeer(media, handlers);
    this.peers.push(p);
    return p;
  }

  cleanup(): void {
    for (const p of this.peers) p.close();
  }
}
