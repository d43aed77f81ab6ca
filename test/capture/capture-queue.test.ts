import t from 'tap';
import fc from 'fast-check';
import { CaptureQueue, MAX_NOTE_BYTES, type SealedChunk } from '../../lib/capture/capture-queue.js';
import { noteText, type CaptureNote } from '../../lib/capture/notes.js';
import { epbSize } from '../../lib/capture/pcapng.js';
import type { UdpFlow } from '../../lib/capture/ip-udp.js';
import { readBlocks } from './blocks.js';

const flow: UdpFlow = { src: new Uint8Array([10, 0, 0, 1]), dst: new Uint8Array([10, 0, 0, 2]), srcPort: 1, dstPort: 2 };
const enc = new TextEncoder();

type Op = { op: 'rec'; len: number; iface: number; tag: number } | { op: 'note'; iface: number; tag: number; text: string } | { op: 'seal' } | { op: 'drain' };

t.test('property: bounded, whole blocks in order, every record counted as queued or dropped, notes only on an interface\'s last record', async (t) => {
  const opArb: fc.Arbitrary<Op> = fc.oneof(
    { weight: 6, arbitrary: fc.record({ op: fc.constant('rec' as const), len: fc.integer({ min: 0, max: 1400 }), iface: fc.integer({ min: 0, max: 2 }), tag: fc.integer({ min: 0, max: 3 }) }) },
    { weight: 2, arbitrary: fc.record({ op: fc.constant('note' as const), iface: fc.integer({ min: 0, max: 2 }), tag: fc.integer({ min: 0, max: 3 }), text: fc.string({ minLength: 1, maxLength: 30 }) }) },
    { weight: 1, arbitrary: fc.constant({ op: 'seal' as const }) },
    { weight: 1, arbitrary: fc.constant({ op: 'drain' as const }) },
  );
  fc.assert(fc.property(fc.array(opArb, { maxLength: 200 }), fc.integer({ min: 2, max: 6 }), (ops, chunks) => {
    const chunkBytes = 4096;
    const q = new CaptureQueue({ chunkBytes, queueBytes: chunkBytes * chunks });
    for (let i = 0; i < 3; i++) q.addInterface();
    const written: SealedChunk[] = [];
    /** What each record should read as: [iface, payload length, comment]. */
    const expected: [number, number, string | undefined][] = [];
    let attempted = 0;
    let last: ({ tag: number; commented: boolean; index: number } | undefined)[] = [];
    for (const o of ops) {
      if (o.op === 'rec') {
        attempted++;
        const ok = q.record(o.iface, 1, flow, new Uint8Array(o.len).fill(o.len & 0xff), o.tag);
        if (ok) {
          expected.push([o.iface, o.len, undefined]);
          last[o.iface] = { tag: o.tag, commented: false, index: expected.length - 1 };
        } else {
          last[o.iface] = undefined;
        }
      } else if (o.op === 'note') {
        const ok = q.annotateLast(o.iface, o.tag, enc.encode(o.text));
        const l = last[o.iface];
        const should = l !== undefined && !l.commented && l.tag === o.tag;
        if (ok && !should) return false;
        // Every record keeps room for one note: only a seal in between may lose it.
        if (should && !ok && l!.index === expected.length - 1) return false;
        if (ok) {
          expected[l!.index][2] = o.text;
          l!.commented = true;
        }
      } else if (o.op === 'seal') {
        q.seal();
        last = [];
      } else {
        for (let c = q.take(); c; c = q.take()) {
          written.push({ ...c, bytes: c.bytes.slice(0, c.length) });
          q.release(c);
        }
      }
      if (q.bytesQueued > chunkBytes * chunks) return false;
    }
    q.seal();
    for (let c = q.take(); c; c = q.take()) written.push({ ...c, bytes: c.bytes.slice(0, c.length) });
    const blocks = written.flatMap((c) => readBlocks(c.bytes));
    const recorded = q.recorded.reduce((a, b) => a + b, 0);
    if (recorded + q.totalDropped !== attempted || blocks.length !== recorded || expected.length !== recorded) return false;
    return blocks.every((b, i) => {
      const [iface, len, text] = expected[i];
      const comment = b.options.find((x) => x.code === 1);
      const captured = Buffer.from(b.body).readUInt32LE(12);
      return Buffer.from(b.body).readUInt32LE(0) === iface && captured === 28 + len
        && (text === undefined ? !comment : new TextDecoder().decode(comment!.value) === text);
    });
  }));
});

t.test('a full queue drops the record, not the caller: counted per interface', async (t) => {
  const size = epbSize(flow, 1000);
  const q = new CaptureQueue({ chunkBytes: size * 2 + 128, queueBytes: (size * 2 + 128) * 2 });
  const a = q.addInterface();
  let ok = 0;
  for (let i = 0; i < 10; i++) if (q.record(a, 0, flow, new Uint8Array(1000), 0)) ok++;
  t.equal(ok, 4, 'two chunks of two records');
  t.equal(q.dropped[a], 6);
  t.equal(q.record(a, 0, flow, new Uint8Array(5000), 0), false, 'larger than a chunk: dropped');
  const c = q.take()!;
  q.release(c);
  t.equal(q.record(a, 0, flow, new Uint8Array(1000), 0), true, 'room again once the writer gave a chunk back');
});

t.test('a record that exactly fills the chunk still takes its note', async (t) => {
  const note = enc.encode('x'.repeat(MAX_NOTE_BYTES));
  for (let slack = 0; slack < 160; slack += 4) {
    const q = new CaptureQueue({ chunkBytes: epbSize(flow, 1000) + epbSize(flow, 200) + slack, queueBytes: 1 << 20 });
    const a = q.addInterface();
    q.record(a, 0, flow, new Uint8Array(1000), 0);
    q.record(a, 0, flow, new Uint8Array(200), 0);
    if (!q.annotateLast(a, 0, note)) return void t.fail(`note lost with ${slack} bytes left in the chunk`);
  }
  t.pass('the note is kept whatever room the chunk had left');
  const q = new CaptureQueue();
  const a = q.addInterface();
  q.record(a, 0, flow, new Uint8Array(10), 0);
  t.equal(q.annotateLast(a, 0, enc.encode('x'.repeat(MAX_NOTE_BYTES + 1))), false, 'a comment over the bound is refused');
});

t.test('every note camwire writes fits the bound, at the largest numbers', async (t) => {
  const notes: CaptureNote[] = [
    { kind: 'retransmission', seq: 65535 }, { kind: 'rtx', seq: 65535 }, { kind: 'keyframe-cache-replay' }, { kind: 'send-failed' },
    { kind: 'pli-forwarded', merged: 2 ** 31 }, { kind: 'pli-own' }, { kind: 'nack-sent', first: 65535, last: 65535, count: 65536 },
    { kind: 'dropped-late' }, { kind: 'dropped-duplicate' }, { kind: 'recovered' }, { kind: 'rtx-received', seq: 65535 }, { kind: 'dropped-foreign' },
  ];
  for (const n of notes) t.ok(enc.encode(noteText(n)).length <= MAX_NOTE_BYTES, n.kind);
});
