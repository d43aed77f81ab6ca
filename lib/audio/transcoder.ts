/**
 * The contract between the gateway's audio track and an AAC -> Opus transcoder. Browsers'
 * WebRTC never plays AAC, so a stream whose camera sends AAC gets ONE transcoder (decode once,
 * encode once), created only when a viewer wants audio. The implementation lives apart (it needs
 * an optional dependency); the gateway sees only this.
 */

/** What the camera's SDP says about its AAC track. */
export interface AacInputFormat {
  /** AudioSpecificConfig (RFC 3640 `config=`, or the one in a LATM StreamMuxConfig). */
  audioSpecificConfig: Uint8Array;
  /** RTP clock rate of the camera's track (usually the sample rate). */
  clockRate: number;
  channels: number;
}

export interface TranscodedOpusSink {
  /**
   * One Opus packet (20 ms). `timestamp48k` is the media time of its first sample on the
   * CAMERA's timeline (the input RTP timestamp scaled to 48 kHz, codec delay and priming
   * removed), so the camera's Sender Reports map it to wall-clock time unchanged: lip sync
   * survives the transcoder. The bytes are valid only until the call returns.
   */
  opus(packet: Uint8Array, timestamp48k: number): void;
  /** The transcoder stopped for good (dependency missing, process died, bad config). */
  failed(error: Error & { code: string }): void;
}

export type TranscoderState = 'starting' | 'running' | 'failed' | 'closed';

export interface AudioTranscoder {
  readonly state: TranscoderState;
  /** Why it failed, for /api/streams (never a secret, never a stack). */
  readonly failure: string | undefined;
  /** One AAC access unit with its RTP timestamp on the camera's clock; `discontinuity` after a loss. */
  push(accessUnit: Uint8Array, timestamp: number, discontinuity: boolean): void;
  close(): void;
}

export type AudioTranscoderFactory = (input: AacInputFormat, sink: TranscodedOpusSink) => AudioTranscoder;
