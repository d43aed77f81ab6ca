/**
 * H.264 format parameters (RFC 6184 8.1): profile-level-id, packetization-mode,
 * level-asymmetry-allowed, sprop-parameter-sets. Lenient per corpus QUIRKS.md I: odd
 * profile-level-id forms, Annex-B start codes and trailing zeros inside sprop, empty or
 * garbage sprop (ignored, never thrown: the SPS/PPS will come in-band).
 */
import { decodeBase64, encodeBase64 } from './base64.js';
import { parseFmtp } from './attributes.js';
import { splitSpropUnits } from './sprop.js';

export interface H264ProfileLevel {
  profileIdc: number;
  /** constraint_set0..5 flags byte (profile-iop) */
  constraintFlags: number;
  levelIdc: number;
}

export interface H264Fmtp {
  /** undefined when absent or unreadable (e.g. `33`, `010101`) */
  profileLevelId?: H264ProfileLevel;
  /** as sent; absent means 0 per RFC 6184, but cameras omit it and send FU-A anyway */
  packetizationMode?: number;
  levelAsymmetryAllowed?: boolean;
  /** Sane parameter-set NAL units (SPS type 7, PPS type 8) from sprop-parameter-sets, in order. */
  parameterSets: Uint8Array[];
  /** First SPS (type 7) in `parameterSets`. */
  sps?: Uint8Array;
  /** First PPS (type 8) in `parameterSets`. */
  pps?: Uint8Array;
  /** Entries or NAL units of sprop-parameter-sets that were garbage and dropped. */
  spropIgnored: number;
}

/** profile_idc values of H.264 Annex A/G/H; anything else means the field is garbage. */
const PROFILES = new Set([44, 66, 77, 83, 86, 88, 100, 110, 118, 122, 128, 134, 135, 138, 139, 144, 244]);

function fromNumber(n: number): H264ProfileLevel | undefined {
  const pl = { profileIdc: (n >> 16) & 0xff, constraintFlags: (n >> 8) & 0xff, levelIdc: n & 0xff };
  return PROFILES.has(pl.profileIdc) && pl.levelIdc !== 0 ? pl : undefined;
}

/**
 * `42e01f` (the RFC form), also the decimal form GW Security sends (`5046314` = 0x4d002a)
 * and the base64 form of macro-video (`TeAo` = 4d e0 28). Undefined when none of them
 * gives a known profile.
 */
export function parseProfileLevelId(value: string): H264ProfileLevel | undefined {
  const v = value.trim();
  if (/^[0-9a-fA-F]{6}$/.test(v)) return fromNumber(parseInt(v, 16));
  if (/^\d{1,8}$/.test(v) && Number(v) <= 0xffffff) return fromNumber(Number(v));
  if (v.length === 4) {
    const b = decodeBase64(v);
    if (b?.length === 3) return fromNumber((b[0] << 16) | (b[1] << 8) | b[2]);
  }
  return undefined;
}

export function formatProfileLevelId(pl: H264ProfileLevel): string {
  const n = ((pl.profileIdc & 0xff) << 16) | ((pl.constraintFlags & 0xff) << 8) | (pl.levelIdc & 0xff);
  return n.toString(16).padStart(6, '0');
}

// Only SPS and PPS: a headerless Main-profile SPS starts 0x4d, which would read as type 13.
const PARAMETER_SET_TYPES = new Set([7, 8]);

function isSaneParameterSet(nal: Uint8Array): boolean {
  const h = nal[0];
  // forbidden_zero_bit clear, nal_ref_idc non-zero (7.4.1: required for SPS/PPS), a parameter-set type
  return (h & 0x80) === 0 && (h & 0x60) !== 0 && PARAMETER_SET_TYPES.has(h & 0x1f) && nal.length >= 2;
}

/** Decodes sprop-parameter-sets, keeping the sane parameter sets and counting what it drops. */
export function decodeSpropParameterSets(value: string): { nalUnits: Uint8Array[]; ignored: number } {
  const nalUnits: Uint8Array[] = [];
  let ignored = 0;
  for (const entry of value.split(',')) {
    const e = entry.trim();
    if (e === '') continue;
    const bytes = decodeBase64(e);
    if (bytes === undefined) {
      ignored++;
      continue;
    }
    const nals = splitSpropUnits(bytes);
    if (nals.length === 0) ignored++;
    for (const nal of nals) {
      if (isSaneParameterSet(nal)) nalUnits.push(nal);
      else ignored++;
    }
  }
  return { nalUnits, ignored };
}

/** From fmtp parameters (lower-case keys, as `parseFmtp` gives) or the text after `a=fmtp:`. */
export function parseH264Fmtp(params: ReadonlyMap<string, string> | string): H264Fmtp {
  const p = typeof params === 'string' ? (parseFmtp(params)?.parameters ?? new Map<string, string>()) : params;
  const out: H264Fmtp = { parameterSets: [], spropIgnored: 0 };
  const pli = p.get('profile-level-id');
  if (pli !== undefined) {
    const pl = parseProfileLevelId(pli);
    if (pl) out.profileLevelId = pl;
  }
  const mode = p.get('packetization-mode');
  if (mode !== undefined && /^[0-2]$/.test(mode.trim())) out.packetizationMode = Number(mode.trim());
  const asym = p.get('level-asymmetry-allowed');
  if (asym !== undefined) out.levelAsymmetryAllowed = asym.trim() === '1';
  const sprop = p.get('sprop-parameter-sets');
  if (sprop !== undefined) {
    const { nalUnits, ignored } = decodeSpropParameterSets(sprop);
    out.parameterSets = nalUnits;
    out.spropIgnored = ignored;
    const sps = nalUnits.find((n) => (n[0] & 0x1f) === 7 && n.length >= 4);
    const pps = nalUnits.find((n) => (n[0] & 0x1f) === 8);
    if (sps) out.sps = sps;
    if (pps) out.pps = pps;
  }
  return out;
}

export interface H264FmtpInput {
  profileLevelId?: H264ProfileLevel;
  packetizationMode?: number;
  levelAsymmetryAllowed?: boolean;
  parameterSets?: readonly Uint8Array[];
}

/** The parameter text of `a=fmtp:<pt> ...` (without the payload type), RFC 6184 form. */
export function serializeH264Fmtp(f: H264FmtpInput): string {
  const items: string[] = [];
  if (f.levelAsymmetryAllowed !== undefined) items.push(`level-asymmetry-allowed=${f.levelAsymmetryAllowed ? 1 : 0}`);
  if (f.packetizationMode !== undefined) items.push(`packetization-mode=${f.packetizationMode}`);
  if (f.profileLevelId !== undefined) items.push(`profile-level-id=${formatProfileLevelId(f.profileLevelId)}`);
  if (f.parameterSets !== undefined && f.parameterSets.length > 0) {
    items.push(`sprop-parameter-sets=${f.parameterSets.map(encodeBase64).join(',')}`);
  }
  return items.join(';');
}
