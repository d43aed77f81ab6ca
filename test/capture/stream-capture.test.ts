import t from 'tap';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Captures } from '../../lib/capture/captures.js';
import { VirtualClock } from '../support/fake-transport.js';
import { readBlocks } from './blocks.js';

const root = mkdtempSync(join(tmpdir(), 'camwire-stream-capture-'));
t.teardown(() => rmSync(root, { recursive: true, force: true }));

function rtp(seq: number, size = 1000): Uint8Array {
  const p = new Uint8Array(size);
  p[0] = 0x80;
  p[1] = 96;
  p[2] = seq >> 8;
  p[3] = seq & 0xff;
  return p;
}

const names = (b: ReturnType<typeof readBlocks>[number]) => b.options.filter((o) => o.code === 2).map((o) => new TextDecoder().decode(o.value));

t.test('camera and viewer interfaces, notes as comments, addresses of the selected path', async (t) => {
  const dir = join(root, 'basic');
  const clock = new VirtualClock();
  const caps = new Captures({ dir }, clock, () => undefined);
  const c = caps.start('hall');
  c.cameraSession([{ index: 0, endpoints: { camera: '10.0.0.9', local: '10.0.0.1', cameraRtpPort: 5000, cameraRtcpPort: 5001, localRtpPort: 40000, localRtcpPort: 40001, interleaved: false } }]);
  c.onWire(0, false, false, rtp(1));
  c.noteCamera({ kind: 'dropped-late' });
  const v = c.addViewer('hall-1-ab');
  v.setPath({ address: '::ffff:127.0.0.1', port: 50000 }, { address: '127.0.0.1', port: 60000 });
  v.sent(rtp(7), false);
  v.note({ kind: 'rtx', seq: 7 });
  c.onWire(0, true, true, new Uint8Array([0x81, 206, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2]));
  c.noteCamera({ kind: 'pli-forwarded', merged: 3 });
  c.noteCamera({ kind: 'dropped-late' }); // not about an incoming RTP packet: ignored
  await caps.close();
  const [file] = readdirSync(dir);
  t.equal(file, 'hall-20231114T221320Z.pcapng', 'named after the stream and the UTC start');
  const blocks = readBlocks(readFileSync(join(dir, file)));
  t.same(blocks.map((b) => b.type), [0x0a0d0d0a, 1, 1, 6, 6, 6, 5, 5], 'SHB, IDBs, packets, closing statistics');
  t.same([names(blocks[1]), names(blocks[2])], [['camera'], ['viewer-hall-1-ab']]);
  const comments = blocks.filter((b) => b.type === 6).map((b) => b.options.filter((o) => o.code === 1).map((o) => new TextDecoder().decode(o.value)).join());
  t.same(comments, ['dropped: late', 'RTX for NACK seq 7', 'PLI forwarded to camera (merged 3)']);
  const ip = (b: ReturnType<typeof readBlocks>[number]) => [...b.body.subarray(20 + 12, 20 + 20)].join('.');
  t.equal(ip(blocks[3]), '10.0.0.9.10.0.0.1', 'camera -> camwire');
  t.equal(ip(blocks[4]), '127.0.0.1.127.0.0.1', 'the ICE-selected pair');
  t.equal(Buffer.from(blocks[4].body).readUInt16BE(20 + 20), 50000, 'from camwire\'s port');
  t.equal(Buffer.from(blocks[5].body).readUInt16BE(20 + 20), 40001, 'RTCP from camwire\'s RTCP port');
});

t.test('a stream moves to a new file before maxBytesPerFile; the oldest files go above maxBytesTotal', async (t) => {
  const dir = join(root, 'rotate');
  const clock = new VirtualClock();
  const { mkdirSync } = await import('node:fs');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'old-20200101T000000Z.pcapng'), new Uint8Array(300_000));
  utimesSync(join(dir, 'old-20200101T000000Z.pcapng'), 1, 1);
  const caps = new Captures({ dir, maxBytesPerFile: 600_000, maxBytesTotal: 1_500_000 }, clock, () => undefined);
  const c = caps.start('hall');
  for (let i = 0; i < 2000; i++) {
    c.onWire(0, false, false, rtp(i));
    if (i % 50 === 0) {
      c.flush();
      clock.advance(1000);
      await new Promise((r) => setTimeout(r, 5));
    }
  }
  await caps.close();
  const files = readdirSync(dir).sort();
  t.notOk(files.includes('old-20200101T000000Z.pcapng'), 'the file found at start was the oldest: deleted');
  let total = 0;
  for (const f of files) {
    const b = readFileSync(join(dir, f));
    total += b.length;
    t.ok(b.length <= 600_000, `${f}: within maxBytesPerFile (${b.length})`);
    const blocks = readBlocks(b);
    t.equal(blocks[0].type, 0x0a0d0d0a, `${f} begins with its own section header`);
    t.equal(blocks[1].type, 1, `${f} describes its interface before its packets`);
  }
  t.ok(total <= 1_500_000, `the directory stays within maxBytesTotal (${total})`);
  t.ok(files.length >= 2, `several files (${files.length})`);
});

t.test('a full queue drops capture records, counted and noted in the closing statistics', async (t) => {
  const dir = join(root, 'full');
  const clock = new VirtualClock();
  const caps = new Captures({ dir, queueBytes: 65_536 }, clock, () => undefined);
  const c = caps.start('hall');
  for (let i = 0; i < 500; i++) c.onWire(0, false, false, rtp(i)); // synchronously: the writer never gets a turn
  const s = c.stats();
  t.ok(s.dropped > 0, `records dropped (${s.dropped})`);
  t.equal(s.records + s.dropped, 500, 'every record queued or counted dropped');
  await caps.close();
  const blocks = readBlocks(readFileSync(join(dir, readdirSync(dir)[0])));
  const isb = blocks.find((b) => b.type === 5)!;
  t.equal(Buffer.from(isb.options.find((o) => o.code === 5)!.value).readBigUInt64LE(0), BigInt(s.dropped), 'isb_ifdrop');
  t.match(new TextDecoder().decode(isb.options.find((o) => o.code === 1)!.value), `${s.dropped} capture records dropped`);
});

t.test('a directory removed mid-capture: the capture stops with one log line', async (t) => {
  const dir = join(root, 'vanish');
  const clock = new VirtualClock();
  const lines: string[] = [];
  const caps = new Captures({ dir }, clock, (l) => lines.push(l));
  const c = caps.start('hall');
  const settle = async () => {
    for (let i = 0; i < 20 && c.stats().bytesWritten === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 50));
  };
  c.onWire(0, false, false, rtp(1));
  c.flush();
  await settle();
  t.equal(c.stats().state, 'writing');
  rmSync(dir, { recursive: true, force: true });
  for (let i = 2; i < 5; i++) {
    c.onWire(0, false, false, rtp(i));
    c.flush();
    await new Promise((r) => setTimeout(r, 50));
  }
  t.equal(c.stats().state, 'failed', 'failed');
  t.equal(c.stats().error, 'ENOENT');
  t.equal(lines.length, 1, 'one log line');
  const before = c.stats().records;
  c.onWire(0, false, false, rtp(9));
  t.equal(c.stats().records, before, 'nothing more is recorded');
  await caps.close();
});
