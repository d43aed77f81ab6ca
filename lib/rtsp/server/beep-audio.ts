/**
 * The demo camera's sound: G.711 (8 kHz mono) made here, no file and no encoder program. A
 * 100 ms beep at the start of every second of the clip's own clock (the clock the demo clip's
 * overlay shows), higher on the loop's first second, silence between. The sound is cut per
 * video frame from the frame's place in the clip, so the beeps stay on the overlay's second
 * changes across loops and keyframe jumps: lip sync can be seen and heard.
 */
import { linearToAlaw, linearToUlaw, type G711Law } from '../../audio/g711.js';
import type { AudioTrackDescription } from '../../audio/index.js';
import { RtspServerError } from './errors.js';

export const BEEP_AUDIO_DEFAULTS = Object.freeze({
  law: 'ulaw' as G711Law,
  beepMs: 100,
  /** Hz of every second's beep, and of the loop's first. */
  toneHz: 1000,
  firstToneHz: 1500,
  /** Peak, as a fraction of full scale (-6 dBFS: loud enough for a meter, not shrill). */
  level: 0.5,
});

export interface BeepAudioOptions {
  law?: G711Law;
  beepMs?: number;
}

export const G711_CLOCK_RATE = 8000;
/** Fade in and out over this many samples (2 ms), so a beep starts without a click. */
const FADE_SAMPLES = 16;

/** One video frame's sound: coded bytes (a view, valid until the next call) on the 8 kHz clock. */
export class BeepAudio {
  readonly law: G711Law;
  readonly description: AudioTrackDescription;
  private readonly beep: Uint8Array;
  private readonly firstBeep: Uint8Array;
  private readonly silence: number;
  private readonly out: Uint8Array;
  /** Samples of each frame are the whole part of this running sum (in 1/90000 s units x 8000), so nothing drifts. */
  private carry = 0;

  constructor(private readonly frameRate: number, o: BeepAudioOptions = {}) {
    this.law = o.law ?? BEEP_AUDIO_DEFAULTS.law;
    const beepMs = o.beepMs ?? BEEP_AUDIO_DEFAULTS.beepMs;
    if (!(beepMs > 0 && beepMs <= 1000)) throw new RtspServerError('RTSP_SERVER_BAD_OPTION', `beep of ${beepMs} ms is outside (0, 1000]`);
    if (!(frameRate >= 1 && frameRate <= 240)) throw new RtspServerError('RTSP_SERVER_BAD_OPTION', `frame rate ${frameRate} is outside [1, 240] for a clip with sound`);
    const codec = this.law === 'ulaw' ? 'pcmu' : 'pcma';
    this.description = { payloadType: codec === 'pcmu' ? 0 : 8, codec, clockRate: G711_CLOCK_RATE, sampleRate: G711_CLOCK_RATE, channels: 1 };
    const n = Math.round((beepMs * G711_CLOCK_RATE) / 1000);
    this.beep = tone(this.law, BEEP_AUDIO_DEFAULTS.toneHz, n);
    this.firstBeep = tone(this.law, BEEP_AUDIO_DEFAULTS.firstToneHz, n);
    this.silence = this.law === 'ulaw' ? linearToUlaw(0) : linearToAlaw(0);
    this.out = new Uint8Array(Math.ceil(G711_CLOCK_RATE / frameRate) + 1);
  }

  /**
   * The sound of clip frame `index` (0-based, counted from the clip's start), which lasts
   * `duration` 90 kHz units. Consecutive calls cover consecutive stretches of the 8 kHz clock.
   */
  frame(index: number, duration: number): Uint8Array {
    this.carry += duration * G711_CLOCK_RATE;
    const samples = Math.min(this.out.length, Math.floor(this.carry / 90000));
    this.carry -= samples * 90000;
    const fps = Math.round(this.frameRate);
    const second = Math.floor(index / fps);
    // where this frame starts within its second of the clip's clock, in samples
    const offset = Math.round(((index - second * fps) * G711_CLOCK_RATE) / this.frameRate);
    const beep = second === 0 ? this.firstBeep : this.beep;
    const out = this.out;
    for (let i = 0; i < samples; i++) {
      const k = offset + i;
      out[i] = k < beep.length ? beep[k] : this.silence;
    }
    return out.subarray(0, samples);
  }
}

function tone(law: G711Law, hz: number, n: number): Uint8Array {
  const encode = law === 'ulaw' ? linearToUlaw : linearToAlaw;
  const out = new Uint8Array(n);
  const peak = BEEP_AUDIO_DEFAULTS.level * 32767;
  for (let i = 0; i < n; i++) {
    const fade = Math.min(1, i / FADE_SAMPLES, (n - 1 - i) / FADE_SAMPLES);
    out[i] = encode(Math.round(peak * fade * Math.sin((2 * Math.PI * hz * i) / G711_CLOCK_RATE)));
  }
  return out;
}
