/**
 * The side-by-side matrix (issue 18): the same impairments on the WebRTC leg for camwire and
 * a peer server, from a clean link to 45% random loss, Gilbert-Elliott bursts about a
 * keyframe's tail long, and reordering.
 */
import { parseImpairment, STRATEGIES, type Scenario, type SourceKind, type Strategy } from '../lab/scenario.js';

/** camwire as users run it: NACK answered on RTX, PLI forwarded (the gateway's defaults). */
export const CAMWIRE: Strategy = Object.freeze({ ...STRATEGIES['nack+rtx']!, name: 'camwire' });
/** Janus's own recovery (its NACK queue, RTX, PLI relay); the strategy fields only label it. */
export const JANUS: Strategy = Object.freeze({ name: 'janus', recovery: 'nack+rtx', pli: 'forward', reorder: false });

/**
 * Loss hits datagrams of at least MEDIA_BYTES from the server (its media, and the DTLS
 * handshake's large flights), as the reference measurement's nftables rule did: NACKs, PLIs
 * and receiver reports get through, so what is compared is how each server repairs.
 */
const MEDIA_BYTES = 300;
const media = (p: string) => `webrtc:${p},min-size=${MEDIA_BYTES}`;

const SPECS: Record<string, { title: string; impair: string }> = {
  clean: { title: 'Clean link (control)', impair: 'webrtc:' },
  loss5: { title: '5% random loss of the server\'s media', impair: media('loss=0.05') },
  loss15: { title: '15% random loss of the server\'s media', impair: media('loss=0.15') },
  loss25: { title: '25% random loss of the server\'s media', impair: media('loss=0.25') },
  loss35: { title: '35% random loss of the server\'s media', impair: media('loss=0.35') },
  loss45: { title: '45% random loss of the server\'s media', impair: media('loss=0.45') },
  burst: { title: 'Gilbert-Elliott bursts of the server\'s media: 5% average, mean burst 20 packets', impair: media('burst=0.05/20') },
  reorder: { title: '25% of the server\'s packets reordered + 10 ms jitter', impair: 'webrtc:reorder=0.25,jitter=10' },
};

export const FULL_SCENARIOS = Object.keys(SPECS);
export const QUICK_SCENARIOS = ['clean', 'loss15'];

export function peerScenario(id: string, o: { source: SourceKind; seed: number; durationS: number; systems: readonly Strategy[] }): Scenario {
  const spec = SPECS[id];
  if (!spec) throw new Error(`unknown scenario ${id}; known: ${FULL_SCENARIOS.join(', ')}`);
  return {
    id, title: `${spec.title}, WebRTC leg`, source: o.source, seed: o.seed, durationS: o.durationS,
    impairment: parseImpairment(spec.impair), strategies: [...o.systems], expect: [],
  };
}
