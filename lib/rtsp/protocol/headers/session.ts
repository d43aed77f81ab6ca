/** Session header (RFC 2326 12.37): `id[;timeout=N]`, padded or with a space after `;` (Axis). */
import { RtspParseError } from '../errors.js';

export interface SessionHeader {
  id: string;
  /** Seconds, when the server said; RFC 2326 default is 60. */
  timeout?: number;
}

export const DEFAULT_SESSION_TIMEOUT_S = 60;

export function parseSession(value: string): SessionHeader {
  const parts = value.split(';');
  const id = parts[0].trim();
  if (!id || /\s/.test(id)) {
    throw new RtspParseError('RTSP_BAD_HEADER_VALUE', `Session ${JSON.stringify(value.slice(0, 40))} has no id`);
  }
  const out: SessionHeader = { id };
  for (const p of parts.slice(1)) {
    const m = /^\s*timeout\s*=\s*"?(\d{1,9})"?\s*$/i.exec(p);
    if (m && Number(m[1]) > 0) out.timeout = Number(m[1]);
  }
  return out;
}

export function serializeSession(s: SessionHeader): string {
  return s.timeout === undefined ? s.id : `${s.id};timeout=${s.timeout}`;
}
