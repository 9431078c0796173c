import { describe, expect, it } from 'vitest';
import { TunnelError } from '../../src/errors.js';
import { createFakeTunnel } from '../../src/tunnel/fake.js';

describe('createFakeTunnel', () => {
  it('hands out the local URL, records calls and closes once', async () => {
    const tunnel = createFakeTunnel();
    const open = await tunnel.open({ port: 4321, domain: 'me.example' });
    expect(tunnel.kind).toBe('fake');
    expect(open.url).toBe('http://127.0.0.1:4321');
    expect(tunnel.calls).toEqual([{ port: 4321, domain: 'me.example' }]);
    await open.close();
    await open.close();
    expect(tunnel.closed).toEqual(['http://127.0.0.1:4321']);
  });

  it('fails as told', async () => {
    const tunnel = createFakeTunnel({ fail: new TunnelError('TUNNEL_NETWORK', 'offline') });
    await expect(tunnel.open({ port: 1 })).rejects.toMatchObject({ code: 'TUNNEL_NETWORK' });
    expect(tunnel.calls).toHaveLength(1);
  });
});
