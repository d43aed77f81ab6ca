/** In-memory WebRtcTransport for unit tests: records what would go to the browser. */
import type { PeerHandlers, PeerMediaParams, PeerState, WebRtcPeer, WebRtcTransport } from '../../lib/gateway/transport.js';
import type { Clock, TimerHandle } from '../../lib/clock.js';
import { PolledTimers } from './polled-clock.js';

export class FakePeer implements WebRtcPeer {
  readonly answerSdp: string;
  state: PeerState = 'new';
  isOpen = false;
  readonly rtp: Uint8Array[] = [];
  /** RTP sent on the audio m-line. */
  readonly audioRtp: Uint8Array[] = [];
  readonly rtcp: Uint8Array[] = [];
  refuse = false;

  constructor(
    readonly media: PeerMediaParams,
    readonly handlers: PeerHandlers,
    private readonly onClose: (p: FakePeer) => void,
  ) {
    this.answerSdp = `v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF ${media.payloadType}\r\na=mid:${media.mid}\r\n`;
  }

  open(): void {
    this.state = 'connected';
    this.isOpen = true;
    this.handlers.onState('connected');
    this.handlers.onOpen();
  }

  sendRtp(p: Uint8Array, kind: 'video' | 'audio' = 'video'): boolean {
    if (!this.isOpen || this.refuse) return false;
    (kind === 'audio' ? this.audioRtp : this.rtp).push(Uint8Array.from(p));
    return true;
  }

  sendRtcp(p: Uint8Array): boolean {
    if (!this.isOpen) return false;
    this.rtcp.push(Uint8Array.from(p));
    return true;
  }

  transportStats() {
    return { bytesSent: 0, bytesReceived: 0, rttMs: undefined };
  }

  close(): void {
    if (this.state === 'closed') return;
    this.state = 'closed';
    this.isOpen = false;
    this.handlers.onState('closed');
    this.onClose(this);
  }
}

export class FakeTransport implements WebRtcTransport {
  readonly peers: FakePeer[] = [];
  cleanedUp = false;
  /** Open peers as soon as they are created (default) or leave it to the test. */
  autoOpen = true;

  get peerCount(): number {
    return this.peers.filter((p) => p.state !== 'closed').length;
  }

  async createPeer(_offer: string, media: PeerMediaParams, handlers: PeerHandlers): Promise<WebRtcPeer> {
    const p = new FakePeer(media, handlers, () => {});
    this.peers.push(p);
    if (this.autoOpen) queueMicrotask(() => p.open());
    return p;
  }

  cleanup(): void {
    this.cleanedUp = true;
    for (const p of this.peers) p.close();
  }
}

/** A clock the test moves by hand. */
export class VirtualClock implements Clock {
  t = 0;
  wall = 1_700_000_000_000;
  now = (): number => this.t;
  wallClock = (): number => this.wall + this.t;
  private readonly timers = new PolledTimers(this.now, this.wallClock);
  setTimer(delayMs: number, fn: () => void): TimerHandle {
    return this.timers.setTimer(delayMs, fn);
  }
  advance(ms: number): void {
    this.t += ms;
    this.timers.runDue();
  }
}
