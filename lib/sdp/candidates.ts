/**
 * ICE candidate lines (RFC 8839 section 5.1) in an answer camwire returns: advertising public
 * addresses beside the host's own (1:1 NAT, Docker, cloud VMs), as mediamtx's
 * `webrtcAdditionalHosts` and go2rtc's `candidates` do. The NAT forwards the public address
 * to the host's port, so each added candidate keeps the port of the host candidate it copies.
 */

/** The fields of one `a=candidate:` value that a rewrite needs; undefined when malformed. */
export interface IceCandidate {
  foundation: string;
  component: number;
  transport: string;
  priority: number;
  address: string;
  port: number;
  type: string;
}

const CANDIDATE = /^a=candidate:([!-~]{1,32}) (\d{1,3}) (\S+) (\d{1,10}) (\S+) (\d{1,5}) typ (\S+)/;

/** Parses one SDP line `a=candidate:...`. */
export function parseCandidateLine(line: string): IceCandidate | undefined {
  const m = CANDIDATE.exec(line);
  if (!m) return undefined;
  const component = Number(m[2]);
  const priority = Number(m[4]);
  const port = Number(m[6]);
  if (component < 1 || component > 256 || priority > 0xffffffff || port > 65535) return undefined;
  return { foundation: m[1], component, transport: m[3], priority, address: m[5], port, type: m[7] };
}

/**
 * Adds, after every UDP host candidate, one host candidate per public address on the same
 * port (each address once per component and port; never one the answer already has). The
 * copies rank just below the candidate they copy, so a viewer on the host's own network still
 * prefers the private address. Line endings are kept as found (CRLF or LF).
 */
export function addPublicCandidates(sdp: string, publicAddresses: readonly string[]): string {
  if (publicAddresses.length === 0) return sdp;
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(eol);
  const present = new Set<string>();
  for (const line of lines) {
    const c = parseCandidateLine(line);
    if (c) present.add(candidateKey(c.component, c.address, c.port));
  }
  const out: string[] = [];
  for (const line of lines) {
    out.push(line);
    const c = parseCandidateLine(line);
    if (!c || c.type !== 'host' || c.transport.toLowerCase() !== 'udp') continue;
    publicAddresses.forEach((address, i) => {
      const key = candidateKey(c.component, address, c.port);
      if (present.has(key)) return;
      present.add(key);
      const priority = Math.max(0, c.priority - 1 - i);
      out.push(`a=candidate:${c.foundation.slice(0, 28)}p${i} ${c.component} ${c.transport} ${priority} ${address} ${c.port} typ host`);
    });
  }
  return out.join(eol);
}

function candidateKey(component: number, address: string, port: number): string {
  return `${component} ${address.toLowerCase()} ${port}`;
}
