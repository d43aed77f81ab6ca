/** `node probe-child.js <camwire probe args>`: runs the probe in its own process (e.g. inside a network namespace). */
import { runProbe } from '../../lib/app/cli-probe.js';

const code = await runProbe(process.argv.slice(2));
process.stdout.write('', () => process.exit(code));
