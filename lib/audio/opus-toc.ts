/**
 * The duration an Opus packet covers, from its TOC byte (RFC 6716 3.1): the transcoder places
 * each packet on the timeline by counting samples, not by trusting its encoder's timestamps.
 */

/** Samples at 48 kHz per frame, by TOC configuration number (SILK 0..11, hybrid 12..15, CELT 16..31). */
const FRAME_SAMPLES_48K: readonly number[] = Object.freeze([
  480, 960, 1920, 2880, 480, 960, 1920, 2880, 480, 960, 1920, 2880,
  480, 960, 480, 960,
  120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960, 120, 240, 480, 960,
]);

/** RFC 6716 3.4 [R5]: a packet covers at most 120 ms. */
export const OPUS_MAX_PACKET_SAMPLES_48K = 5760;

/** Samples at 48 kHz the packet decodes to; 0 when its TOC (and frame count byte) cannot say. */
export function opusPacketSamples48k(packet: Uint8Array): number {
  if (packet.length < 1) return 0;
  const toc = packet[0];
  const frame = FRAME_SAMPLES_48K[toc >> 3];
  const code = toc & 3;
  let frames: number;
  if (code === 0) frames = 1;
  else if (code !== 3) frames = 2;
  else if (packet.length < 2) return 0;
  else frames = packet[1] & 0x3f;
  const samples = frame * frames;
  return samples > OPUS_MAX_PACKET_SAMPLES_48K ? 0 : samples;
}
