/**
 * Source-specific multicast (RFC 4607), as the client joins it when the SDP has
 * `a=source-filter: incl`: two senders on one group, only the named source gets through.
 * Sender and receiver live in two network namespaces created here.
 */
import t from 'tap';
import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../test/support/env.js';
import { createNetnsPair, missingNetns } from './support/netns.js';

const udpModule = pathToFileURL(join(repoRoot, 'dist', 'lib', 'rtsp', 'client', 'udp.js')).href;

function run(ns: string, code: string): Promise<string> {
  const child = spawn('ip', ['netns', 'exec', ns, process.execPath, '--input-type=module', '-e', code], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (err += d));
  return new Promise((resolve, reject) => child.once('exit', (c) => (c === 0 ? resolve(out) : reject(new Error(`exit ${c}: ${err}`)))));
}

const why = missingNetns();
if (why) {
  t.comment('skip: ' + why);
} else {
  t.test('SSM join receives only the named source; an any-source join receives both', async (t) => {
    const ns = createNetnsPair('cws');
    t.teardown(() => ns.destroy());
    const second = '10.231.7.3';
    const dev = spawnSync('ip', ['-n', ns.a, '-o', 'link', 'show', 'type', 'veth'], { encoding: 'utf8' }).stdout.split(':')[1].trim().split('@')[0];
    spawnSync('ip', ['-n', ns.a, 'addr', 'add', `${second}/24`, 'dev', dev]);
    const group = '232.1.2.3';
    const receiver = (source: string | null) => run(ns.b, `
      import { UdpPortPair } from ${JSON.stringify(udpModule)};
      const pair = await UdpPortPair.multicast(${JSON.stringify(group)}, 5004, ${source ? `{ source: ${JSON.stringify(source)} }` : '{}'});
      const from = {};
      pair.onRtp((d, r) => { from[r.address] = (from[r.address] ?? 0) + 1; });
      setTimeout(() => { pair.close(); console.log(JSON.stringify(from)); }, 1500);
    `);
    const sender = () => run(ns.a, `
      import { createSocket } from 'node:dgram';
      const socks = await Promise.all([${JSON.stringify(ns.addrA)}, ${JSON.stringify(second)}].map((a) => new Promise((r) => {
        const s = createSocket('udp4'); s.bind(0, a, () => { s.setMulticastTTL(1); s.setMulticastInterface(a); r(s); });
      })));
      let n = 0;
      const timer = setInterval(() => {
        for (const s of socks) s.send(Buffer.from([0x80, 96, 0, n]), 5004, ${JSON.stringify(group)});
        if (++n === 30) { clearInterval(timer); for (const s of socks) s.close(); }
      }, 25);
    `);
    const [ssm] = await Promise.all([receiver(ns.addrA), new Promise((r) => setTimeout(r, 300)).then(sender)]);
    const [any] = await Promise.all([receiver(null), new Promise((r) => setTimeout(r, 300)).then(sender)]);
    const ssmFrom = JSON.parse(ssm);
    const anyFrom = JSON.parse(any);
    t.ok(ssmFrom[ns.addrA] > 10, `SSM: ${ssmFrom[ns.addrA]} packets from the named source`);
    t.equal(ssmFrom[second], undefined, 'SSM: nothing from the other sender');
    t.ok(anyFrom[ns.addrA] > 10 && anyFrom[second] > 10, 'control: an any-source join gets both senders');
  });
}
