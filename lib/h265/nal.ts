/**
 * H.265 NAL unit header (ITU-T H.265 7.3.1.2): two bytes, forbidden_zero_bit, nal_unit_type (6
 * bits), nuh_layer_id (6 bits), nuh_temporal_id_plus1 (3 bits). Annex-B and emulation-prevention
 * helpers are the same as H.264's and are shared with lib/h264.
 */
import { H265Error } from './errors.js';

export const H265NalType = {
  TrailN: 0,
  TrailR: 1,
  RaslR: 9,
  BlaWLp: 16,
  BlaWRadl: 17,
  BlaNLp: 18,
  IdrWRadl: 19,
  IdrNLp: 20,
  Cra: 21,
  /** Last of the IRAP range (22 and 23 are reserved IRAP types). */
  IrapLast: 23,
  Vps: 32,
  Sps: 33,
  Pps: 34,
  Aud: 35,
  PrefixSei: 39,
  SuffixSei: 40,
  /** RFC 7798 payload structures (not NAL units of the bitstream). */
  Ap: 48,
  Fu: 49,
  Paci: 50,
} as const;

export interface H265NalHeader {
  type: number;
  layerId: number;
  /** nuh_temporal_id_plus1 - 1. */
  temporalId: number;
}

/** nal_unit_type of a NAL unit's (or RTP payload header's) first byte. */
export function h265NalType(firstByte: number): number {
  return (firstByte >> 1) & 0x3f;
}

/** Coded slices (types 0-31, the VCL range). */
export function isH265Vcl(type: number): boolean {
  return type < 32;
}

/** Intra random access point pictures: BLA, IDR, CRA (16-23): where a decoder can start. */
export function isIrap(type: number): boolean {
  return type >= H265NalType.BlaWLp && type <= H265NalType.IrapLast;
}

/** VPS, SPS, PPS. */
export function isH265ParameterSet(type: number): boolean {
  return type >= H265NalType.Vps && type <= H265NalType.Pps;
}

/**
 * Reads and checks the two-byte header. Throws H265_BAD_NAL when the unit is shorter than its
 * header, the forbidden bit is set, or nuh_temporal_id_plus1 is 0.
 */
export function parseH265NalHeader(nal: Uint8Array): H265NalHeader {
  if (nal.length < 2) throw new H265Error('H265_BAD_NAL', `NAL unit of ${nal.length} bytes has no 2-byte header`);
  if (nal[0] & 0x80) throw new H265Error('H265_BAD_NAL', 'forbidden_zero_bit is set');
  const tidPlus1 = nal[1] & 0x07;
  if (tidPlus1 === 0) throw new H265Error('H265_BAD_NAL', 'nuh_temporal_id_plus1 is 0');
  return { type: h265NalType(nal[0]), layerId: ((nal[0] & 1) << 5) | (nal[1] >> 3), temporalId: tidPlus1 - 1 };
}
