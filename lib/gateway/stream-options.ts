/** What a stream can be told, and its defaults, declared once (config, docs and the API read them here). */
export interface StreamOptions {
  /** Start the source on the first viewer and stop it after the last leaves (default true). */
  onDemand?: boolean;
  /** With onDemand: how long the source keeps running after the last viewer left (default 5000 ms). */
  idleStopMs?: number;
  /** A viewer whose media track has not opened after this long is dropped (default 15000 ms). */
  connectTimeoutMs?: number;
  /** Viewers at once (default 50); more get PEER_LIMIT. */
  maxViewers?: number;
  /**
   * Negotiate RTX (RFC 4588) when the browser offers it (default false). Chromium does not
   * count RTX-recovered packets as received, so with RTX its packetsLost shows the raw link
   * loss even when every packet is recovered; plain retransmission on the media SSRC (the
   * default) makes packetsLost show what was really lost.
   */
  rtx?: boolean;
  /** A cached keyframe older than this is not used to start a viewer (default 30000 ms). */
  keyframeCacheMaxAgeMs?: number;
  /**
   * A keyframe unit larger than this (egress packets, headers included) is sent but not cached
   * (default 8 MiB, the depacketizer's own bound on a unit). In packet forwarding a camera that
   * never ends its unit cannot grow memory without end.
   */
  keyframeCacheMaxBytes?: number;
  /**
   * When a viewer starts on a cached keyframe that later frames already followed, ask the
   * camera for a fresh keyframe (rate-limited like PLI) so its picture is exact soon (default true).
   */
  keyframeOnJoin?: boolean;
  /** Answer viewers' NACKs (default true; false only to measure what loss does without them). */
  nack?: boolean;
  /** A source timestamp jump larger than this re-bases the egress timeline (default 10000 ms). */
  timestampJumpMs?: number;
  /**
   * Offer XR Receiver Reference Time feedback (RFC 3611 `a=rtcp-fb:<pt> rrtr`) and answer each
   * RRTR with a DLRR block (default true). A receive-only browser has no other way to learn its
   * round-trip time; without it Chromium retries NACKs on a fixed guess and holds frames longer.
   */
  rrtr?: boolean;
  /**
   * What viewers' PLI/FIR do (default 'forward': merged and rate-limited, then sent to the
   * camera). 'ignore' drops them, as the server in the motivating study did: a loss
   * researcher's control, never what a deployment wants.
   */
  viewerKeyframeRequests?: 'forward' | 'ignore';
  /**
   * A viewer whose browser sent no RTCP for this long is dropped (default 30000 ms). Browsers
   * send receiver reports every second or so; silence means the tab or the network is gone,
   * and ICE consent freshness would end the peer about then anyway.
   */
  viewerRtcpTimeoutMs?: number;
  /** A viewer whose connection stays 'disconnected' this long is dropped (default 10000 ms). */
  viewerDisconnectTimeoutMs?: number;
  /**
   * 'frame' (default): an access unit goes out once all its packets are in, re-packetized
   * whole. 'packet': each camera packet goes out as it arrives (re-cut to the egress MTU), so
   * a keyframe's last packet reaches the 100th viewer without waiting for the whole keyframe
   * to be sent to the 99 before it; a packet missing from the camera's sequence abandons its
   * unit and the stream resumes at the next IDR. Needs a source that gives packets (camwire's
   * RTSP client does); a camera that never sets the RTP marker costs one packet of lag.
   */
  forwarding?: 'frame' | 'packet';
  /**
   * Send the camera's audio to browsers that take it (default true): Opus, PCMU, PCMA and G.722
   * as the camera sends them, AAC through the transcoder when one is configured.
   */
  audio?: boolean;
  /**
   * A browser offering audio to a stream whose camera has not been described yet (on demand,
   * first viewer) waits this long for it, so the answer can carry the camera's audio codec (default 3000 ms).
   */
  audioWaitMs?: number;
}

export const STREAM_DEFAULTS = Object.freeze({
  onDemand: true,
  idleStopMs: 5000,
  maxViewers: 50,
  connectTimeoutMs: 15_000,
  nack: true,
  rtx: false,
  keyframeCacheMaxAgeMs: 30_000,
  keyframeCacheMaxBytes: 8 * 1024 * 1024,
  keyframeOnJoin: true,
  timestampJumpMs: 10_000,
  rrtr: true,
  viewerKeyframeRequests: 'forward',
  viewerRtcpTimeoutMs: 30_000,
  viewerDisconnectTimeoutMs: 10_000,
  forwarding: 'frame',
  audio: true,
  audioWaitMs: 3000,
} as const satisfies Required<StreamOptions>);

/** `opts` over the defaults; an option given as undefined takes its default. */
export function resolveStreamOptions(opts: StreamOptions): Required<StreamOptions> {
  const out: Record<string, unknown> = { ...STREAM_DEFAULTS };
  for (const [k, v] of Object.entries(opts)) if (v !== undefined && k in STREAM_DEFAULTS) out[k] = v;
  return out as Required<StreamOptions>;
}

/**
 * An offer that could take H.265 while the camera has not said its codec yet (an on-demand
 * stream's first viewer): the camera is started and its DESCRIBE awaited this long (polled).
 */
export const CODEC_WAIT = Object.freeze({ timeoutMs: 5000, pollMs: 50 });
