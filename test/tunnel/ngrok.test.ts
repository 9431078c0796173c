import { createServer, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TunnelError } from '../../src/errors.js';
import { createNgrokTunnel } from '../../src/tunnel/ngrok.js';

/** A loopback TCP server standing in for ngrok's session server; `mode` decides how it (mis)behaves. */
async function startFakeSessionServer(mode: 'silent' | 'hang-up') {
  const sockets = new Set<Socket>();
  let connections = 0;
  const server: Server = createServer((socket) => {
    connections++;
    sockets.add(socket);
    socket.on('error', () => {});
    if (mode === 'hang-up') socket.destroy();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    addr: `127.0.0.1:${port}`,
    connections: () => connections,
    // Hanging up makes ngrok's pending connect fail, so its native task stops holding the worker open.
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

const cleanups: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

async function fakeServer(mode: 'silent' | 'hang-up') {
  const server = await startFakeSessionServer(mode);
  cleanups.push(server.close);
  return server;
}

async function openError(promise: Promise<unknown>): Promise<TunnelError> {
  const error = await promise.then(
    () => {
      throw new Error('expected the tunnel to fail');
    },
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(TunnelError);
  return error as TunnelError;
}

describe('createNgrokTunnel', () => {
  it('refuses to start without an authtoken, before any network traffic', async () => {
    const server = await fakeServer('silent');
    const tunnel = createNgrokTunnel({ serverAddr: server.addr });
    const error = await openError(tunnel.open({ port: 3000 }));
    expect(error.code).toBe('TUNNEL_AUTH');
    expect(error.message).toContain('NGROK_AUTHTOKEN');
    expect(error.hint).toContain('dashboard.ngrok.com');
    expect(server.connections()).toBe(0);
  });

  it('refuses a domain that is not a host name, before any network traffic', async () => {
    const server = await fakeServer('silent');
    const tunnel = createNgrokTunnel({ serverAddr: server.addr });
    const error = await openError(tunnel.open({ port: 3000, authtoken: 'x', domain: 'https://me.ngrok-free.app/' }));
    expect(error.code).toBe('TUNNEL_DOMAIN');
    expect(error.hint).toContain('no https://');
    expect(server.connections()).toBe(0);
  });

  it("fails with a clear error on this offline machine (ngrok's real servers), within a bounded time", async () => {
    const started = Date.now();
    const error = await openError(
      createNgrokTunnel({ timeoutMs: 5000 }).open({ port: 3000, authtoken: '2abcdefTESTtokenNotReal_123' }),
    );
    // Offline: TUNNEL_NETWORK. Were the machine online, ngrok would reject the made-up token: TUNNEL_AUTH.
    expect(['TUNNEL_NETWORK', 'TUNNEL_AUTH']).toContain(error.code);
    expect(error.hint).toBeTruthy();
    expect(Date.now() - started).toBeLessThan(7000);
  });

  it('gives up on a server that never answers after timeoutMs, as TUNNEL_NETWORK', async () => {
    const server = await fakeServer('silent');
    const started = Date.now();
    const error = await openError(
      createNgrokTunnel({ serverAddr: server.addr, timeoutMs: 300 }).open({ port: 3000, authtoken: 'x' }),
    );
    expect(error.code).toBe('TUNNEL_NETWORK');
    expect(error.message).toContain('did not answer within 0.3 s');
    expect(error.hint).toContain('--public-url');
    expect(error.hint).not.toContain('3000');
    expect(Date.now() - started).toBeLessThan(2000);
    expect(server.connections()).toBe(1);
  });

  it('maps a server that hangs up mid-handshake to TUNNEL_NETWORK', async () => {
    const server = await fakeServer('hang-up');
    const error = await openError(
      createNgrokTunnel({ serverAddr: server.addr, timeoutMs: 5000 }).open({ port: 3000, authtoken: 'x' }),
    );
    expect(error.code).toBe('TUNNEL_NETWORK');
    expect(error.message).toMatch(/tls handshake/i);
    expect(error.cause).toBeInstanceOf(Error);
  });

  it('stops waiting when the signal aborts, rejecting with its reason', async () => {
    const server = await fakeServer('silent');
    const controller = new AbortController();
    const opening = createNgrokTunnel({ serverAddr: server.addr }).open({
      port: 3000,
      authtoken: 'x',
      signal: controller.signal,
    });
    setTimeout(() => controller.abort(new Error('shutting down')), 50);
    await expect(opening).rejects.toThrow('shutting down');
  });

  it('rejects at once when the signal is already aborted', async () => {
    const server = await fakeServer('silent');
    const error = await createNgrokTunnel({ serverAddr: server.addr })
      .open({ port: 3000, authtoken: 'x', signal: AbortSignal.abort() })
      .catch((e: unknown) => e);
    expect((error as Error).name).toBe('AbortError');
    expect(server.connections()).toBe(0);
  });
});
