/** Facts of every egress RTP packet a track makes, shared by its forwarders, keyframe cache and viewer senders. */

/** Largest egress RTP packet, header included: packetizer MTUs above it are refused, and every egress buffer holds one. */
export const MAX_EGRESS_PACKET = 1500;

/** Payload type a track's packets carry until each viewer's sender rewrites it to the one its browser offered. */
export const PLACEHOLDER_PAYLOAD_TYPE = 96;

/**
 * The video packet a track is handing to its sinks right now, while it does, when that packet
 * is the track's transient copy (`shared`): every sink gets this very object in that loop and
 * only rewrites its fixed header, so its payload is the same for all of them. A viewer's
 * transport-wide CC (TransportCcPeer) keys its once-per-packet copy with the extension slot on
 * it (`packet` and `generation`, unique to each fan-out: `issued` counts them) instead of
 * copying the packet once per viewer, and records it as sent at `now` (the clock's time of the
 * fan-out) instead of reading the clock once per viewer.
 */
export const fanningOut: { packet: Uint8Array | undefined; generation: number; issued: number; now: number } = { packet: undefined, generation: 0, issued: 0, now: 0 };
