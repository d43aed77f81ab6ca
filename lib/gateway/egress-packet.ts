/** Facts of every egress RTP packet a track makes, shared by its forwarders, keyframe cache and viewer senders. */

/** Largest egress RTP packet, header included: packetizer MTUs above it are refused, and every egress buffer holds one. */
export const MAX_EGRESS_PACKET = 1500;

/** Payload type a track's packets carry until each viewer's sender rewrites it to the one its browser offered. */
export const PLACEHOLDER_PAYLOAD_TYPE = 96;
