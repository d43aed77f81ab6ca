export * from './compound.js';
export * from './errors.js';
export {
  isRtcp, RTCP_HEADER_SIZE, RTCP_MAX_PACKET_SIZE, RTCP_MAX_COUNT,
  PT_SR, PT_RR, PT_SDES, PT_BYE, PT_APP, PT_RTPFB, PT_PSFB, PT_XR, FMT_NACK, FMT_PLI, FMT_FIR, FMT_AFB,
} from './header.js';
export {
  type RtcpReportBlock, REPORT_BLOCK_SIZE, CUMULATIVE_LOST_MAX, CUMULATIVE_LOST_MIN,
  fractionLost, clampCumulativeLost, extendedHighestSeq, splitExtendedSeq, updateJitter, rttFromReportBlock,
} from './report-block.js';
export * from './ntp.js';
export type { RtcpSenderReport } from './sr.js';
export type { RtcpReceiverReport } from './rr.js';
export {
  type SdesItem, type SdesChunk, type RtcpSourceDescription, sdesItem, sdesText, sdesCname,
  SDES_CNAME, SDES_NAME, SDES_EMAIL, SDES_PHONE, SDES_LOC, SDES_TOOL, SDES_NOTE, SDES_PRIV,
} from './sdes.js';
export type { RtcpGoodbye } from './bye.js';
export type { RtcpApp } from './app.js';
export { type NackItem, type RtcpNack, seqsToNackItems, nackItemsToSeqs } from './nack.js';
export type { RtcpPli } from './pli.js';
export type { FirEntry, RtcpFir } from './fir.js';
export { type RtcpRemb, REMB_MAX_BITRATE, encodeRembBitrate } from './remb.js';
export {
  type TransportCcFeedback, FMT_TRANSPORT_CC, TRANSPORT_CC_MAX_PACKETS, TWCC_NOT_RECEIVED, TWCC_SMALL_DELTA, TWCC_LARGE_DELTA,
  isTransportCc, parseTransportCc, transportCcCount, transportCcSize, writeTransportCc,
} from './transport-cc.js';
export { type RtcpExtendedReport, type XrBlock, type XrDlrrItem, XR_BT_RRTR, XR_BT_DLRR } from './xr.js';
export type { RtcpUnknown } from './unknown.js';
export { ReceptionStats, type ReceptionCounters, type ReceptionStatsOptions } from './reception-stats.js';
