/**
 * Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions,
 * RTPFB FMT 15): for a run of transport-wide sequence numbers from `baseSeq`, whether each packet
 * arrived and, for each that did, its arrival time as a delta from the previous one (250 us
 * units; 1 byte "small" or 2 bytes signed "large"), the first from the 24-bit reference time
 * (64 ms units). Chunks are run-length (one status for up to 8191 packets) or status vectors
 * (14 one-bit or 7 two-bit statuses). Parsed by byte index; bounded by TRANSPORT_CC_MAX_PACKETS.
 */
import { readU32, writeU32 } from '../rtp/packet.js';
import { RtcpParseError, RtcpSerializeError } from './errors.js';
import { PT_RTPFB, RTCP_HEADER_SIZE, writeHeader } from './header.js';
import { checkFeedbackBody, FEEDBACK_COMMON_SIZE } from './feedback.js';

export const FMT_TRANSPORT_CC = 15;

/**
 * Most packets one feedback may report. Browsers report every 50-100 ms (a few hundred packets
 * at most); a count above this is refused before anything is allocated for it.
 */
export const TRANSPORT_CC_MAX_PACKETS = 8192;

export const TWCC_NOT_RECEIVED = 0;
export const TWCC_SMALL_DELTA = 1;
export const TWCC_LARGE_DELTA = 2;

export interface TransportCcFeedback {
  senderSsrc: number;
  mediaSsrc: number;
  baseSeq: number;
  /** Reference time in 64 ms units (24-bit signed on the wire). */
  referenceTime: number;
  feedbackCount: number;
  /** Per packet from baseSeq: TWCC_NOT_RECEIVED, _SMALL_DELTA or _LARGE_DELTA. */
  statuses: Uint8Array;
  /** Per packet: its receive delta in 250 us units (0 for packets not received). */
  deltas: Int32Array;
  /**
   * Packets reported, when `statuses` and `deltas` are longer (buffers reused across feedback:
   * see parseTransportCc's `into`); their length when absent.
   */
  count?: number;
}

/** Packets `fb` reports. */
export function transportCcCount(fb: TransportCcFeedback): number {
  return fb.count ?? fb.statuses.length;
}

/** True for an RTPFB packet of FMT 15 (what `parseRtcp` keeps as `unknown`). */
export function isTransportCc(packetType: number, fmt: number): boolean {
  return packetType === PT_RTPFB && fmt === FMT_TRANSPORT_CC;
}

/**
 * Parses the body of an RTPFB FMT 15 packet (`start` after the 4-byte header, `end` before any
 * padding). With `into`, parses into it and reuses its arrays (grown to the next power of two
 * when too short, never beyond TRANSPORT_CC_MAX_PACKETS), setting its `count`: a receiver of
 * feedback every 50-100 ms allocates nothing per feedback.
 */
export function parseTransportCc(buf: Uint8Array, start: number, end: number, into?: TransportCcFeedback): TransportCcFeedback {
  checkFeedbackBody(start, end, 'transport-cc feedback');
  let o = start + FEEDBACK_COMMON_SIZE;
  if (o + 8 > end) throw new RtcpParseError('RTCP_TWCC_TRUNCATED', 'transport-cc feedback without base sequence, count and reference time');
  const baseSeq = (buf[o] << 8) | buf[o + 1];
  const count = (buf[o + 2] << 8) | buf[o + 3];
  if (count > TRANSPORT_CC_MAX_PACKETS) throw new RtcpParseError('RTCP_TWCC_TOO_MANY', `transport-cc feedback reports ${count} packets, at most ${TRANSPORT_CC_MAX_PACKETS} taken`);
  const ref = (buf[o + 4] << 16) | (buf[o + 5] << 8) | buf[o + 6];
  const referenceTime = ref & 0x800000 ? ref - 0x1000000 : ref;
  const feedbackCount = buf[o + 7];
  o += 8;
  const statuses = into ? roomIn(into, count).statuses : new Uint8Array(count);
  let n = 0;
  while (n < count) {
    if (o + 2 > end) throw new RtcpParseError('RTCP_TWCC_TRUNCATED', `transport-cc chunks end after ${n} of ${count} packets`);
    n = readChunk((buf[o] << 8) | buf[o + 1], statuses, n, count);
    o += 2;
  }
  const deltas = into ? into.deltas : new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const s = statuses[i];
    if (s === TWCC_NOT_RECEIVED) {
      deltas[i] = 0;
      continue;
    }
    const size = s === TWCC_SMALL_DELTA ? 1 : 2;
    if (o + size > end) throw new RtcpParseError('RTCP_TWCC_TRUNCATED', `transport-cc receive deltas end at packet ${i} of ${count}`);
    deltas[i] = size === 1 ? buf[o] : ((buf[o] << 24) >> 16) | buf[o + 1];
    o += size;
  }
  if (!into) return { senderSsrc: readU32(buf, start), mediaSsrc: readU32(buf, start + 4), baseSeq, referenceTime, feedbackCount, statuses, deltas };
  into.senderSsrc = readU32(buf, start);
  into.mediaSsrc = readU32(buf, start + 4);
  into.baseSeq = baseSeq;
  into.referenceTime = referenceTime;
  into.feedbackCount = feedbackCount;
  into.count = count;
  return into;
}

/** `fb` with arrays of at least `count` entries (their contents are overwritten). */
function roomIn(fb: TransportCcFeedback, count: number): TransportCcFeedback {
  if (fb.statuses.length >= count && fb.deltas.length >= count) return fb;
  const size = Math.min(TRANSPORT_CC_MAX_PACKETS, 1 << Math.ceil(Math.log2(Math.max(16, count))));
  fb.statuses = new Uint8Array(size);
  fb.deltas = new Int32Array(size);
  return fb;
}

/** Fills statuses from index `n` with one chunk's; returns the index after it (capped at `count`). */
function readChunk(chunk: number, statuses: Uint8Array, n: number, count: number): number {
  if ((chunk & 0x8000) === 0) {
    const symbol = (chunk >> 13) & 3;
    const run = Math.min(chunk & 0x1fff, count - n);
    // A symbol of 3 is reserved: read as received with a large delta, as libwebrtc does.
    statuses.fill(symbol === 3 ? TWCC_LARGE_DELTA : symbol, n, n + run);
    return n + run;
  }
  if ((chunk & 0x4000) === 0) {
    for (let k = 0; k < 14 && n < count; k++) statuses[n++] = (chunk >> (13 - k)) & 1;
    return n;
  }
  for (let k = 0; k < 7 && n < count; k++) {
    const symbol = (chunk >> (12 - 2 * k)) & 3;
    statuses[n++] = symbol === 3 ? TWCC_LARGE_DELTA : symbol;
  }
  return n;
}

/** Bytes `writeTransportCc` writes for `fb` (header, chunks, deltas, padded to a word). */
export function transportCcSize(fb: TransportCcFeedback): number {
  let deltaBytes = 0;
  for (let i = 0; i < fb.statuses.length; i++) deltaBytes += fb.statuses[i] === TWCC_SMALL_DELTA ? 1 : fb.statuses[i] === TWCC_LARGE_DELTA ? 2 : 0;
  const raw = RTCP_HEADER_SIZE + FEEDBACK_COMMON_SIZE + 8 + chunkCount(fb.statuses) * 2 + deltaBytes;
  return (raw + 3) & ~3;
}

/**
 * Writes a whole RTCP packet for `fb` at `o` (run-length chunks for runs of 7 or more, two-bit
 * vectors otherwise; zero padding to a word, as browsers pad). Returns the offset after it.
 */
export function writeTransportCc(fb: TransportCcFeedback, buf: Uint8Array, o: number): number {
  const count = fb.statuses.length;
  // (a feedback parsed into reused buffers has a `count` of its own: not written as it is)
  if (count > TRANSPORT_CC_MAX_PACKETS || fb.deltas.length !== count || transportCcCount(fb) !== count) throw new RtcpSerializeError('RTCP_BAD_FIELD', `transport-cc feedback of ${count} packets cannot be written`);
  const size = transportCcSize(fb);
  writeHeader(buf, o, FMT_TRANSPORT_CC, PT_RTPFB, size);
  writeU32(buf, o + 4, fb.senderSsrc);
  writeU32(buf, o + 8, fb.mediaSsrc);
  let p = o + 12;
  buf[p++] = fb.baseSeq >> 8;
  buf[p++] = fb.baseSeq & 0xff;
  buf[p++] = count >> 8;
  buf[p++] = count & 0xff;
  const ref = fb.referenceTime & 0xffffff;
  buf[p++] = ref >> 16;
  buf[p++] = (ref >> 8) & 0xff;
  buf[p++] = ref & 0xff;
  buf[p++] = fb.feedbackCount & 0xff;
  p = writeChunks(fb.statuses, buf, p);
  for (let i = 0; i < count; i++) {
    const s = fb.statuses[i];
    if (s === TWCC_SMALL_DELTA) buf[p++] = fb.deltas[i] & 0xff;
    else if (s === TWCC_LARGE_DELTA) {
      buf[p++] = (fb.deltas[i] >> 8) & 0xff;
      buf[p++] = fb.deltas[i] & 0xff;
    }
  }
  buf.fill(0, p, o + size);
  return o + size;
}

/** Runs of at least this many equal statuses go in a run-length chunk. */
const MIN_RUN = 7;

function runAt(statuses: Uint8Array, i: number): number {
  let j = i + 1;
  while (j < statuses.length && statuses[j] === statuses[i] && j - i < 0x1fff) j++;
  return j - i;
}

function chunkCount(statuses: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < statuses.length; n++) {
    const run = runAt(statuses, i);
    i += run >= MIN_RUN ? run : 7;
  }
  return n;
}

function writeChunks(statuses: Uint8Array, buf: Uint8Array, p: number): number {
  for (let i = 0; i < statuses.length; ) {
    const run = runAt(statuses, i);
    let chunk: number;
    if (run >= MIN_RUN) {
      chunk = (statuses[i] << 13) | run;
      i += run;
    } else {
      chunk = 0xc000;
      for (let k = 0; k < 7; k++, i++) if (i < statuses.length) chunk |= statuses[i] << (12 - 2 * k);
    }
    buf[p++] = chunk >> 8;
    buf[p++] = chunk & 0xff;
  }
  return p;
}
