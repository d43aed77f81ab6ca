/**
 * Lenient SDP parser (RFC 8866) for what cameras really send (corpus QUIRKS.md H):
 * CRLF, bare LF or bare CR, no final terminator, missing v/o/s/t, attributes before s=,
 * trailing whitespace, repeated s=/i= inside media, unknown line types and media types.
 * What is missing gets the value our serializer would write, so the result is always a
 * complete description. Only input that is too large or not SDP at all is an error.
 */
import { SdpParseError } from './errors.js';
import { parseAttribute, parseBandwidth, parseConnection, parseMediaLine, parseOrigin, parseTiming } from './fields.js';
import type { SdpMedia, SessionDescription } from './types.js';

export interface ParseSdpOptions {
  /**
   * Largest accepted description: bytes for Uint8Array input, UTF-16 code units for strings.
   * Default 65536 (64 KiB); real DESCRIBE bodies are under 4 KiB, browser offers under 16 KiB.
   */
  maxSize?: number;
}

export const DEFAULT_MAX_SDP_SIZE = 64 * 1024;

const LINE = /^([a-z])\s*=(.*)$/s;

/** The origin a description without `o=` gets (and what we write for one). */
export function defaultOrigin(): SessionDescription['origin'] {
  return { username: '-', sessionId: '0', sessionVersion: '0', netType: 'IN', addrType: 'IP4', address: '0.0.0.0' };
}

function decode(input: string | Uint8Array, maxSize: number): string {
  if (typeof input === 'string') {
    if (input.length > maxSize) throw new SdpParseError('SDP_TOO_LARGE', `SDP of ${input.length} chars exceeds ${maxSize}`);
    return input;
  }
  if (input instanceof Uint8Array) {
    if (input.length > maxSize) throw new SdpParseError('SDP_TOO_LARGE', `SDP of ${input.length} bytes exceeds ${maxSize}`);
    return new TextDecoder('utf-8').decode(input);
  }
  throw new SdpParseError('SDP_BAD_INPUT', 'SDP must be a string or a Uint8Array');
}

export function parseSdp(input: string | Uint8Array, options: ParseSdpOptions = {}): SessionDescription {
  const text = decode(input, options.maxSize ?? DEFAULT_MAX_SDP_SIZE);
  const desc: SessionDescription = {
    version: 0,
    origin: defaultOrigin(),
    sessionName: '',
    emails: [],
    phones: [],
    bandwidths: [],
    timings: [],
    attributes: [],
    media: [],
  };
  let media: SdpMedia | undefined;
  let seen = 0;
  let sawName = false;
  for (const raw of text.split(/\r\n|\n|\r/)) {
    const m = LINE.exec(raw.trim());
    if (m === null) continue;
    seen++;
    const type = m[1];
    const value = m[2].trim();
    if (type === 'm') {
      media = parseMediaLine(value);
      desc.media.push(media);
      continue;
    }
    if (media !== undefined) {
      // Inside a media section only these belong to the media; RtspServer's repeated
      // s=/i= and stray t=/o= lines are ignored rather than clobbering the session.
      if (type === 'a') media.attributes.push(parseAttribute(value));
      else if (type === 'c') media.connections.push(parseConnection(value));
      else if (type === 'b') {
        const bw = parseBandwidth(value);
        if (bw) media.bandwidths.push(bw);
      } else if (type === 'i' && media.title === undefined) media.title = value;
      else if (type === 'k') media.key = value;
      continue;
    }
    switch (type) {
      case 'v':
        desc.version = /^\d{1,9}$/.test(value) ? Number(value) : 0;
        break;
      case 'o':
        desc.origin = parseOrigin(value);
        break;
      case 's':
        if (!sawName) desc.sessionName = value;
        sawName = true;
        break;
      case 'i':
        desc.information ??= value;
        break;
      case 'u':
        desc.uri = value;
        break;
      case 'e':
        desc.emails.push(value);
        break;
      case 'p':
        desc.phones.push(value);
        break;
      case 'c':
        desc.connection ??= parseConnection(value);
        break;
      case 'b': {
        const bw = parseBandwidth(value);
        if (bw) desc.bandwidths.push(bw);
        break;
      }
      case 't':
        desc.timings.push(parseTiming(value));
        break;
      case 'r':
        if (desc.timings.length > 0) desc.timings[desc.timings.length - 1].repeats.push(value);
        break;
      case 'z':
        desc.timeZones = value;
        break;
      case 'k':
        desc.key = value;
        break;
      case 'a':
        desc.attributes.push(parseAttribute(value));
        break;
      default:
        break; // unknown line types are ignored (RFC 8866 5: "SHOULD ignore")
    }
  }
  if (seen === 0) throw new SdpParseError('SDP_NO_LINES', 'no SDP line (x=value) in input');
  if (desc.timings.length === 0) desc.timings.push({ start: '0', stop: '0', repeats: [] });
  return desc;
}
