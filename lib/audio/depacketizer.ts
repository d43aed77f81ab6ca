/** The depacketizer an audio track description calls for. */
import type { AudioTrackDescription } from './audio-fmtp.js';
import type { AudioDepacketizer, AudioFrameSink } from './frame.js';
import { LatmDepacketizer, type LatmOptions } from './latm.js';
import { PassthroughDepacketizer } from './passthrough.js';
import { Rfc3640Depacketizer } from './rfc3640.js';

/** RFC 3640 for mpeg4-generic, RFC 6416 for MP4A-LATM, a passthrough for G.711, G.722, Opus and L16. */
export function createAudioDepacketizer(desc: AudioTrackDescription, onFrame: AudioFrameSink, options: LatmOptions = {}): AudioDepacketizer {
  const generic = desc.mpeg4Generic;
  if (generic) return new Rfc3640Depacketizer(onFrame, { layout: generic.layout, frameTicks: generic.frameTicks }, options);
  const latm = desc.latm;
  if (latm) {
    const config = { clockRate: desc.clockRate, muxConfigPresent: latm.muxConfigPresent };
    return new LatmDepacketizer(onFrame, latm.streamMuxConfig ? { ...config, streamMuxConfig: latm.streamMuxConfig } : config, options);
  }
  return new PassthroughDepacketizer(onFrame, options);
}
