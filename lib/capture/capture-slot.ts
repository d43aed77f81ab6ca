/**
 * A stream's capture that can start and stop while the stream runs (the stream API's
 * POST/DELETE /api/streams/<name>/capture): the stream and its source hold the slot for their
 * whole life, and it hands what they see to the capture running now, if any (one branch per
 * packet when none is). A capture started through the API is bounded: it ends itself after
 * `seconds`, or before its file would pass `maxBytes` (checked on the stream's tick). Viewers
 * that joined before a capture began are in it too: each gets its interface on its first
 * packet after the start, with the ICE-selected path it already had.
 */
import type { Clock } from '../clock.js';
import { CamwireError } from '../errors.js';
import type { RtspTrackEndpoints, RtspWireTap } from '../rtsp/client/types.js';
import type { CaptureState } from './capture-writer.js';
import type { CaptureNote } from './notes.js';
import type { CaptureStats, StreamCapture, ViewerCapture } from './stream-capture.js';

/** What a stream's source tells the capture of the camera leg (a StreamCapture, or a slot). */
export type CameraTap = RtspWireTap & Pick<StreamCapture, 'noteCamera' | 'cameraSession'>;

/** What a viewer's peer tells the capture (lib/capture's ViewerCapture, or a slot's). */
export type ViewerTap = Pick<ViewerCapture, 'sent' | 'received' | 'note' | 'setPath'>;

/** A run-time capture's bounds: whichever comes first ends it. */
export interface CaptureBounds {
  /** Default 64 MiB; at most the config's maxBytesPerFile. */
  maxBytes?: number;
  /** Default 60 s; at most 86400. */
  seconds?: number;
}

export const CAPTURE_API_DEFAULTS = Object.freeze({
  maxBytes: 64 * 1024 * 1024,
  seconds: 60,
  /** The least maxBytes a request may ask for (room for the headers and a few packets). */
  minBytes: 65_536,
  maxSeconds: 86_400,
});

/** Why the last capture ended: a DELETE, one of its bounds, a write error, or its stream went away. */
export type CaptureEnd = 'stopped' | 'seconds' | 'maxBytes' | 'failed' | 'stream-removed';

/** What /api/streams shows of a stream's capture: the running or last one's counters, and its bounds. */
export interface CaptureSlotStats extends Partial<Omit<CaptureStats, 'state'>> {
  /** 'off': none ran yet. */
  state: CaptureState | 'off';
  running: boolean;
  maxBytes?: number;
  seconds?: number;
  /** Until a bounded capture ends by time. */
  remainingMs?: number;
  ended?: CaptureEnd;
}

/**
 * The capture API's refusals: one running already (409), none running (404), no capture for
 * the stream (403: no directory, or `capture: false`), no such file (404), bounds out of range (400).
 */
export type CaptureErrorCode = 'CAPTURE_RUNNING' | 'CAPTURE_NOT_RUNNING' | 'CAPTURE_OFF' | 'CAPTURE_NOT_FOUND' | 'CONFIG_INVALID';

export class CaptureError extends CamwireError {
  declare readonly code: CaptureErrorCode;
  constructor(code: CaptureErrorCode, message: string) {
    super(code, message);
  }
}

/** Where the slot's captures come from (Captures). */
export interface CaptureFactory {
  /** A new capture of `stream`; `maxBytes` bounds it. */
  start(stream: string, maxBytes?: number): StreamCapture;
  stop(c: StreamCapture): Promise<void>;
  /** The largest file a capture may write (the config's maxBytesPerFile). */
  readonly maxBytesPerFile: number;
}

interface Running {
  capture: StreamCapture;
  /** undefined: unbounded (a capture from the stream's start). */
  bounds?: { maxBytes: number; seconds: number; untilMs: number };
}

export class CaptureSlot implements RtspWireTap {
  /** Bumped at each start: a viewer's tap sees a new capture began. */
  generation = 0;
  private running: Running | undefined;
  private last: { capture: StreamCapture; bounds: Running['bounds']; ended: CaptureEnd } | undefined;
  private session: readonly { index: number; endpoints?: RtspTrackEndpoints }[] | undefined;
  private stopping: Promise<CaptureStats | undefined> | undefined;

  constructor(readonly stream: string, private readonly factory: CaptureFactory, private readonly clock: Clock) {}

  get current(): StreamCapture | undefined {
    return this.running?.capture;
  }

  /** Starts a capture; `bounds` given (the API), it ends itself. CAPTURE_RUNNING when one runs. */
  start(bounds?: CaptureBounds): StreamCapture {
    if (this.running || this.stopping) throw new CaptureError('CAPTURE_RUNNING', `a capture of stream ${this.stream} is running: DELETE it first`);
    const b = bounds && checkBounds(bounds, this.factory.maxBytesPerFile);
    const capture = this.factory.start(this.stream, b?.maxBytes);
    this.running = { capture, bounds: b && { ...b, untilMs: this.clock.now() + b.seconds * 1000 } };
    this.generation++;
    if (this.session) capture.cameraSession(this.session);
    return capture;
  }

  /** Ends the running capture (its file complete); the last capture's counters, or undefined when none ran. */
  stop(why: CaptureEnd = 'stopped'): Promise<CaptureStats | undefined> {
    if (this.stopping) return this.stopping;
    const r = this.running;
    if (!r) return Promise.resolve(this.last?.capture.stats());
    this.running = undefined;
    this.last = { capture: r.capture, bounds: r.bounds, ended: why };
    this.stopping = (async () => {
      await this.factory.stop(r.capture);
      this.stopping = undefined;
      return r.capture.stats();
    })();
    return this.stopping;
  }

  /** RtspWireTap */
  onWire(track: number, rtcp: boolean, outgoing: boolean, data: Uint8Array): void {
    this.running?.capture.onWire(track, rtcp, outgoing, data);
  }

  /** The camera session's endpoints, kept for a capture that starts later. */
  cameraSession(tracks: readonly { index: number; endpoints?: RtspTrackEndpoints }[]): void {
    this.session = tracks;
    this.running?.capture.cameraSession(tracks);
  }

  noteCamera(n: CaptureNote): void {
    this.running?.capture.noteCamera(n);
  }

  /** A viewer's tap, following the slot's captures for the viewer's life. */
  addViewer(id: string): ViewerTap {
    return new SlotViewer(this, id);
  }

  /** The stream's tick: seals what is queued, and ends a bounded capture that reached a bound. */
  flush(): void {
    const r = this.running;
    if (!r) return;
    r.capture.flush();
    const state = r.capture.stats().state;
    if (state === 'failed') void this.stop('failed');
    else if (state === 'full') void this.stop('maxBytes');
    else if (r.bounds && this.clock.now() >= r.bounds.untilMs) void this.stop('seconds');
  }

  stats(): CaptureSlotStats {
    const r = this.running;
    if (r) {
      const b = r.bounds;
      const bounds = b ? { maxBytes: b.maxBytes, seconds: b.seconds, remainingMs: Math.max(0, Math.round(b.untilMs - this.clock.now())) } : {};
      return { ...r.capture.stats(), running: true, ...bounds };
    }
    const l = this.last;
    if (!l) return { state: 'off', running: false };
    return { ...l.capture.stats(), running: false, ...(l.bounds ? { maxBytes: l.bounds.maxBytes, seconds: l.bounds.seconds } : {}), ended: l.ended };
  }
}

/** A viewer's tap: hands its packets to the slot's running capture, adding its interface there first. */
class SlotViewer implements ViewerTap {
  private generation = -1;
  private inner: ViewerCapture | undefined;
  private path: [{ address: string; port: number }, { address: string; port: number }] | undefined;

  constructor(private readonly slot: CaptureSlot, private readonly id: string) {}

  sent(data: Uint8Array, rtcp: boolean, note?: CaptureNote): void {
    this.live()?.sent(data, rtcp, note);
  }

  received(data: Uint8Array): void {
    this.live()?.received(data);
  }

  note(n: CaptureNote): void {
    this.live()?.note(n);
  }

  setPath(local: { address: string; port: number }, remote: { address: string; port: number }): void {
    this.path = [local, remote];
    this.live()?.setPath(local, remote);
  }

  private live(): ViewerCapture | undefined {
    const capture = this.slot.current;
    if (!capture) return undefined;
    if (this.generation !== this.slot.generation) {
      this.generation = this.slot.generation;
      this.inner = capture.addViewer(this.id);
      if (this.path) this.inner.setPath(this.path[0], this.path[1]);
    }
    return this.inner;
  }
}

function checkBounds(b: CaptureBounds, maxBytesPerFile: number): { maxBytes: number; seconds: number } {
  const maxBytes = b.maxBytes ?? Math.min(CAPTURE_API_DEFAULTS.maxBytes, maxBytesPerFile);
  const seconds = b.seconds ?? CAPTURE_API_DEFAULTS.seconds;
  if (!Number.isInteger(maxBytes) || maxBytes < CAPTURE_API_DEFAULTS.minBytes || maxBytes > maxBytesPerFile) {
    throw new CaptureError('CONFIG_INVALID', `maxBytes must be an integer from ${CAPTURE_API_DEFAULTS.minBytes} to ${maxBytesPerFile} (capture.maxBytesPerFile)`);
  }
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds <= 0 || seconds > CAPTURE_API_DEFAULTS.maxSeconds) {
    throw new CaptureError('CONFIG_INVALID', `seconds must be a number above 0 and at most ${CAPTURE_API_DEFAULTS.maxSeconds}`);
  }
  return { maxBytes, seconds };
}
