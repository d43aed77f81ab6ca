/**
 * IP address text to the bytes a synthetic header carries, pure. IPv4-mapped IPv6
 * (`::ffff:127.0.0.1`, as Node reports dual-stack peers) becomes IPv4; anything that does
 * not parse (an mDNS name, a hostname) gives undefined and the caller falls back.
 */

export function parseIpAddress(text: string): Uint8Array | undefined {
  const t = text.trim().replace(/^\[|\]$/g, '').replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(t);
  if (mapped) return parseIpv4(mapped[1]);
  if (t.includes(':')) return parseIpv6(t);
  return parseIpv4(t);
}

function parseIpv4(t: string): Uint8Array | undefined {
  const parts = t.split('.');
  if (parts.length !== 4) return undefined;
  const out = new Uint8Array(4);
  for (let i = 0; i < 4; i++) {
    if (!/^\d{1,3}$/.test(parts[i])) return undefined;
    const n = Number(parts[i]);
    if (n > 255) return undefined;
    out[i] = n;
  }
  return out;
}

function parseIpv6(t: string): Uint8Array | undefined {
  const halves = t.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): string[] => (s === '' ? [] : s.split(':'));
  let head = groups(halves[0]);
  let tail = halves.length === 2 ? groups(halves[1]) : [];
  // A trailing dotted quad fills the last two groups.
  const last = (tail.length > 0 ? tail : head).at(-1);
  if (last?.includes('.')) {
    const v4 = parseIpv4(last);
    if (!v4) return undefined;
    const quad = [((v4[0] << 8) | v4[1]).toString(16), ((v4[2] << 8) | v4[3]).toString(16)];
    if (tail.length > 0) tail = [...tail.slice(0, -1), ...quad];
    else head = [...head.slice(0, -1), ...quad];
  }
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return undefined;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    if (!/^[0-9a-f]{1,4}$/i.test(all[i])) return undefined;
    const n = parseInt(all[i], 16);
    out[2 * i] = n >> 8;
    out[2 * i + 1] = n & 0xff;
  }
  return out;
}
