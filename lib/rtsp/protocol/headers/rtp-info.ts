/**
 * RTP-Info (RFC 2326 12.33). URLs may contain commas (`/1,100_high.unicast/track1`), so
 * entries are split only where a comma is followed by `url=`. Relative URLs (Dahua
 * `url=trackID=0`) are kept as sent: resolve them with `resolveControl`.
 */
import { parseParams } from './params.js';

export interface RtpInfoEntry {
  url: string;
  seq?: number;
  rtptime?: number;
  /** Some cameras (Reolink) add the SSRC. */
  ssrc?: number;
}

export function parseRtpInfo(value: string): RtpInfoEntry[] {
  const out: RtpInfoEntry[] = [];
  for (const raw of value.split(/,\s*(?=url\s*=)/i)) {
    const entry: RtpInfoEntry = { url: '' };
    for (const [k, v] of parseParams(raw)) {
      if (k === 'url' && v !== undefined) entry.url = v;
      else if (k === 'seq' && v && /^\d{1,5}$/.test(v) && Number(v) <= 0xffff) entry.seq = Number(v);
      else if (k === 'rtptime' && v && /^\d{1,10}$/.test(v) && Number(v) <= 0xffffffff) entry.rtptime = Number(v);
      else if (k === 'ssrc' && v && /^[0-9a-fA-F]{1,8}$/.test(v)) entry.ssrc = parseInt(v, 16) >>> 0;
    }
    if (entry.url) out.push(entry);
  }
  return out;
}

export function serializeRtpInfo(entries: readonly RtpInfoEntry[]): string {
  return entries
    .map((e) => {
      let s = `url=${e.url}`;
      if (e.seq !== undefined) s += `;seq=${e.seq}`;
      if (e.rtptime !== undefined) s += `;rtptime=${e.rtptime >>> 0}`;
      return s;
    })
    .join(',');
}
