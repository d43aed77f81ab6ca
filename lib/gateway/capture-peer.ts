/**
 * A viewer's peer as a capture sees it: every RTP/RTCP packet handed to the transport is
 * recorded in plaintext (the transport applies SRTP after), then sent on unchanged. Wrapped
 * around the peer only when the stream is captured, so the uncaptured path stays as it was.
 */
import type { ViewerTap } from '../capture/capture-slot.js';
import type { CaptureNote } from '../capture/notes.js';
import type { PeerTransportStats, WebRtcPeer } from './transport.js';
import type { MediaKind } from './track.js';

const SEND_FAILED: CaptureNote = Object.freeze({ kind: 'send-failed' });

export class CapturingPeer implements WebRtcPeer {
  constructor(private readonly peer: WebRtcPeer, private readonly capture: ViewerTap) {}

  get answerSdp(): string {
    return this.peer.answerSdp;
  }

  get media(): WebRtcPeer['media'] {
    return this.peer.media;
  }

  get state(): WebRtcPeer['state'] {
    return this.peer.state;
  }

  get isOpen(): boolean {
    return this.peer.isOpen;
  }

  sendRtp(packet: Uint8Array, kind?: MediaKind): boolean {
    const ok = this.peer.sendRtp(packet, kind);
    this.capture.sent(packet, false, ok ? undefined : SEND_FAILED);
    return ok;
  }

  sendRtcp(packet: Uint8Array, kind?: MediaKind): boolean {
    const ok = this.peer.sendRtcp(packet, kind);
    this.capture.sent(packet, true, ok ? undefined : SEND_FAILED);
    return ok;
  }

  transportStats(): PeerTransportStats {
    return this.peer.transportStats();
  }

  /** The media is open: the ICE-selected addresses and ports go into the capture from now on. */
  notePath(): void {
    const path = this.peer.selectedPath?.();
    if (path) this.capture.setPath(path.local, path.remote);
  }

  selectedPath(): ReturnType<NonNullable<WebRtcPeer['selectedPath']>> {
    return this.peer.selectedPath?.();
  }

  close(): void {
    this.peer.close();
  }
}
