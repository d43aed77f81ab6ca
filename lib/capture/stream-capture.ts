/**
 * One stream's capture: interface `camera` (`camera-<track>` for further tracks) with the
 * camera leg's RTP/RTCP as received and the RTCP camwire sent it, and one `viewer-<id>`
 * interface per viewer with the plaintext RTP/RTCP camwire sent (before SRTP) and received
 * (after SRTP). Each packet is encoded into the bounded CaptureQueue at once (one copy) and
 * written by the CaptureWriter later; decisions come as notes that become the packet's comment.
 * Once the writer failed, recording is one branch and nothing else.
 */
import type { RtspTrackEndpoints, RtspWireTap } from '../rtsp/client/types.js';
import type { Clock } from '../clock.js';
import { parseIpAddress } from './address.js';
import type { CaptureDirectory } from './capture-dir.js';
import { CaptureQueue } from './capture-queue.js';
import { CaptureWriter, type CaptureState } from './capture-writer.js';
import type { UdpFlow } from './ip-udp.js';
import { noteOnOutgoingRtcp, noteText, type CaptureNote } from './notes.js';
import { interfaceDescriptionBlock, interfaceStatisticsBlock } from './pcapng.js';

/** Record tags: direction and kind of the packet, so a note lands only on the packet it is about. */
const IN_RTP = 0;
const IN_RTCP = 1;
const OUT_RTP = 2;
const OUT_RTCP = 3;

/** Documentation addresses (RFC 5737) used when the real ones are unknown. */
const PLACEHOLDER_CAMERA = '192.0.2.1';
const PLACEHOLDER_CAMWIRE = '192.0.2.2';
const PLACEHOLDER_VIEWER = '198.51.100.1';
const PLACEHOLDER_VIEWER_PORT = 9;

export interface StreamCaptureOptions {
  stream: string;
  dir: CaptureDirectory;
  clock: Clock;
  maxBytesPerFile: number;
  /** The capture ends (state 'full') before its files together would pass this (default: no limit). */
  maxBytes?: number;
  queueBytes: number;
  log(line: string): void;
}

export interface CaptureStats {
  state: CaptureState;
  /** Base name of the file being written (the last one once closed). */
  file: string;
  files: number;
  records: number;
  /** Records dropped because the queue was full (the disk was slower than the packets). */
  dropped: number;
  bytesWritten: number;
  error: string;
}

interface Iface {
  id: number;
  /** Flows for camwire -> peer and peer -> camwire, RTP and RTCP. */
  rtpIn: UdpFlow;
  rtcpIn: UdpFlow;
  rtpOut: UdpFlow;
  rtcpOut: UdpFlow;
}

export class StreamCapture implements RtspWireTap {
  private readonly queue: CaptureQueue;
  private readonly writer: CaptureWriter;
  private readonly idbs: Uint8Array[] = [];
  private readonly cameras: (Iface | undefined)[] = [];
  private readonly startUs: number;
  /** wall-clock ms minus monotonic ms: timestamps are monotonic time on the wall clock's origin. */
  private readonly wallOffsetMs: number;
  private lastCamera: Iface | undefined;
  private closing: Promise<void> | undefined;

  constructor(private readonly o: StreamCaptureOptions) {
    this.queue = new CaptureQueue({ queueBytes: o.queueBytes });
    this.wallOffsetMs = o.clock.wallClock() - o.clock.now();
    this.startUs = this.nowUs();
    this.writer = new CaptureWriter({
      dir: o.dir, stream: o.stream, queue: this.queue, interfaceBlocks: this.idbs, maxBytesPerFile: o.maxBytesPerFile, maxBytes: o.maxBytes,
      wallClock: () => o.clock.wallClock(), log: o.log,
    });
  }

  get recording(): boolean {
    return this.writer.state === 'writing' && !this.closing;
  }

  /** RtspWireTap: a camera datagram (or interleaved frame) in, or RTCP out. */
  onWire(track: number, rtcp: boolean, outgoing: boolean, data: Uint8Array): void {
    if (!this.recording) return;
    const i = this.cameras[track] ?? this.addCamera(track, undefined);
    this.lastCamera = i;
    const flow = outgoing ? (rtcp ? i.rtcpOut : i.rtpOut) : rtcp ? i.rtcpIn : i.rtpIn;
    this.put(i, flow, data, (outgoing ? 2 : 0) | (rtcp ? 1 : 0));
  }

  /** A camera session's tracks: their real addresses and ports from now on. */
  cameraSession(tracks: readonly { index: number; endpoints?: RtspTrackEndpoints }[]): void {
    for (const t of tracks) {
      const i = this.cameras[t.index] ?? this.addCamera(t.index, t.endpoints);
      if (t.endpoints) setCameraFlows(i, t.endpoints);
    }
  }

  /** A decision about the camera packet just recorded (or the RTCP just sent to it). */
  noteCamera(n: CaptureNote): void {
    const i = this.lastCamera;
    if (!i || !this.recording) return;
    this.queue.annotateLast(i.id, noteOnOutgoingRtcp(n) ? OUT_RTCP : IN_RTP, encode(n));
  }

  /** A new viewer's interface. */
  addViewer(id: string): ViewerCapture {
    const iface = this.addInterface(`viewer-${id}`, `viewer ${id}: plaintext RTP/RTCP camwire sent (before SRTP) and received (after SRTP)`);
    const port = PLACEHOLDER_VIEWER_PORT;
    const me = parseIpAddress(PLACEHOLDER_CAMWIRE)!;
    const peer = parseIpAddress(PLACEHOLDER_VIEWER)!;
    const out: UdpFlow = { src: me, dst: peer, srcPort: port, dstPort: port };
    const back: UdpFlow = { src: peer, dst: me, srcPort: port, dstPort: port };
    return new ViewerCapture(this, { id: iface, rtpIn: back, rtcpIn: back, rtpOut: out, rtcpOut: out });
  }

  /** Seals what is queued so the writer takes it (the Stream's tick: about every 250 ms). */
  flush(): void {
    if (!this.recording) return;
    this.queue.seal();
    this.writer.kick();
  }

  stats(): CaptureStats {
    const recorded = this.queue.recorded.reduce((a, b) => a + b, 0);
    const file = this.writer.file;
    return {
      state: this.writer.state, file: file.slice(file.lastIndexOf('/') + 1), files: this.writer.c.files, records: recorded,
      dropped: this.queue.totalDropped, bytesWritten: this.writer.c.bytesWritten, error: this.writer.error,
    };
  }

  /** Ends the capture: what is queued, then each interface's statistics (records dropped), then the file closes. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.queue.seal();
      const now = this.nowUs();
      const blocks = this.idbs.map((_, id) => {
        const dropped = this.queue.dropped[id];
        return interfaceStatisticsBlock({
          interfaceId: id, timestampUs: now, startUs: this.startUs, endUs: now, received: this.queue.recorded[id] + dropped, dropped,
          comment: dropped > 0 ? `camwire: ${dropped} capture records dropped (queue full: the disk was slower than the packets)` : undefined,
        });
      });
      const extra = new Uint8Array(blocks.reduce((n, b) => n + b.length, 0));
      let off = 0;
      for (const b of blocks) {
        extra.set(b, off);
        off += b.length;
      }
      await this.writer.close(blocks.length > 0 ? extra : undefined);
    })();
    return this.closing;
  }

  /** @internal ViewerCapture */
  put(i: Iface, flow: UdpFlow, data: Uint8Array, tag: number, note?: CaptureNote): void {
    this.queue.record(i.id, this.nowUs(), flow, data, tag, note ? encode(note) : undefined);
    if (this.queue.pending > 0) this.writer.kick();
  }

  /** @internal ViewerCapture */
  annotate(i: Iface, tag: number, n: CaptureNote): void {
    this.queue.annotateLast(i.id, tag, encode(n));
  }

  private addCamera(track: number, endpoints: RtspTrackEndpoints | undefined): Iface {
    const name = track === 0 ? 'camera' : `camera-${track}`;
    const id = this.addInterface(name, `camera track ${track}: RTP/RTCP as received from the camera (before reordering and repair) and RTCP camwire sent to it`);
    const i = { id } as Iface;
    setCameraFlows(i, endpoints ?? {
      camera: PLACEHOLDER_CAMERA, local: PLACEHOLDER_CAMWIRE, cameraRtpPort: 5000, cameraRtcpPort: 5001, localRtpPort: 6000, localRtcpPort: 6001, interleaved: false,
    });
    this.cameras[track] = i;
    return i;
  }

  private addInterface(name: string, description: string): number {
    const id = this.queue.addInterface();
    this.idbs[id] = interfaceDescriptionBlock({ name, description });
    return id;
  }

  private nowUs(): number {
    return (this.o.clock.now() + this.wallOffsetMs) * 1000;
  }
}

/** One viewer's interface; `setPath` gives it the ICE-selected addresses once known. */
export class ViewerCapture {
  constructor(private readonly cap: StreamCapture, private readonly i: Iface) {}

  /** Plaintext RTP or RTCP as handed to the transport (it applies SRTP). */
  sent(data: Uint8Array, rtcp: boolean, note?: CaptureNote): void {
    if (this.cap.recording) this.cap.put(this.i, rtcp ? this.i.rtcpOut : this.i.rtpOut, data, rtcp ? OUT_RTCP : OUT_RTP, note);
  }

  /** RTCP from the viewer, decrypted. */
  received(data: Uint8Array): void {
    if (this.cap.recording) this.cap.put(this.i, this.i.rtcpIn, data, IN_RTCP);
  }

  /** A decision about the RTP packet just sent (retransmission, RTX, keyframe-cache replay). */
  note(n: CaptureNote): void {
    if (this.cap.recording) this.cap.annotate(this.i, OUT_RTP, n);
  }

  /** The ICE-selected pair: camwire's address and port, and the viewer's. */
  setPath(local: { address: string; port: number }, remote: { address: string; port: number }): void {
    const me = parseIpAddress(local.address);
    const peer = parseIpAddress(remote.address);
    if (!me || !peer || me.length !== peer.length) return;
    const out: UdpFlow = { src: me, dst: peer, srcPort: local.port, dstPort: remote.port };
    const back: UdpFlow = { src: peer, dst: me, srcPort: remote.port, dstPort: local.port };
    this.i.rtpOut = this.i.rtcpOut = out;
    this.i.rtpIn = this.i.rtcpIn = back;
  }
}

function setCameraFlows(i: Iface, e: RtspTrackEndpoints): void {
  const cam = parseIpAddress(e.camera) ?? parseIpAddress(PLACEHOLDER_CAMERA)!;
  let me = parseIpAddress(e.local) ?? parseIpAddress(PLACEHOLDER_CAMWIRE)!;
  if (me.length !== cam.length) me = cam.length === 4 ? parseIpAddress(PLACEHOLDER_CAMWIRE)! : parseIpAddress('::')!;
  i.rtpIn = { src: cam, dst: me, srcPort: e.cameraRtpPort, dstPort: e.localRtpPort };
  i.rtcpIn = { src: cam, dst: me, srcPort: e.cameraRtcpPort, dstPort: e.localRtcpPort };
  i.rtpOut = { src: me, dst: cam, srcPort: e.localRtpPort, dstPort: e.cameraRtpPort };
  i.rtcpOut = { src: me, dst: cam, srcPort: e.localRtcpPort, dstPort: e.cameraRtcpPort };
}

const encoder = new TextEncoder();

function encode(n: CaptureNote): Uint8Array {
  return encoder.encode(noteText(n));
}
