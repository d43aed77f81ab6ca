/**
 * `npm run churn -- [COUNT]`: viewer churn (default 1000) against a gateway child; prints a
 * summary line in JSON and then, with `--raw`, the whole ChurnResult. It ends with
 * process.exit: after a thousand node-datachannel peers, libdatachannel's threads may keep the
 * process alive (and its cleanup() has crashed it here), so the churn runs in a process of its own.
 */
import { runChurn } from './churn.js';

const count = Number(process.argv[2] ?? '1000');
const r = await runChurn(count);
const mb = (x: number) => Math.round((x / 1048576) * 10) / 10;
process.stdout.write(JSON.stringify({
  count, joined: r.joined, failed: r.failed, clientRetries: r.clientRetries, clientGaveUp: r.clientGaveUp, sawVideo: r.sawVideo,
  heapMbBefore: mb(r.before.heapUsed), heapMbAfter: mb(r.after.heapUsed), rssMbBefore: mb(r.before.rss), rssMbMiddle: mb(r.middle.rss), rssMbAfter: mb(r.after.rss),
  peersAfter: r.after.peers, viewersAfter: r.after.viewers, errors: r.errors,
}) + '\n');
if (process.argv.includes('--raw')) process.stdout.write(JSON.stringify(r) + '\n');
process.exit(r.failed === 0 && r.after.peers === 0 && r.after.viewers === 0 ? 0 : 1);
