/**
 * WWW-Authenticate / Authorization (RFC 7235 2.1 grammar). One header may carry several
 * challenges (`Digest realm="a", nonce="b", Basic realm="a"`) and a response may carry several
 * headers (Axis: Digest then Basic). Cameras vary the formatting: `stale=FALSE` unquoted,
 * `algorithm="MD5"` quoted, no spaces after commas, realms with spaces and parentheses.
 */
import { RtspParseError } from '../errors.js';

export interface AuthChallenge {
  /** As sent (`Digest`, `Basic`); compare with `.toLowerCase()`. */
  scheme: string;
  /** Parameter names lower-cased, values unquoted. */
  params: Record<string, string>;
  /** A bare token68 (Basic credentials in Authorization). */
  token68?: string;
}

const TOKEN_CHAR = /[!#$%&'*+\-.^_`|~0-9A-Za-z]/;
const TOKEN68_CHAR = /[A-Za-z0-9\-._~+/=]/;

class Scanner {
  pos = 0;
  constructor(readonly s: string) {}
  get done(): boolean {
    return this.pos >= this.s.length;
  }
  peek(): string {
    return this.s[this.pos] ?? '';
  }
  skipSpace(): void {
    while (this.peek() === ' ' || this.peek() === '\t') this.pos++;
  }
  skipSpaceAndCommas(): void {
    while (this.peek() === ' ' || this.peek() === '\t' || this.peek() === ',') this.pos++;
  }
  token(re = TOKEN_CHAR): string {
    const start = this.pos;
    while (!this.done && re.test(this.peek())) this.pos++;
    return this.s.slice(start, this.pos);
  }
  quoted(): string {
    this.pos++; // opening quote
    let out = '';
    while (!this.done) {
      const c = this.s[this.pos++];
      if (c === '"') return out;
      if (c === '\\' && !this.done) out += this.s[this.pos++];
      else out += c;
    }
    throw new RtspParseError('RTSP_BAD_HEADER_VALUE', 'unterminated quoted string in an authentication header');
  }
  /**
   * True when a `name=value` parameter starts here. Right after the scheme, `abc==` or a
   * `abc=` that ends the challenge is a token68 with padding, not a parameter.
   */
  atParam(afterScheme = false): boolean {
    const save = this.pos;
    const name = this.token();
    this.skipSpace();
    let yes = name.length > 0 && this.peek() === '=';
    if (yes) {
      this.pos++;
      const next = this.peek();
      if (next === '=' || (afterScheme && (next === '' || next === ','))) yes = false;
    }
    this.pos = save;
    return yes;
  }
}

/** Every challenge in one or more WWW-Authenticate (or Proxy-Authenticate) values. */
export function parseWwwAuthenticate(values: string | readonly string[]): AuthChallenge[] {
  const out: AuthChallenge[] = [];
  for (const v of typeof values === 'string' ? [values] : values) out.push(...parseAuthList(v));
  return out;
}

/** The credentials of an Authorization header. */
export function parseAuthorization(value: string): AuthChallenge {
  const list = parseAuthList(value);
  if (list.length !== 1) throw new RtspParseError('RTSP_BAD_HEADER_VALUE', 'Authorization must carry exactly one credential');
  return list[0];
}

function parseAuthList(value: string): AuthChallenge[] {
  const sc = new Scanner(value);
  const out: AuthChallenge[] = [];
  sc.skipSpaceAndCommas();
  while (!sc.done) {
    const scheme = sc.token();
    if (!scheme) throw new RtspParseError('RTSP_BAD_HEADER_VALUE', `bad authentication header near ${JSON.stringify(value.slice(sc.pos, sc.pos + 20))}`);
    const ch: AuthChallenge = { scheme, params: {} };
    out.push(ch);
    sc.skipSpace();
    if (!sc.done && sc.peek() !== ',' && !sc.atParam(true)) {
      ch.token68 = sc.token(TOKEN68_CHAR);
      if (!ch.token68) throw new RtspParseError('RTSP_BAD_HEADER_VALUE', 'bad token in an authentication header');
      sc.skipSpace();
    }
    for (;;) {
      sc.skipSpaceAndCommas();
      if (sc.done || !sc.atParam()) break;
      const name = sc.token().toLowerCase();
      sc.skipSpace();
      sc.pos++; // '='
      sc.skipSpace();
      let v: string;
      if (sc.peek() === '"') v = sc.quoted();
      else {
        const start = sc.pos;
        while (!sc.done && sc.peek() !== ',' && sc.peek() !== ' ' && sc.peek() !== '\t') sc.pos++;
        v = value.slice(start, sc.pos);
      }
      ch.params[name] = v;
    }
  }
  return out;
}

/** Writes `Scheme k="v", k2=v2`; names in `bare` are written without quotes. */
export function serializeAuthParams(scheme: string, params: Record<string, string | undefined>, bare: readonly string[] = []): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined) continue;
    parts.push(bare.includes(k) ? `${k}=${v}` : `${k}="${v.replace(/(["\\])/g, '\\$1')}"`);
  }
  return parts.length ? `${scheme} ${parts.join(', ')}` : scheme;
}
