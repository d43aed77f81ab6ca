/**
 * A WebRTC viewer for specs: a node-datachannel peer with a recvonly H.264 track that joins over
 * WHEP and counts the RTP it receives, sending receiver reports as a browser does.
 */
import nodeDataChannel from 'node-datachannel';
import type { PeerConnection } from 'node-datachannel';

export class WhepViewer {
  packets = 0;
  location: string | undefined;
  private constructor(private readonly pc: PeerConnection) {}

  /**
   * Joins `whepUrl`. libdatachannel as an offerer now and then refuses a valid answer ("remote
   * candidate without ICE transport"): that attempt is ended and retried with a fresh peer.
   */
  static async join(whepUrl: string, attempts = 3): Promise<WhepViewer> {
    for (let i = 1; ; i++) {
      const pc = new nodeDataChannel.PeerConnection(`spec-viewer-${i}`, { iceServers: [], bindAddress: '127.0.0.1' });
      const viewer = new WhepViewer(pc);
      try {
        await viewer.connect(whepUrl);
        return viewer;
      } catch (err) {
        pc.close();
        if (i >= attempts) throw err;
      }
    }
  }

  close(): void {
    this.pc.close();
  }

  private async connect(whepUrl: string): Promise<void> {
    const video = new nodeDataChannel.Video('0', 'RecvOnly');
    video.addH264Codec(102, 'profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1');
    const track = this.pc.addTrack(video);
    track.setMediaHandler(new nodeDataChannel.RtcpReceivingSession());
    track.onMessage((m) => {
      const pt = m.length >= 12 ? m[1] & 0x7f : -1;
      if (pt >= 0 && (pt < 72 || pt > 79)) this.packets++; // 72-79: RTCP on the same track
    });
    const offer = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('gathering timeout')), 10_000);
      this.pc.onGatheringStateChange((s) => {
        if (s !== 'complete') return;
        clearTimeout(timer);
        resolve(this.pc.localDescription()?.sdp ?? '');
      });
      this.pc.setLocalDescription();
    });
    const res = await fetch(whepUrl, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: offer });
    const answer = await res.text();
    if (res.status !== 201) throw new Error(`WHEP ${res.status}: ${answer}`);
    this.location = res.headers.get('location') ?? undefined;
    try {
      this.pc.setRemoteDescription(answer, 'answer');
    } catch (err) {
      await fetch(new URL(this.location ?? '', whepUrl), { method: 'DELETE' });
      throw err;
    }
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('track did not open')), 15_000);
      const opened = () => {
        clearTimeout(timer);
        resolve();
      };
      if (track.isOpen()) opened();
      else track.onOpen(opened);
    });
  }
}
