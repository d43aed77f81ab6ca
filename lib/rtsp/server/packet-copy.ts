/**
 * The one copy of an egress packet every RTSP output of a track shares: stamped with the
 * track's SSRC, payload type, sequence number and timestamp, in a buffer of its own (sockets
 * send asynchronously and keep it), with the `$`, channel 0, length prefix of an interleaved
 * frame in the 4 bytes in front of it (INTERLEAVED_PREFIX).
 */
import { setRtpPayloadType, setRtpSequenceNumber, setRtpSsrc, setRtpTimestamp } from '../../rtp/packet.js';
import { INTERLEAVED_PREFIX } from './outputs.js';

export class SharedPacketCopy {
  private lastSeq = -1;
  private lastTs = 0;
  private lastCopy: Uint8Array = new Uint8Array(0);

  copy(packet: Uint8Array, seq: number, ts: number, ssrc: number, payloadType: number): Uint8Array {
    // Every output is offered one packet before the next: the first makes the copy, the others share it.
    if (seq === this.lastSeq && ts === this.lastTs && packet.length === this.lastCopy.length) return this.lastCopy;
    const n = packet.length;
    const framed = new Uint8Array(n + INTERLEAVED_PREFIX);
    framed[0] = 0x24;
    framed[2] = n >> 8;
    framed[3] = n & 0xff;
    framed.set(packet, INTERLEAVED_PREFIX);
    const out = framed.subarray(INTERLEAVED_PREFIX);
    // A WebRTC viewer's sender may have rewritten a shared packet's header for its browser.
    setRtpSequenceNumber(out, seq);
    setRtpTimestamp(out, ts);
    setRtpSsrc(out, ssrc);
    setRtpPayloadType(out, payloadType);
    this.lastSeq = seq;
    this.lastTs = ts;
    this.lastCopy = out;
    return out;
  }
}
