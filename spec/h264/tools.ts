/** Process and UDP helpers for the H.264 interop specs (loopback only). */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';

export interface Run { code: number | null; stdout: string; stderr: string }

export function run(cmd: string, args: string[], timeoutMs = 60_000): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('error', reject);
    child.on('close', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A UDP socket on 127.0.0.1 collecting every datagram. */
export async function udpCollector(): Promise<{ port: number; messages: Buffer[]; close(): void }> {
  const sock = dgram.createSocket({ type: 'udp4', recvBufferSize: 8 * 1024 * 1024 });
  const messages: Buffer[] = [];
  sock.on('message', (m) => messages.push(m));
  await new Promise<void>((r) => sock.bind(0, '127.0.0.1', () => r()));
  return { port: sock.address().port, messages, close: () => sock.close() };
}

/** True when nobody has `port` bound on 127.0.0.1 (we can bind it exclusively). */
export function portFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const s = dgram.createSocket('udp4');
    s.once('error', () => { s.close(); resolve(false); });
    s.bind({ port, address: '127.0.0.1', exclusive: true }, () => { s.close(); resolve(true); });
  });
}

/** An even port with port+1 free too (RTP/RTCP pair for an SDP reader). */
export async function freePortPair(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const p = 20000 + 2 * Math.floor(Math.random() * 20000);
    if ((await portFree(p)) && (await portFree(p + 1))) return p;
  }
  throw new Error('no free UDP port pair');
}

/** Waits until some process has bound `port`. */
export async function waitBound(port: number, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (!(await portFree(port))) return;
    await sleep(20);
  }
  throw new Error(`nothing bound UDP port ${port}`);
}

export async function sendAll(packets: readonly Uint8Array[], port: number, perBurst = 4): Promise<void> {
  const sock = dgram.createSocket('udp4');
  for (let i = 0; i < packets.length; i++) {
    await new Promise<void>((r, j) => sock.send(packets[i], port, '127.0.0.1', (e) => (e ? j(e) : r())));
    if (i % perBurst === perBurst - 1) await sleep(1);
  }
  sock.close();
}
