/**
 * The rendition talk of one WebSocket viewer of a stream with renditions, as small JSON text
 * messages beside the binary fMP4: camwire tells the page the renditions once
 * (`{"renditions":["720p","360p"]}`) and, whenever it changes, what plays and what is wanted
 * (`{"rendition":{"current":"720p","target":"360p","mode":"auto","switches":1}}`); the page pins
 * one with `{"rendition":"360p"}` and returns to Auto with `{"rendition":"auto"}`. Anything else
 * from the page is counted in `controlErrors` and dropped.
 */
import type { RenditionSwitch } from '../gateway/rendition-switch.js';

/** The most a pin message is: a name and some JSON around it. */
const MAX_CONTROL_CHARS = 256;

export class Fmp4RenditionControl {
  /** Text messages from the page that were not a pin of a known rendition or Auto. */
  controlErrors = 0;
  private announced = '';

  constructor(private readonly sw: RenditionSwitch, private readonly send: (text: string) => void) {}

  /** The first message: the renditions, best first, then what plays. */
  start(): void {
    this.send(JSON.stringify({ renditions: this.sw.renditionList.map((r) => r.name) }));
    this.announce();
  }

  /** A text message from the page. */
  onText(text: string): void {
    const name = text.length <= MAX_CONTROL_CHARS ? pinOf(text) : undefined;
    if (name === undefined || !this.sw.pin(name === 'auto' ? undefined : name)) this.controlErrors++;
    else this.announce();
  }

  /** Tells the page what plays and what is wanted, when that changed since it was last told. */
  announce(): void {
    const s = this.sw.stats();
    const key = `${s.current}\n${s.target}\n${s.mode}`;
    if (key === this.announced) return;
    this.announced = key;
    this.send(JSON.stringify({ rendition: { current: s.current, target: s.target, mode: s.mode, switches: s.switches } }));
  }
}

function pinOf(text: string): string | undefined {
  let msg: unknown;
  try {
    msg = JSON.parse(text);
  } catch {
    return undefined;
  }
  const name = typeof msg === 'object' && msg !== null ? (msg as { rendition?: unknown }).rendition : undefined;
  return typeof name === 'string' ? name : undefined;
}
