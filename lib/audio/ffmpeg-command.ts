/**
 * The ffmpeg command line of one AAC -> Opus transcoder: ADTS in on stdin, Ogg/Opus out on
 * stdout, one 20 ms packet per page flushed at once. Decoding AAC (LC, HE-AAC, HE-AACv2) and
 * encoding with libopus happen in C inside ffmpeg; camwire only frames and times the streams.
 */
import { OPUS_CLOCK_RATE } from './transcode-timeline.js';

export interface OpusEncoderSettings {
  /** Opus bitrate in bit/s. */
  bitrate: number;
  /** 1 or 2 (libopus encodes at most stereo without a mapping family). */
  channels: number;
  /** libopus `packet_loss` hint, 1..100: how much in-band FEC it spends. */
  expectedLossPercent: number;
  /** libopus complexity 0..10: CPU against quality. */
  complexity: number;
}

/** Packet duration: what WebRTC receivers expect (ptime 20). */
export const OPUS_FRAME_MS = 20;

/**
 * `aresample` fills a gap the decoder leaves (an access unit it could not decode) with silence
 * once it exceeds min_hard_comp seconds; 15 ms is below the shortest AAC frame (1024 samples at
 * 48 kHz = 21 ms), so every dropped frame is filled and the sample count never drifts.
 */
const GAP_FILL_SECONDS = 0.015;

export function ffmpegTranscodeArgs(s: OpusEncoderSettings): string[] {
  return [
    '-hide_banner', '-loglevel', 'error', '-nostdin',
    // start on the first frame instead of probing a second of input (not -fflags nobuffer:
    // it throws away the frames read while probing, and the timeline counts every frame)
    '-probesize', '32', '-analyzeduration', '0',
    '-f', 'aac', '-i', 'pipe:0',
    '-af', `aresample=${OPUS_CLOCK_RATE}:async=1000:min_hard_comp=${GAP_FILL_SECONDS}:first_pts=0`,
    '-ac', String(s.channels),
    '-c:a', 'libopus', '-b:a', String(s.bitrate), '-vbr', 'on', '-application', 'audio', '-compression_level', String(s.complexity),
    '-frame_duration', String(OPUS_FRAME_MS), '-fec', '1', '-packet_loss', String(s.expectedLossPercent),
    '-f', 'ogg', '-page_duration', String(OPUS_FRAME_MS * 1000), '-flush_packets', '1', 'pipe:1',
  ];
}

/** ffmpeg's complaint when it was built without libopus. */
export function lacksLibopus(stderr: string): boolean {
  return stderr.includes("Unknown encoder 'libopus'");
}
