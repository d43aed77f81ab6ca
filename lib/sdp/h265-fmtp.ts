/**
 * H.265 format parameters (RFC 7798 7.1): profile-id, tier-flag, level-id, sprop-vps/sps/pps
 * (base64 NAL units, comma-separated), sprop-max-don-diff (DONL fields present when > 0) and
 * sprop-depack-buf-nalus. Lenient like the H.264 ones: garbage sprop entries are counted and
 * dropped (the parameter sets will come in-band), never thrown.
 */
import { decodeBase64, encodeBase64 } from './base64.js';
import { parseFmtp } from './attributes.js';
import { splitSpropUnits } from './sprop.js';

export interface H265Fmtp {
  profileId?: number;
  tierFlag?: number;
  levelId?: number;
  /** Sane VPS, SPS, PPS NAL units from the sprop parameters, in that order. */
  parameterSets: Uint8Array[];
  vps?: Uint8Array;
  sps?: Uint8Array;
  pps?: Uint8Array;
  /** sprop-max-don-diff (0 when absent): above 0, every payload carries DONL/DOND fields. */
  maxDonDiff: number;
  /** sprop-depack-buf-nalus (0 when absent): above 0, the sender interleaves NAL units. */
  depackBufNalus: number;
  /** sprop entries or NAL units that were garbage, and numeric parameters that were unreadable. */
  ignored: number;
}

const SPROP_TYPES = [['sprop-vps', 32], ['sprop-sps', 33], ['sprop-pps', 34]] as const;

/** From fmtp parameters (lower-case keys, as `parseFmtp` gives) or the text after `a=fmtp:`. */
export function parseH265Fmtp(params: ReadonlyMap<string, string> | string): H265Fmtp {
  const p = typeof params === 'string' ? (parseFmtp(params)?.parameters ?? new Map<string, string>()) : params;
  const out: H265Fmtp = { parameterSets: [], maxDonDiff: 0, depackBufNalus: 0, ignored: 0 };
  const num = (key: string, max: number): number | undefined => {
    const v = p.get(key)?.trim();
    if (v === undefined) return undefined;
    if (/^\d{1,6}$/.test(v) && Number(v) <= max) return Number(v);
    out.ignored++;
    return undefined;
  };
  const profile = num('profile-id', 31);
  if (profile !== undefined) out.profileId = profile;
  const tier = num('tier-flag', 1);
  if (tier !== undefined) out.tierFlag = tier;
  const level = num('level-id', 255);
  if (level !== undefined) out.levelId = level;
  out.maxDonDiff = num('sprop-max-don-diff', 32767) ?? 0;
  out.depackBufNalus = num('sprop-depack-buf-nalus', 32767) ?? 0;
  for (const [key, type] of SPROP_TYPES) {
    const value = p.get(key);
    if (value === undefined) continue;
    for (const nal of decodeSprop(value, type, out)) {
      out.parameterSets.push(nal);
      if (type === 32) out.vps ??= nal;
      else if (type === 33) out.sps ??= nal;
      else out.pps ??= nal;
    }
  }
  return out;
}

/** The NAL units of one sprop parameter that are of `type` with a sane header; the rest counted. */
function decodeSprop(value: string, type: number, out: H265Fmtp): Uint8Array[] {
  const nals: Uint8Array[] = [];
  for (const entry of value.split(',')) {
    const e = entry.trim();
    if (e === '') continue;
    const bytes = decodeBase64(e);
    const units = bytes ? splitSpropUnits(bytes) : [];
    if (units.length === 0) out.ignored++;
    for (const nal of units) {
      // forbidden bit clear, the expected type, temporal id + 1 nonzero, something after the header
      if (nal.length >= 3 && (nal[0] & 0x80) === 0 && ((nal[0] >> 1) & 0x3f) === type && (nal[1] & 7) !== 0) nals.push(nal);
      else out.ignored++;
    }
  }
  return nals;
}

export interface H265FmtpInput {
  profileId?: number;
  tierFlag?: number;
  levelId?: number;
  /** VPS/SPS/PPS NAL units: each goes into its own sprop parameter. */
  parameterSets?: readonly Uint8Array[];
}

/** The parameter text of `a=fmtp:<pt> ...` (without the payload type), RFC 7798 form. */
export function serializeH265Fmtp(f: H265FmtpInput): string {
  const items: string[] = [];
  if (f.levelId !== undefined) items.push(`level-id=${f.levelId}`);
  if (f.profileId !== undefined) items.push(`profile-id=${f.profileId}`);
  if (f.tierFlag !== undefined) items.push(`tier-flag=${f.tierFlag}`);
  for (const [key, type] of SPROP_TYPES) {
    const units = (f.parameterSets ?? []).filter((n) => n.length > 0 && ((n[0] >> 1) & 0x3f) === type);
    if (units.length > 0) items.push(`${key}=${units.map(encodeBase64).join(',')}`);
  }
  return items.join(';');
}
