/** A raw WebSocket client for server tests: sends any upgrade request, reads the answer and the server's (unmasked) frames. */
import { connect, type Socket } from 'node:net';
import { encodeWsFrame, WsOpcode } from '../../lib/http/websocket-frame.js';
import { maskFrame } from './ws-mask.js';

export interface ServerFrame {
  opcode: number;
  payload: Uint8Array;
}

export interface RawUpgrade {
  status: number;
  head: string;
  socket: Socket;
  frames: ServerFrame[];
  closed: Promise<void>;
  /** Resolves when `n` frames have arrived (or the socket closed). */
  frameCount(n: number): Promise<void>;
  send(opcode: number, payload: Uint8Array): void;
}

export const GOOD_UPGRADE = {
  upgrade: 'websocket',
  connection: 'Upgrade',
  'sec-websocket-version': '13',
  'sec-websocket-key': 'dGhlIHNhbXBsZSBub25jZQ==',
};

/** Sends `GET path` with `headers` (and optional raw extra bytes) to `address` (http://host:port). */
export function rawUpgrade(address: string, path: string, headers: Record<string, string>, method = 'GET', extra = ''): Promise<RawUpgrade> {
  const { hostname, port } = new URL(address);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    let buf = Buffer.alloc(0);
    let result: RawUpgrade | undefined;
    const waiters: { n: number; fn: () => void }[] = [];
    const frames: ServerFrame[] = [];
    let closedResolve: () => void = () => {};
    const closed = new Promise<void>((r) => (closedResolve = r));
    const wake = (all: boolean) => {
      for (const w of waiters.splice(0)) {
        if (all || frames.length >= w.n) w.fn();
        else waiters.push(w);
      }
    };
    socket.on('error', () => {});
    socket.on('close', () => {
      closedResolve();
      if (!result) reject(new Error('closed before an answer: ' + buf.toString('latin1')));
      wake(true);
    });
    socket.on('data', (chunk: Buffer) => {
      buf = Buffer.concat([buf, chunk]);
      if (!result) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const head = buf.subarray(0, end).toString('latin1');
        buf = buf.subarray(end + 4);
        result = {
          status: Number(head.split(' ')[1]), head, socket, frames, closed,
          frameCount: (n) => new Promise<void>((r) => { waiters.push({ n, fn: r }); wake(false); }),
          send: (opcode, payload) => socket.write(maskFrame(encodeWsFrame(opcode as WsOpcode, payload), Uint8Array.of(1, 2, 3, 4))),
        };
        resolve(result);
        if (result.status !== 101) return;
      }
      if (result.status !== 101) return;
      for (;;) {
        if (buf.length < 2) break;
        const len7 = buf[1] & 0x7f;
        const hl = 2 + (len7 === 126 ? 2 : len7 === 127 ? 8 : 0);
        if (buf.length < hl) break;
        const len = len7 === 126 ? buf.readUInt16BE(2) : len7 === 127 ? Number(buf.readBigUInt64BE(2)) : len7;
        if (buf.length < hl + len) break;
        frames.push({ opcode: buf[0] & 0x0f, payload: Uint8Array.from(buf.subarray(hl, hl + len)) });
        buf = buf.subarray(hl + len);
      }
      wake(false);
    });
    const lines = [`${method} ${path} HTTP/1.1`, `host: ${hostname}:${port}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`)];
    socket.write(lines.join('\r\n') + '\r\n\r\n' + extra);
  });
}

export { WsOpcode };
