/**
 * Child process: N WebRTC viewers made of node-datachannel PeerConnections, each sending a
 * recvonly H.264 offer to a WHEP endpoint (camwire or the native floor) and counting the RTP
 * it receives. Also times each viewer's first complete keyframe from its WHEP POST.
 * Or each answers a Janus streaming mountpoint's offer (mode 'janus', tools/peers).
 * Protocol (IPC): {cmd:'join', url, mode, n, concurrency} -> {joined, failed, ttffMs[]};
 * {cmd:'mark'} -> {packets, bytes, gaps}; {cmd:'close'} -> exits.
 */
import nodeDataChannel from 'node-datachannel';
import type { PeerConnection, Track } from 'node-datachannel';
import { performance } from 'node:perf_hooks';
import { JanusViewer } from '../../tools/peers/janus-viewer.js';

const H264_PT = 102;

class Receiver {
  packets = 0;
  bytes = 0;
  gaps = 0;
  ttffMs = -1;
  /** WHEP POST -> track open (ICE + DTLS), ms. */
  openMs = -1;
  /** WHEP POST -> answer received, ms. */
  answerMs = -1;
  private lastSeq = -1;
  // First-keyframe detection: a keyframe started at timestamp kfTs, no gap since.
  private kfTs = -1;
  private postedAt = 0;
  private pc: PeerConnection | undefined;
  private track: Track | undefined;
  private janus: JanusViewer | undefined;

  constructor(readonly id: number) {}

  async join(url: string, mode: 'whep' | 'janus'): Promise<void> {
    if (mode === 'janus') return this.joinJanus(url);
    const pc = new nodeDataChannel.PeerConnection(`viewer-${this.id}`, { iceServers: [], bindAddress: '127.0.0.1' });
    this.pc = pc;
    const video = new nodeDataChannel.Video('0', 'RecvOnly');
    video.addH264Codec(H264_PT, 'profile-level-id=42e01f;packetization-mode=1;level-asymmetry-allowed=1');
    const track = pc.addTrack(video);
    this.track = track;
    track.onMessage((msg) => this.onMessage(msg));
    const offer = await gathered(pc, () => pc.setLocalDescription());
    this.postedAt = performance.now();
    const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/sdp' }, body: offer });
    const answer = await res.text();
    if (res.status !== 201) throw new Error(`WHEP ${res.status}: ${answer}`);
    this.answerMs = performance.now() - this.postedAt;
    pc.setRemoteDescription(answer, 'answer');
    await this.opened(track);
  }

  /** Janus offers: watch mountpoint 1, answer, start. Janus gathers on the machine's address, not loopback. */
  private async joinJanus(base: string): Promise<void> {
    const viewer = await JanusViewer.attach(base);
    this.janus = viewer;
    const pc = new nodeDataChannel.PeerConnection(`viewer-${this.id}`, { iceServers: [] });
    this.pc = pc;
    this.postedAt = performance.now();
    const offer = await viewer.watch(1);
    const remoteTrack = new Promise<Track>((resolve) => pc.onTrack(resolve));
    const answer = await gathered(pc, () => pc.setRemoteDescription(offer, 'offer'));
    this.answerMs = performance.now() - this.postedAt;
    await viewer.start(answer);
    const track = await remoteTrack;
    this.track = track;
    track.onMessage((msg) => this.onMessage(msg));
    await this.opened(track);
  }

  private opened(track: Track): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('track did not open')), 15_000);
      if (track.isOpen()) {
        this.openMs = performance.now() - this.postedAt;
        clearTimeout(timer);
        resolve();
        return;
      }
      track.onOpen(() => {
        this.openMs = performance.now() - this.postedAt;
        clearTimeout(timer);
        resolve();
      });
    });
  }

  private onMessage(msg: Buffer): void {
    if (msg.length < 12 || (msg[1] & 0x7f) >= 72 && (msg[1] & 0x7f) <= 79) return; // RTCP (SR) on the same track
    this.packets++;
    this.bytes += msg.length;
    const seq = (msg[2] << 8) | msg[3];
    if (this.lastSeq >= 0 && seq !== ((this.lastSeq + 1) & 0xffff)) {
      this.gaps++;
      this.kfTs = -1;
    }
    this.lastSeq = seq;
    if (this.ttffMs >= 0) return;
    const ts = msg.readUInt32BE(4);
    const cc = msg[0] & 0x0f;
    let p = 12 + cc * 4;
    // a header extension (Janus sends mid and abs-send-time): 4 bytes plus its length in words
    if ((msg[0] & 0x10) !== 0 && p + 4 <= msg.length) p += 4 + 4 * ((msg[p + 2] << 8) | msg[p + 3]);
    if (p >= msg.length) return;
    const type = msg[p] & 0x1f;
    const startsKeyframe =
      type === 5 || type === 7 || (type === 24 && (msg[p + 3] & 0x1f) === 7) || (type === 28 && (msg[p + 1] & 0x80) !== 0 && (msg[p + 1] & 0x1f) === 5);
    if (startsKeyframe && this.kfTs !== ts) this.kfTs = ts;
    if (this.kfTs === ts && (msg[1] & 0x80) !== 0) this.ttffMs = performance.now() - this.postedAt;
  }

  close(): void {
    void this.janus?.close();
    try { this.track?.close(); } catch { /* closed */ }
    try { this.pc?.close(); } catch { /* closed */ }
  }
}

/** Runs `start` (which makes the local description) and resolves with the SDP once ICE gathering completes. */
function gathered(pc: PeerConnection, start: () => void): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('gathering timeout')), 10_000);
    pc.onGatheringStateChange((state) => {
      if (state !== 'complete') return;
      clearTimeout(timer);
      resolve(pc.localDescription()?.sdp ?? '');
    });
    start();
  });
}

const receivers: Receiver[] = [];

async function joinAll(url: string, mode: 'whep' | 'janus', n: number, concurrency: number): Promise<{ joined: number; failed: number; errors: string[] }> {
  let next = 0;
  let failed = 0;
  const errors: string[] = [];
  const worker = async () => {
    while (next < n) {
      const id = next++;
      // libdatachannel now and then refuses a valid answer ("Got a remote candidate without ICE
      // transport"); a fresh PeerConnection then joins fine, so a viewer gets three attempts.
      for (let attempt = 0; attempt < 3; attempt++) {
        const r = new Receiver(id * 10 + attempt);
        try {
          await r.join(url, mode);
          receivers.push(r);
          break;
        } catch (err) {
          failed++;
          if (errors.length < 3) errors.push((err as Error).message);
          r.close();
        }
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, worker));
  return { joined: receivers.length, failed, errors };
}

function totals() {
  let packets = 0, bytes = 0, gaps = 0;
  for (const r of receivers) { packets += r.packets; bytes += r.bytes; gaps += r.gaps; }
  return { packets, bytes, gaps, viewers: receivers.length };
}

process.on('message', (m: { cmd: string; url?: string; mode?: 'whep' | 'janus'; n?: number; concurrency?: number; waitMs?: number }) => {
  void (async () => {
    if (m.cmd === 'join') {
      const res = await joinAll(m.url!, m.mode ?? 'whep', m.n!, m.concurrency ?? 4);
      // Give the last viewers time to receive their first keyframe.
      await new Promise((r) => setTimeout(r, m.waitMs ?? 0));
      process.send!({
        ...res, ttffMs: receivers.map((r) => r.ttffMs), openMs: receivers.map((r) => r.openMs), answerMs: receivers.map((r) => r.answerMs),
      });
    } else if (m.cmd === 'mark') {
      process.send!({ ...totals(), cpu: process.cpuUsage() });
    } else if (m.cmd === 'close') {
      for (const r of receivers) r.close();
      // Not nodeDataChannel.cleanup(): with ~100 closed peers it can abort in
      // napi_release_threadsafe_function (node-datachannel 0.33.4); exit() ends the threads too.
      process.send!({ closed: true }, () => process.exit(0));
    }
  })().catch((err) => process.send!({ error: (err as Error).message }));
});
process.send!({ ready: true });
