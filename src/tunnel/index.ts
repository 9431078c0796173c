/** Tunnels: the contract, the ngrok adapter and a fake. */
export { createFakeTunnel, type FakeTunnel, type FakeTunnelOptions } from './fake.js';
export { createNgrokTunnel, type NgrokTunnelOptions } from './ngrok.js';
export { ngrokErrorCode, toTunnelError } from './ngrok-errors.js';
export type { OpenTunnel, Tunnel, TunnelOpenOptions } from './types.js';
