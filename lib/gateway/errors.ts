import { CamwireError } from '../errors.js';

/**
 * Failures of the gateway and its WebRTC transport. Codes:
 * OFFER_NO_VIDEO, OFFER_NO_H264, OFFER_REJECTED, GATHERING_TIMEOUT, PEER_LIMIT, STREAM_UNKNOWN,
 * TRANSPORT_CLOSED.
 */
export class GatewayError extends CamwireError {}
