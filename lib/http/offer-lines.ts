/**
 * A cap on the lines of a WHEP offer, checked before the SDP parser sees it. maxBodyBytes
 * alone lets 64 KiB of bare newlines through: tens of thousands of empty lines, each an
 * allocation and a pass through the parser's line handling. A real browser offer has 30 to
 * 300 lines; the default (HTTP_DEFAULTS.maxOfferLines, 1000) leaves room for every candidate a multi-homed host gathers.
 */
import { HttpError } from './body.js';

/**
 * Lines as lib/sdp/parse.ts splits them (CRLF, LF or a lone CR end a line; a final line
 * terminator does not start another). Stops counting at `stopAfter`.
 */
export function countSdpLines(text: string, stopAfter = Infinity): number {
  let lines = 0;
  const n = text.length;
  for (let i = 0; i < n && lines <= stopAfter; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x0a || c === 0x0d) {
      lines++;
      if (c === 0x0d && text.charCodeAt(i + 1) === 0x0a) i++;
    }
  }
  const last = text.charCodeAt(n - 1);
  const terminated = n === 0 || last === 0x0a || last === 0x0d;
  return terminated ? lines : lines + 1;
}

/** Throws 413 SDP_TOO_MANY_LINES when `offer` has more than `max` lines. */
export function checkOfferLines(offer: string, max: number): void {
  const lines = countSdpLines(offer, max);
  if (lines > max) throw new HttpError(413, 'SDP_TOO_MANY_LINES', `the offer has more than ${max} lines`);
}
