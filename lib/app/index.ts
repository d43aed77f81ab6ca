/** The composition root's public surface: starting a gateway (which loads the native WebRTC addon). */
export { startGateway, type GatewayHandle, type StartOverrides } from './start.js';
