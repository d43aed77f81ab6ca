/**
 * `probe` over UDP with a netsim UDP relay spliced into the camera's RTP path: the client
 * announces the relay's port as its RTP client_port (`udpAnnouncePorts`), the relay forwards
 * to the real socket through `forward`. RTCP both ways stays on the direct, clean path.
 */
import { probe, type ProbeOptions, type ProbeResult } from '../../lib/ingest/probe.js';
import { startUdpRelay, type UdpRelay } from '../../lib/netsim/udp-relay.js';
import type { LinkProfile } from '../../lib/netsim/link.js';

export async function probeThroughRelay(
  options: Omit<ProbeOptions, 'transport'>,
  forward: LinkProfile,
  seed: number,
): Promise<{ r: ProbeResult; relay: { sent: number; delivered: number; relays: number } }> {
  const relays: UdpRelay[] = [];
  try {
    const r = await probe({
      ...options,
      transport: 'udp',
      client: {
        ...options.client,
        udpAnnouncePorts: async (bound) => {
          const relay = await startUdpRelay({ target: { port: bound.rtpPort, host: '127.0.0.1' }, forward, seed });
          relays.push(relay);
          return [relay.port, bound.rtcpPort];
        },
      },
    });
    // Summed over every relay made (one per UDP track SETUP, again after a reconnection).
    const relay = { sent: 0, delivered: 0, relays: relays.length };
    for (const x of relays) {
      const f = x.stats().forward;
      relay.sent += f.sent;
      relay.delivered += f.delivered;
    }
    return { r, relay };
  } finally {
    for (const relay of relays) await relay.close();
  }
}
