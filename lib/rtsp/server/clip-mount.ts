/**
 * A clip served like a camera, through the same engine as the gateway's cameras: the clip
 * paced into a VideoSource (PacedClipSource), a gateway Stream whose video track frame-forwards
 * it (egress timeline, history, keyframe cache), and an RtspMount over that track. The stream
 * runs only while an RTSP viewer watches; when it starts again its timeline re-bases, so RTP
 * time keeps tracking wall time across the idle period and sequence numbers simply continue.
 */
import type { Clock } from '../../clock.js';
import { createDeps } from '../../gateway/default-deps.js';
import { Stream, type EgressStart } from '../../gateway/stream.js';
import type { RetransmissionHistoryOptions } from '../../recovery/history.js';
import { KEYFRAME_POLICY_DEFAULTS } from '../../recovery/keyframe-policy.js';
import type { H264Source } from './media-source.js';
import { RtspMount } from './mount.js';
import { PacedClipSource } from './paced-clip-source.js';
import type { BeepAudio } from './beep-audio.js';
import type { ServedAudioFacts } from './mount-audio.js';
import type { AudioTrackDescription } from '../../audio/index.js';

export interface ClipMountOptions {
  clock: Clock;
  /** Randomness for SSRC, first sequence number and first timestamp (tests pin it). Default: crypto. */
  random?: () => number;
  /** First RTP sequence number (tests crossing the 65535 -> 0 wrap). Default: random. */
  initialSequenceNumber?: number;
  /** RTP packet size limit. Default 1200 bytes. */
  maxPacketSize?: number;
  /** Default 5000 ms. */
  senderReportIntervalMs?: number;
  /** At most one keyframe request to the clip per this interval (the stream's KeyframePolicy). Default 1000 ms. */
  minKeyframeIntervalMs?: number;
  /** History answering NACKs, or false to ignore NACKs. Default: RetransmissionHistory's (1000 ms, 1024 packets). */
  retransmission?: RetransmissionHistoryOptions | false;
  /** Lateness after which pacing re-anchors instead of bursting. Default 1000 ms. */
  maxLagMs?: number;
  /** The clip's sound, served as a second track (`trackID=1`). Default: none (video only). */
  sound?: BeepAudio;
}

export const CLIP_MOUNT_DEFAULTS = Object.freeze({
  maxPacketSize: 1200,
  minKeyframeIntervalMs: KEYFRAME_POLICY_DEFAULTS.minIntervalMs,
} as const);

/** Serves `clip` as the stream named `name` (on demand, frame forwarding). */
export function clipMount(name: string, clip: H264Source, o: ClipMountOptions): RtspMount {
  const retransmission = o.retransmission ?? {};
  const deps = createDeps(
    { history: retransmission === false ? undefined : retransmission, keyframeRequestIntervalMs: o.minKeyframeIntervalMs ?? CLIP_MOUNT_DEFAULTS.minKeyframeIntervalMs },
    { clock: o.clock },
    o.maxPacketSize ?? CLIP_MOUNT_DEFAULTS.maxPacketSize,
  );
  const source = new PacedClipSource(clip, { clock: o.clock, maxLagMs: o.maxLagMs, sound: o.sound });
  // The source runs while anyone watches and stops as the last one leaves, like SharedStream did.
  const stream = new Stream(name, source, undefined, deps, { onDemand: true, idleStopMs: 0, forwarding: 'frame', keyframeOnJoin: true }, egressStart(o));
  return new RtspMount(stream, { sps: clip.sps, pps: clip.pps, frameRate: clip.frameRate }, {
    clock: o.clock, ownsStream: true, senderReportIntervalMs: o.senderReportIntervalMs, answerNacks: retransmission !== false,
    ...(o.sound ? { audio: servedFacts(o.sound.description) } : {}),
  });
}

function servedFacts(d: AudioTrackDescription): ServedAudioFacts {
  return { encodingName: d.codec.toUpperCase(), payloadType: d.payloadType, clockRate: d.clockRate, channels: d.channels };
}

function egressStart(o: ClipMountOptions): EgressStart | undefined {
  if (o.random === undefined && o.initialSequenceNumber === undefined) return undefined;
  const random = o.random ?? Math.random;
  // In SharedStream's order (SSRC, sequence number, timestamp), so pinned tests keep their values.
  const ssrc = Math.floor(random() * 0x100000000) >>> 0;
  const seq = o.initialSequenceNumber !== undefined ? o.initialSequenceNumber & 0xffff : Math.floor(random() * 0x10000);
  return { ssrc, firstSequenceNumber: seq, firstTimestamp: Math.floor(random() * 0x100000000) >>> 0 };
}
