/**
 * THROWAWAY test glue until lib/rtcp, lib/sdp, lib/h264 and lib/recovery land: minimal
 * stand-ins for GatewayDeps. Not protocol code anyone should reuse.
 */
import type { GatewayDeps, RtcpEvent, SenderReportInfo } from '../../../lib/gateway/deps.js';
import { chooseVideo, type OfferedFormat } from '../../../lib/gateway/negotiate.js';
import { glueRtpPayloads } from './packetizer.js';

const u32 = (b: Uint8Array, o: number) => ((b[o] << 24) | (b[o + 1] << 16) | (b[o + 2] << 8) | b[o + 3]) >>> 0;

function glueParseRtcp(buf: Uint8Array): RtcpEvent[] {
  const out: RtcpEvent[] = [];
  let o = 0;
  while (o + 4 <= buf.length) {
    const fmt = buf[o] & 0x1f;
    const pt = buf[o + 1];
    const len = (((buf[o + 2] << 8) | buf[o + 3]) + 1) * 4;
    if (o + len > buf.length) break;
    if (pt === 205 && fmt === 1) {
      const lost: number[] = [];
      for (let i = o + 12; i + 4 <= o + len; i += 4) {
        const pid = (buf[i] << 8) | buf[i + 1];
        const blp = (buf[i + 2] << 8) | buf[i + 3];
        lost.push(pid);
        for (let b = 0; b < 16; b++) if (blp & (1 << b)) lost.push((pid + b + 1) & 0xffff);
      }
      out.push({ type: 'nack', mediaSsrc: u32(buf, o + 8), lost });
    } else if (pt === 206 && fmt === 1) out.push({ type: 'pli', mediaSsrc: u32(buf, o + 8) });
    else if (pt === 206 && fmt === 4) out.push({ type: 'fir', mediaSsrc: u32(buf, o + 8) });
    else if (pt === 201 || pt === 200) {
      const rc = buf[o] & 0x1f;
      let b = o + (pt === 200 ? 28 : 8);
      for (let k = 0; k < rc && b + 24 <= o + len; k++, b += 24) {
        let cum = (buf[b + 5] << 16) | (buf[b + 6] << 8) | buf[b + 7];
        if (cum & 0x800000) cum -= 0x1000000;
        out.push({ type: 'report', ssrc: u32(buf, b), fractionLost: buf[b + 4] / 256, cumulativeLost: cum,
          jitter: u32(buf, b + 12), lastSr: u32(buf, b + 16), delaySinceLastSr: u32(buf, b + 20) });
      }
    }
    o += len;
  }
  return out;
}

const NTP_EPOCH_OFFSET_S = 2208988800;

function ntpMiddle(ms: number): number {
  const secs = Math.floor(ms / 1000) + NTP_EPOCH_OFFSET_S;
  const frac = Math.floor(((ms % 1000) / 1000) * 0x10000);
  return ((secs & 0xffff) * 0x10000 + frac) >>> 0;
}

function glueSr(i: SenderReportInfo): Uint8Array {
  const b = Buffer.alloc(28);
  b[0] = 0x80; b[1] = 200; b.writeUInt16BE(6, 2); b.writeUInt32BE(i.ssrc, 4);
  const secs = Math.floor(i.wallClockMs / 1000) + NTP_EPOCH_OFFSET_S;
  b.writeUInt32BE(secs >>> 0, 8);
  b.writeUInt32BE(Math.floor(((i.wallClockMs % 1000) / 1000) * 0x100000000) >>> 0, 12);
  b.writeUInt32BE(i.rtpTimestamp >>> 0, 16); b.writeUInt32BE(i.packetCount >>> 0, 20); b.writeUInt32BE(i.octetCount >>> 0, 24);
  return b;
}

function glueOffer(sdp: string) {
  const video = sdp.split(/\r?\n(?=m=)/).find((s) => s.startsWith('m=video'));
  if (!video) throw new Error('no video');
  const lines = video.split(/\r?\n/);
  const formats = new Map<number, OfferedFormat>();
  for (const l of lines) {
    const m = /^a=rtpmap:(\d+) ([^/]+)/.exec(l);
    if (m) formats.set(Number(m[1]), { payloadType: Number(m[1]), codec: m[2], fmtp: {} });
  }
  for (const l of lines) {
    const m = /^a=fmtp:(\d+) (.*)$/.exec(l);
    const f = m && formats.get(Number(m[1]));
    if (f) for (const kv of m[2].split(';')) { const [k, v] = kv.trim().split('='); f.fmtp[k.toLowerCase()] = v ?? ''; }
  }
  return { mid: lines.find((l) => l.startsWith('a=mid:'))?.slice(6) ?? '0', formats: [...formats.values()] };
}

export function glueDeps(): GatewayDeps {
  return {
    packetizer: () => ({ packetize: (au) => glueRtpPayloads([...au.nalus]) }),
    history: () => {
      const ring = new Map<number, Uint8Array>();
      return {
        put(seq, p) { ring.set(seq, p); if (ring.size > 4096) ring.delete(ring.keys().next().value as number); },
        get: (seq) => ring.get(seq),
      };
    },
    keyframeGate: () => { let last = -Infinity; return { allow(now) { if (now - last < 1000) return false; last = now; return true; } }; },
    rtcp: { parse: glueParseRtcp, senderReport: glueSr, ntpMiddle },
    negotiate: (sdp, source, wantRtx) => chooseVideo(glueOffer(sdp), source, wantRtx),
    clock: { now: () => performance.now(), wallClock: () => Date.now() },
  };
}
