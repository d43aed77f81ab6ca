/**
 * What the camera leg tells a capture about each packet it did not simply pass on (late,
 * duplicate, repaired, RTX, foreign) and about the requests it sent the camera. Only called
 * when an observer is set: without one the leg pays a single branch per packet.
 */
import type { CaptureNote } from '../capture/notes.js';
import type { RecoveringReceiver } from '../recovery/receiver.js';

export interface CameraLegObserver {
  /** A decision about the camera packet just received, or the NACK/PLI just sent. */
  note(n: CaptureNote): void;
}

/** The receiver's counters before a push, compared after it to name what became of the packet. */
export class ArrivalClassifier {
  private late = 0;
  private duplicates = 0;
  private recovered = 0;

  before(r: RecoveringReceiver<NonNullable<unknown>>): void {
    const s = r.reorder.stats;
    this.late = s.late + s.tooOld;
    this.duplicates = s.duplicates;
    this.recovered = r.nack?.stats.recovered ?? 0;
  }

  after(r: RecoveringReceiver<NonNullable<unknown>>, observer: CameraLegObserver): void {
    const s = r.reorder.stats;
    if (s.late + s.tooOld > this.late) observer.note({ kind: 'dropped-late' });
    else if (s.duplicates > this.duplicates) observer.note({ kind: 'dropped-duplicate' });
    else if ((r.nack?.stats.recovered ?? 0) > this.recovered) observer.note({ kind: 'recovered' });
  }
}
