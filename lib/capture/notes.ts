/**
 * Why a captured packet is not a plain forward: the typed list of camwire's decisions that a
 * capture writes as packet comments (pcapng opt_comment). Plain forwards carry no comment, so
 * `frame.comment` in Wireshark lists exactly the decisions.
 */

export type CaptureNote =
  /** Viewer leg: a packet resent as it was (same SSRC), answering the viewer's NACK. */
  | { kind: 'retransmission'; seq: number }
  /** Viewer leg: a packet resent on the RTX stream (RFC 4588), answering the viewer's NACK. */
  | { kind: 'rtx'; seq: number }
  /** Viewer leg: a packet of the cached keyframe a new viewer starts on. */
  | { kind: 'keyframe-cache-replay' }
  /** Viewer leg: the transport refused the packet (not open, buffer full). */
  | { kind: 'send-failed' }
  /** Camera leg: the Stream's merged keyframe request (`merged` viewer/output requests in it). */
  | { kind: 'pli-forwarded'; merged: number }
  /** Camera leg: the camera leg's own keyframe request (a frame was lost, or a session began). */
  | { kind: 'pli-own' }
  /** Camera leg: a NACK for these sequence numbers (first..last, `count` of them). */
  | { kind: 'nack-sent'; first: number; last: number; count: number }
  /** Camera leg: arrived after its loss had been declared, dropped. */
  | { kind: 'dropped-late' }
  /** Camera leg: a second copy, dropped. */
  | { kind: 'dropped-duplicate' }
  /** Camera leg: a packet the leg had NACKed arrived (a repair). */
  | { kind: 'recovered' }
  /** Camera leg: an RTX packet, unwrapped into the original `seq`. */
  | { kind: 'rtx-received'; seq: number }
  /** Camera leg: a payload type neither the track's nor its RTX, dropped. */
  | { kind: 'dropped-foreign' };

export type CaptureNoteKind = CaptureNote['kind'];

/** The comment text; the NACK and retransmission forms are what docs/capture.md's filters match. */
export function noteText(n: CaptureNote): string {
  switch (n.kind) {
    case 'retransmission':
      return `retransmission for NACK seq ${n.seq}`;
    case 'rtx':
      return `RTX for NACK seq ${n.seq}`;
    case 'keyframe-cache-replay':
      return 'keyframe-cache replay';
    case 'send-failed':
      return 'send failed: not sent to the viewer';
    case 'pli-forwarded':
      return `PLI forwarded to camera (merged ${n.merged})`;
    case 'pli-own':
      return 'PLI sent to camera (camera leg: frame lost or session start)';
    case 'nack-sent':
      return n.count === 1 ? `NACK sent to camera for seq ${n.first}` : `NACK sent to camera for seq ${n.first}..${n.last} (${n.count})`;
    case 'dropped-late':
      return 'dropped: late';
    case 'dropped-duplicate':
      return 'dropped: duplicate';
    case 'recovered':
      return 'recovered: arrived after a NACK';
    case 'rtx-received':
      return `RTX from camera for seq ${n.seq}`;
    case 'dropped-foreign':
      return 'dropped: foreign payload type';
  }
}

/** Whether the note belongs on an outgoing RTCP packet (checked before annotating the last record). */
export function noteOnOutgoingRtcp(n: CaptureNote): boolean {
  return n.kind === 'pli-forwarded' || n.kind === 'pli-own' || n.kind === 'nack-sent';
}
