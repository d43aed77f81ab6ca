/**
 * One WebSocket viewer's fragmented MP4: its own muxer (decode times start at 0 when it joins),
 * the init segment once the SPS/PPS are known, then one fragment per access unit, flushed at
 * once (no frame of latency waiting for the next unit to tell the duration: each fragment's
 * decode time is exact, its duration the last step). A reader that falls behind never makes the
 * server queue without bound: a fragment that would push the connection's unsent bytes past
 * `maxBufferedBytes` is dropped and the viewer skips to the next keyframe, once the backlog has
 * halved; stuck for `stallTimeoutMs` it is given up. A stream that yields no keyframe with its
 * parameter sets within `initTimeoutMs` is given up too, rather than sending a broken init.
 * Every tick it samples the connection's backlog into a bandwidth estimate (Fmp4Backlog) that
 * moves a viewer of a stream with renditions between them; a switch is a new SPS/PPS at the
 * target's keyframe, which the muxer answers with a new init segment, sent before that keyframe.
 *
 * The muxer's track list is where audio joins: a second Mp4Track at AUDIO's index, and an audio
 * sink pushing to it through this session (skips then drop audio until the video's keyframe).
 */
import type { Clock } from '../clock.js';
import { NalType } from '../h264/nal.js';
import { Mp4MuxError } from '../mp4/errors.js';
import { Mp4Muxer, type Mp4VideoSample } from '../mp4/muxer.js';
import { Fmp4Backlog } from './fmp4-backlog.js';

/** What the session writes to: a WebSocket connection's binary messages. */
export interface MessageChannel {
  /** Bytes handed to the connection and not yet sent (the socket's writableLength). */
  readonly bufferedBytes: number;
  sendBinary(data: Uint8Array): void;
}

export type Fmp4GiveUpCode =
  /** The reader stayed behind for stallTimeoutMs. */
  | 'WS_STALLED'
  /** No keyframe with SPS and PPS came within initTimeoutMs. */
  | 'WS_NO_PARAMETER_SETS';

export interface Fmp4SessionOptions {
  /** Unsent bytes a connection may hold before it skips to the next keyframe. Default 2 MiB. */
  maxBufferedBytes?: number;
  /** A viewer skipping with its backlog still over half the bound for this long is dropped (ms). Default 10000. */
  stallTimeoutMs?: number;
  /** How long a new viewer waits for a keyframe with SPS/PPS before it is dropped (ms). Default 10000. */
  initTimeoutMs?: number;
}

export const FMP4_SESSION_DEFAULTS = Object.freeze({
  maxBufferedBytes: 2 * 1024 * 1024,
  stallTimeoutMs: 10_000,
  initTimeoutMs: 10_000,
} as const satisfies Required<Fmp4SessionOptions>);

export interface Fmp4SessionHost {
  readonly clock: Clock;
  readonly channel: MessageChannel;
  requestKeyframe(): void;
  /** Called once: the owner closes the connection and removes the output. */
  giveUp(code: Fmp4GiveUpCode, message: string): void;
  /** Runs on every tick, after the backlog was sampled. */
  onTick?(): void;
}

export interface Fmp4SessionStats {
  initSegments: number;
  fragmentsSent: number;
  bytesSent: number;
  /** Fragments not sent: the connection was over maxBufferedBytes, or the viewer was skipping. */
  fragmentsSkipped: number;
  /** Times the backlog overflowed and the viewer skipped ahead to a keyframe. */
  overflows: number;
  /** Units before the first keyframe with parameter sets (nothing could decode them). */
  unitsBeforeInit: number;
  keyframesWithoutParameterSets: number;
  /** Units the muxer refused (larger than its fragment bound). */
  unitsRefused: number;
  /** Largest backlog seen when a fragment was offered. */
  peakBufferedBytes: number;
}

/** The muxer's track index of the video (audio, when it lands, takes the next). */
const VIDEO = 0;

export class Fmp4Session {
  readonly stats: Fmp4SessionStats = {
    initSegments: 0, fragmentsSent: 0, bytesSent: 0, fragmentsSkipped: 0, overflows: 0,
    unitsBeforeInit: 0, keyframesWithoutParameterSets: 0, unitsRefused: 0, peakBufferedBytes: 0,
  };
  readonly maxBufferedBytes: number;
  readonly stallTimeoutMs: number;
  readonly initTimeoutMs: number;
  private readonly muxer = new Mp4Muxer([{ kind: 'video', codec: 'h264' }]);
  private readonly openedAt: number;
  private sentInitVersion = 0;
  /** When the viewer began skipping; undefined while it keeps up. */
  private skippingSince: number | undefined;
  private keyframeAsked = false;
  private gaveUp = false;

  /** `backlog` turns the connection's send backlog into a bandwidth estimate, sampled every tick. */
  constructor(private readonly host: Fmp4SessionHost, o: Fmp4SessionOptions = {}, readonly backlog = new Fmp4Backlog()) {
    this.maxBufferedBytes = o.maxBufferedBytes ?? FMP4_SESSION_DEFAULTS.maxBufferedBytes;
    this.stallTimeoutMs = o.stallTimeoutMs ?? FMP4_SESSION_DEFAULTS.stallTimeoutMs;
    this.initTimeoutMs = o.initTimeoutMs ?? FMP4_SESSION_DEFAULTS.initTimeoutMs;
    this.openedAt = host.clock.now();
  }

  /** The init segment has gone out. */
  get started(): boolean {
    return this.sentInitVersion !== 0;
  }

  get skipping(): boolean {
    return this.skippingSince !== undefined;
  }

  /** A skipping viewer may resume at a keyframe once its backlog has halved. */
  canResume(): boolean {
    return this.host.channel.bufferedBytes <= this.maxBufferedBytes / 2;
  }

  resumed(): void {
    this.skippingSince = undefined;
    this.keyframeAsked = false;
  }

  /**
   * One whole video access unit (views may be transient). Returns false when it was not sent
   * and the viewer must now wait for a keyframe.
   */
  pushVideo(au: Mp4VideoSample): boolean {
    if (!this.started) {
      if (!au.keyframe) {
        this.stats.unitsBeforeInit++;
        return true;
      }
      if (!hasParameterSets(au.nalus)) {
        this.stats.keyframesWithoutParameterSets++;
        return true;
      }
    }
    try {
      // flushed below, so a push never closes a held fragment
      this.muxer.pushVideo(VIDEO, au);
    } catch (err) {
      if (!(err instanceof Mp4MuxError)) throw err;
      this.stats.unitsRefused++;
      this.skip();
      return false;
    }
    if (this.muxer.initVersion !== this.sentInitVersion) {
      this.sentInitVersion = this.muxer.initVersion;
      const init = this.muxer.initSegment();
      this.host.channel.sendBinary(init);
      this.stats.initSegments++;
      this.stats.bytesSent += init.length;
    }
    const fragment = this.muxer.flush(VIDEO);
    return fragment === undefined || this.send(fragment);
  }

  /** A unit was lost while skipping: ask for a keyframe once the backlog has drained. */
  skipped(): void {
    if (this.skippingSince === undefined || this.keyframeAsked || !this.canResume()) return;
    this.keyframeAsked = true;
    this.host.requestKeyframe();
  }

  /** Periodic check: a stuck reader or a stream without parameter sets is given up. */
  tick(): void {
    if (this.gaveUp) return;
    const now = this.host.clock.now();
    this.backlog.sample(now, this.host.channel.bufferedBytes, this.stats.bytesSent);
    this.host.onTick?.();
    if (!this.started && now - this.openedAt >= this.initTimeoutMs) {
      this.giveUp('WS_NO_PARAMETER_SETS', `no keyframe with SPS and PPS within ${this.initTimeoutMs} ms`);
    } else if (this.skippingSince !== undefined && !this.canResume() && now - this.skippingSince >= this.stallTimeoutMs) {
      this.giveUp('WS_STALLED', `the viewer read nothing for ${this.stallTimeoutMs} ms`);
    }
  }

  private send(fragment: Uint8Array): boolean {
    const buffered = this.host.channel.bufferedBytes;
    if (buffered > this.stats.peakBufferedBytes) this.stats.peakBufferedBytes = buffered;
    if (buffered + fragment.length > this.maxBufferedBytes) {
      this.stats.overflows++;
      this.skip();
      return false;
    }
    this.host.channel.sendBinary(fragment);
    this.stats.fragmentsSent++;
    this.stats.bytesSent += fragment.length;
    return true;
  }

  private skip(): void {
    this.stats.fragmentsSkipped++;
    this.skippingSince ??= this.host.clock.now();
  }

  private giveUp(code: Fmp4GiveUpCode, message: string): void {
    this.gaveUp = true;
    this.host.giveUp(code, message);
  }
}

function hasParameterSets(nalus: readonly Uint8Array[]): boolean {
  let sps = false;
  let pps = false;
  for (const n of nalus) {
    if (n.length === 0) continue;
    const type = n[0] & 0x1f;
    if (type === NalType.Sps) sps = true;
    else if (type === NalType.Pps) pps = true;
  }
  return sps && pps;
}
