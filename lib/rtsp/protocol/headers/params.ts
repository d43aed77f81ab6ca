/** Splitting helpers shared by the header codecs: quote-aware, bounded by the header size. */

/** Splits `s` on `sep` outside double quotes. */
export function splitOutsideQuotes(s: string, sep: string): string[] {
  const out: string[] = [];
  let quoted = false;
  let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"') quoted = !quoted;
    else if (c === '\\' && quoted) i++;
    else if (c === sep && !quoted) {
      out.push(s.slice(start, i));
      start = i + 1;
    }
  }
  out.push(s.slice(start));
  return out;
}

export function unquote(v: string): string {
  const s = v.trim();
  if (s.length >= 2 && s[0] === '"' && s[s.length - 1] === '"') return s.slice(1, -1).replace(/\\(.)/g, '$1');
  return s;
}

/** `a=1;b;c="x"` into [key (lower case), value | undefined] pairs, in order. */
export function parseParams(s: string, sep = ';'): [string, string | undefined][] {
  const out: [string, string | undefined][] = [];
  for (const part of splitOutsideQuotes(s, sep)) {
    const p = part.trim();
    if (!p) continue;
    const eq = p.indexOf('=');
    if (eq < 0) out.push([p.toLowerCase(), undefined]);
    else out.push([p.slice(0, eq).trim().toLowerCase(), unquote(p.slice(eq + 1))]);
  }
  return out;
}
