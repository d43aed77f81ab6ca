/** The tracks a new viewer holds senders for: the video, then the audio when both sides have it. */
import type { AudioTrack } from './audio-track.js';
import type { ResendGate } from './deps.js';
import type { NegotiatedAudio } from './negotiate-audio.js';
import type { PeerMediaParams } from './transport.js';
import type { ViewerTrackOptions } from './viewer.js';

export function viewerTracks(
  media: PeerMediaParams,
  videoHistory: ViewerTrackOptions['history'],
  audioTrack: AudioTrack | undefined,
  audio: NegotiatedAudio | undefined,
  nack: boolean,
  resendGate: () => ResendGate,
): ViewerTrackOptions[] {
  const out: ViewerTrackOptions[] = [{ kind: 'video', media, history: videoHistory, resendGate: resendGate() }];
  if (audio && audioTrack && media.audio) {
    const red = audio.redPayloadType;
    out.push({
      kind: 'audio', history: audioTrack.history, resendGate: resendGate(),
      media: { ssrc: media.audio.ssrc, payloadType: red ?? audio.payloadType, cname: media.cname },
      // RED packets are made per viewer and never stored: what the history holds is plain
      answerNacks: audio.nack && red === undefined && nack,
      ...(red !== undefined ? { redOf: audio.payloadType } : {}),
    });
  }
  return out;
}
