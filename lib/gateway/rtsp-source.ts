/**
 * A Stream's source from a camera: camwire's RTSP client, then the camera pipeline (reorder
 * and NACK on UDP/multicast, depacketizer, no broken frames forwarded). Keyframe requests
 * from the Stream go to the camera as RTCP PLI; NACKs the pipeline asks for go as RTCP NACK.
 */
import { RtspClient, redactSecret, type RtspClientOptions, type RtspSessionInfo, type RtspTrack } from '../rtsp/index.js';
import { formatProfileLevelId } from '../sdp/index.js';
import { parseSps } from '../h264/index.js';
import type { RecoveringReceiverOptions } from '../recovery/index.js';
import type { DepacketizerOptions } from '../h264/index.js';
import { CameraPipeline } from './camera-pipeline.js';
import type { SourceInfo, SourceSink, SourceState, VideoSource } from './source.js';

export interface RtspSourceOptions {
  url: string;
  transport?: RtspClientOptions['transport'];
  /** Further RTSP client options (timeouts, reconnect, bind address...). */
  client?: Omit<RtspClientOptions, 'url' | 'transport'>;
  /** Reorder buffer + NACK on the camera leg: 'auto' (default) = on for UDP/multicast, off for TCP. */
  reorder?: 'auto' | 'on' | 'off';
  /** Reorder buffer and NACK generator on the camera leg (UDP/multicast). */
  receiver?: RecoveringReceiverOptions;
  depacketizer?: DepacketizerOptions;
  /** How often pending NACK/keyframe requests are checked (default 5 ms). */
  pollMs?: number;
  now?: () => number;
}

export class RtspSource implements VideoSource {
  private client: RtspClient | undefined;
  private pipeline: CameraPipeline | undefined;
  private track: RtspTrack | undefined;
  private sink: SourceSink | undefined;
  private timer: NodeJS.Timeout | undefined;
  private meta: SourceInfo = {};
  private state: SourceState = 'idle';
  private readonly now: () => number;
  private readonly c = { sessions: 0, errors: 0, nacksSent: 0, plisSent: 0, rtpPackets: 0 };
  private lastError = '';

  constructor(private readonly o: RtspSourceOptions) {
    this.now = o.now ?? (() => performance.now());
  }

  start(sink: SourceSink): void {
    if (this.client) return;
    this.sink = sink;
    const client = new RtspClient({ ...this.o.client, url: this.o.url, transport: this.o.transport ?? 'auto' });
    this.client = client;
    client.on('session', (info) => this.onSession(info));
    client.on('rtp', (pkt, track) => {
      if (!this.pipeline || track.index !== this.track?.index) return;
      this.c.rtpPackets++;
      this.pipeline.push(pkt, this.now());
    });
    client.on('state', (ch) => {
      if (ch.state === 'reconnecting') this.setState('reconnecting', ch.reason && this.redact(ch.reason.message));
      else if (ch.state === 'closed' && this.client === client) this.setState('stopped');
      else if (ch.state === 'connecting' && this.state === 'idle') this.setState('starting');
    });
    client.on('error', (err) => {
      this.c.errors++;
      this.lastError = this.redact(`${err.code}: ${err.message}`);
    });
    this.setState('starting');
    client.start().catch((err: Error & { code?: string }) => {
      this.lastError = this.redact(`${err.code ?? 'ERROR'}: ${err.message}`);
      if (this.client === client) this.setState('failed', this.lastError);
    });
    this.timer = setInterval(() => this.poll(), this.o.pollMs ?? 5);
    this.timer.unref();
  }

  stop(): void {
    const client = this.client;
    this.client = undefined;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    this.pipeline = undefined;
    if (client) void client.stop().catch(() => {});
    this.setState('stopped');
    this.sink = undefined;
  }

  requestKeyframe(): void {
    if (this.track && this.client?.requestKeyframe(this.track.index)) this.c.plisSent++;
  }

  info(): SourceInfo {
    return this.meta;
  }

  stats(): Record<string, number | string> {
    const p = this.pipeline?.stats();
    const r = p?.receiver;
    return {
      state: this.state, transport: this.client?.sessionInfo?.transport ?? '', ...this.c, lastError: this.lastError,
      accessUnits: p?.accessUnits ?? 0, keyframes: p?.keyframes ?? 0, framesDropped: (p?.incompleteDropped ?? 0) + (p?.waitingDropped ?? 0),
      packetsLost: r?.lost ?? 0, packetsRecovered: r?.recovered ?? 0, reordered: r?.late ?? 0, duplicates: r?.duplicates ?? 0,
    };
  }

  private onSession(info: RtspSessionInfo): void {
    const track = info.tracks.find((t) => t.codec?.toUpperCase() === 'H264');
    if (!track) {
      this.lastError = 'CAMERA_NO_H264: the camera offers no H.264 video track';
      this.setState('failed', this.lastError);
      return;
    }
    this.c.sessions++;
    this.track = track;
    const sink = this.sink;
    const pipeline = new CameraPipeline((au) => sink?.onAccessUnit(au), {
      reorder: this.o.reorder === 'on' || (this.o.reorder !== 'off' && info.transport !== 'tcp'), receiver: this.o.receiver, depacketizer: this.o.depacketizer,
    });
    const fmt = track.sdp.formats.find((f) => f.payloadType === track.payloadType)?.h264;
    const meta: SourceInfo = {};
    if (fmt?.parameterSets.length) {
      pipeline.setParameterSets(fmt.parameterSets);
      meta.parameterSets = fmt.parameterSets;
    }
    if (fmt?.profileLevelId) meta.profileLevelId = formatProfileLevelId(fmt.profileLevelId);
    if (fmt?.sps) {
      try {
        const sps = parseSps(fmt.sps);
        meta.width = sps.width;
        meta.height = sps.height;
      } catch {
        /* a bad SPS in the SDP: the in-band one will do */
      }
    }
    this.meta = meta;
    this.pipeline = pipeline;
    this.setState('playing');
  }

  private poll(): void {
    const p = this.pipeline;
    if (!p || !this.client || !this.track) return;
    const now = this.now();
    if (p.nextDeadline() > now) return;
    const req = p.poll(now);
    if (req.nack.length > 0 && this.client.sendNack(this.track.index, req.nack)) this.c.nacksSent++;
    if (req.keyframe) this.requestKeyframe();
  }

  /** Errors end up in /api/streams: whatever a lower layer or the camera echoed, no password. */
  private redact(text: string): string {
    return redactSecret(text, this.o.url);
  }

  private setState(s: SourceState, detail?: string): void {
    if (this.state === s) return;
    this.state = s;
    this.sink?.onState(s, detail);
  }
}
