/**
 * Lab experiment: let a receive-only Chromium measure the round-trip time (RFC 3611). A
 * receiver without RTT retries NACKs on a default interval; with `a=rtcp-fb:<pt> rrtr` in the
 * answer Chromium sends XR Receiver Reference Time blocks, and a sender that answers each
 * with a DLRR block gives it the RTT. camwire's gateway does not do this (yet); the lab applies
 * it around the transport to measure what it is worth.
 */

const PT_XR = 207;
const BT_RRTR = 4;
const BT_DLRR = 5;

export interface RrtrReport {
  /** SSRC of the receiver that sent the XR. */
  ssrc: number;
  /** Middle 32 bits of its NTP timestamp (echoed as LRR). */
  lrr: number;
}

/** RRTR blocks in a compound RTCP packet; malformed input yields what parsed before it. */
export function findRrtr(buf: Uint8Array): RrtrReport[] {
  const out: RrtrReport[] = [];
  let o = 0;
  while (o + 4 <= buf.length) {
    if (buf[o] >> 6 !== 2) break;
    const len = (((buf[o + 2] << 8) | buf[o + 3]) + 1) * 4;
    if (o + len > buf.length) break;
    if (buf[o + 1] === PT_XR && len >= 8) {
      const ssrc = u32(buf, o + 4);
      let b = o + 8;
      while (b + 4 <= o + len) {
        const bt = buf[b];
        const blen = (((buf[b + 2] << 8) | buf[b + 3]) + 1) * 4;
        if (b + blen > o + len) break;
        if (bt === BT_RRTR && blen === 12) out.push({ ssrc, lrr: ((u32(buf, b + 4) & 0xffff) * 0x10000 + (u32(buf, b + 8) >>> 16)) >>> 0 });
        b += blen;
      }
    }
    o += len;
  }
  return out;
}

/** XR packet with one DLRR sub-block answering `r`, sent `delayMs` after the RRTR arrived. */
export function buildDlrr(senderSsrc: number, r: RrtrReport, delayMs: number): Uint8Array {
  const b = new Uint8Array(24);
  b[0] = 0x80;
  b[1] = PT_XR;
  b[3] = 5; // 6 words - 1
  w32(b, 4, senderSsrc);
  b[8] = BT_DLRR;
  b[11] = 3; // one sub-block of 3 words
  w32(b, 12, r.ssrc);
  w32(b, 16, r.lrr);
  w32(b, 20, Math.max(0, Math.round((delayMs * 65536) / 1000)));
  return b;
}

/** Adds `a=rtcp-fb:<pt> rrtr` after each `a=rtcp-fb:<pt> nack` line of an SDP. */
export function addRrtrFeedback(sdp: string): string {
  return sdp.replace(/^a=rtcp-fb:(\d+) nack\r\n/gm, (line, pt: string) => `${line}a=rtcp-fb:${pt} rrtr\r\n`);
}

function u32(b: Uint8Array, o: number): number {
  return ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;
}

function w32(b: Uint8Array, o: number, v: number): void {
  b[o] = v >>> 24; b[o + 1] = (v >>> 16) & 0xff; b[o + 2] = (v >>> 8) & 0xff; b[o + 3] = v & 0xff;
}
