/**
 * What may never reach a log line: passwords in URLs (userinfo), tokens in query strings, and
 * any field whose name says it is a secret. Applied to every field of every line.
 */
import { redactText } from '../rtsp/protocol/url.js';

export type LogFields = Record<string, string | number | boolean | undefined | null | readonly string[]>;

/** Field names whose value is a secret whatever it looks like. */
const SECRET_NAME = /token|password|secret|authorization|credential|^(?:public|private)?key$/i;
/** `token=...`, `access_token=...`, `jwt=...` in a query string or text. */
const SECRET_PARAM = /([?&;\s](?:access_)?(?:token|jwt|password|secret)=)[^&\s#]*/gi;
/** A compact JWT anywhere in text (three base64url parts, the first a JSON header). */
const JWT = /eyJ[\w-]*\.[\w-]+\.[\w-]*/g;

export function redactValue(s: string): string {
  return redactText(s).replace(SECRET_PARAM, '$1***').replace(JWT, '***');
}

export function redactFields(fields: LogFields): LogFields {
  const out: LogFields = {};
  for (const [k, v] of Object.entries(fields)) {
    if (v === undefined) continue;
    if (SECRET_NAME.test(k) && v !== null && v !== false) out[k] = '***';
    else if (typeof v === 'string') out[k] = redactValue(v);
    else if (Array.isArray(v)) out[k] = v.map((x: string) => redactValue(x));
    else out[k] = v;
  }
  return out;
}
