/**
 * Kernel-level UDP drops, so a run can tell the impairment's losses from the machine's own:
 * a starved Chromium or camwire that does not drain its socket loses datagrams in the kernel
 * (receive buffer full), which looks exactly like network loss. Linux only (/proc); elsewhere
 * every reading is undefined.
 */
import { readFileSync } from 'node:fs';

/** Datagrams the kernel dropped for want of receive buffer, machine-wide (all processes). */
export function systemRcvbufErrors(): number | undefined {
  try {
    const lines = readFileSync('/proc/net/snmp', 'utf8').split('\n').filter((l) => l.startsWith('Udp:'));
    const names = lines[0].split(/\s+/);
    const values = lines[1].split(/\s+/);
    const i = names.indexOf('RcvbufErrors');
    return i > 0 ? Number(values[i]) : undefined;
  } catch {
    return undefined;
  }
}

/** Drops per local UDP port (summed over sockets bound to it), for the given ports. */
export function socketDrops(ports: readonly number[]): Record<number, number> | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/net/udp', 'utf8');
  } catch {
    return undefined;
  }
  return parseProcNetUdp(text, ports);
}

export function parseProcNetUdp(text: string, ports: readonly number[]): Record<number, number> {
  const out: Record<number, number> = {};
  for (const p of ports) out[p] = 0;
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 13) continue;
    const port = parseInt(f[1].split(':')[1], 16);
    if (port in out) out[port] += Number(f[f.length - 1]) || 0;
  }
  return out;
}
