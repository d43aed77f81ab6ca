#!/usr/bin/env node
/**
 * `node dist/tools/capture-figures.js FILE.pcapng [--csv]`: the study's three figures from a
 * capture alone, read with tshark: per second and per viewer interface, the viewer's cumulative
 * packetsLost (from its RTCP receiver reports, what getStats() reports as packetsLost), and the
 * NACK and PLI packets it sent so far (getStats() nackCount and pliCount). RR, NACK and PLI on a
 * `viewer-*` interface come only from the viewer: camwire sends SR and XR DLRR there.
 */
import { spawnSync } from 'node:child_process';

export interface FigureRow {
  viewer: string;
  /** Seconds since the first packet of the capture. */
  t: number;
  packetsLost: number;
  nackCount: number;
  pliCount: number;
}

const FIELDS = ['frame.time_relative', 'frame.interface_name', 'rtcp.pt', 'rtcp.rtpfb.fmt', 'rtcp.psfb.fmt', 'rtcp.ssrc.cum_nr'];

/** One row per viewer and second (the state at the end of that second). */
export function captureFigures(file: string): FigureRow[] {
  const r = spawnSync('tshark', ['-r', file, '-Y', 'rtcp', '-T', 'fields', '-E', 'separator=|', ...FIELDS.flatMap((f) => ['-e', f])], {
    encoding: 'utf8', maxBuffer: 512 << 20,
  });
  if (r.error) throw new Error(`tshark is needed: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`tshark failed: ${r.stderr}`);
  const state = new Map<string, { lost: number; nacks: number; plis: number; rows: Map<number, FigureRow> }>();
  for (const line of r.stdout.split('\n')) {
    if (!line) continue;
    const [time, iface, pts, rtpfb, psfb, cumLost] = line.split('|');
    if (!iface.startsWith('viewer-')) continue;
    const s = state.get(iface) ?? { lost: 0, nacks: 0, plis: 0, rows: new Map<number, FigureRow>() };
    state.set(iface, s);
    const pt = pts.split(',');
    // In a compound packet each feedback message is one of the viewer's NACK or PLI packets.
    s.nacks += rtpfb.split(',').filter((f) => f === '1').length;
    s.plis += psfb.split(',').filter((f) => f === '1').length;
    if (pt.includes('201') && cumLost) s.lost = Math.max(...cumLost.split(',').map(Number));
    const second = Math.floor(Number(time));
    s.rows.set(second, { viewer: iface.slice('viewer-'.length), t: second, packetsLost: s.lost, nackCount: s.nacks, pliCount: s.plis });
  }
  return [...state.values()].flatMap((s) => [...s.rows.values()].sort((a, b) => a.t - b.t));
}

if (process.argv[1]?.endsWith('capture-figures.js')) {
  const [file] = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  if (!file) {
    process.stderr.write('usage: node dist/tools/capture-figures.js FILE.pcapng [--csv]\n');
    process.exit(2);
  }
  const rows = captureFigures(file);
  if (process.argv.includes('--csv')) {
    process.stdout.write('viewer,t,packetsLost,nackCount,pliCount\n');
    for (const x of rows) process.stdout.write(`${x.viewer},${x.t},${x.packetsLost},${x.nackCount},${x.pliCount}\n`);
  } else {
    process.stdout.write(JSON.stringify(rows) + '\n');
  }
}
