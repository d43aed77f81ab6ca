/** What `camwire probe` says about an H.265 track, from its SPS (in-band, else the SDP's sprop-sps). */
import { parseH265Sps } from '../h265/sps.js';

const PROFILES: Record<number, string> = { 1: 'Main', 2: 'Main 10', 3: 'Main Still Picture', 4: 'Range Extensions', 5: 'High Throughput', 9: 'Screen Content' };

export interface H265Facts {
  profile: string | null;
  /** general_level_idc / 30 (93 = level 3.1). */
  level: number | null;
  width: number | null;
  height: number | null;
  /** The SPS's VUI timing is not read for H.265. */
  frameRate: null;
}

/** Profile, level and size from an SPS; all null when there is none or it does not parse. */
export function h265Facts(sps: Uint8Array | undefined): H265Facts {
  const none: H265Facts = { profile: null, level: null, width: null, height: null, frameRate: null };
  if (!sps) return none;
  try {
    const s = parseH265Sps(sps);
    const profile = `H.265 ${PROFILES[s.profileIdc] ?? `profile ${s.profileIdc}`}${s.tier ? ' (High tier)' : ''}`;
    return { profile, level: Math.round((s.levelIdc / 30) * 10) / 10, width: s.width, height: s.height, frameRate: null };
  } catch {
    return none;
  }
}
