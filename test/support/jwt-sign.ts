/** Signs test JWTs with node:crypto (HS256, RS256, ES256, or an unsigned `none`). */
import { createHmac, sign, type KeyObject } from 'node:crypto';

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

export function signJwt(claims: Record<string, unknown>, alg: 'HS256' | 'RS256' | 'ES256' | 'none', key?: string | KeyObject, header: Record<string, unknown> = {}): string {
  const head = `${b64({ alg, typ: 'JWT', ...header })}.${b64(claims)}`;
  if (alg === 'none') return `${head}.`;
  if (alg === 'HS256') return `${head}.${createHmac('sha256', key as string).update(head).digest('base64url')}`;
  const s = sign('sha256', Buffer.from(head), alg === 'ES256' ? { key: key as KeyObject, dsaEncoding: 'ieee-p1363' } : (key as KeyObject));
  return `${head}.${s.toString('base64url')}`;
}
