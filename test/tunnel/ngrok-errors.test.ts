import { describe, expect, it } from 'vitest';
import { TunnelError } from '../../src/errors.js';
import { ngrokErrorCode, toTunnelError } from '../../src/tunnel/ngrok-errors.js';

/** The shape @ngrok/ngrok throws: a plain Error, code 'GenericFailure', errorCode filled from the message. */
function ngrokError(message: string): Error {
  const error = Object.assign(new Error(message), { code: 'GenericFailure' });
  const code = /error_code: (ERR_NGROK_\d+)$/.exec(message)?.[1];
  return code ? Object.assign(error, { errorCode: code }) : error;
}

describe('toTunnelError', () => {
  it('maps ERR_NGROK_4018 (no verified account / authtoken) to TUNNEL_AUTH', () => {
    const error = toTunnelError(
      ngrokError(
        'failed to connect session: Usage of ngrok requires a verified account and authtoken.\n' +
          'Sign up for an account: https://dashboard.ngrok.com/signup\n' +
          'Install your authtoken: https://dashboard.ngrok.com/get-started/your-authtoken error_code: ERR_NGROK_4018',
      ),
    );
    expect(error).toBeInstanceOf(TunnelError);
    expect(error.code).toBe('TUNNEL_AUTH');
    expect(error.message).toBe(
      'ngrok rejected the authtoken (ERR_NGROK_4018): Usage of ngrok requires a verified account and authtoken.',
    );
    expect(error.hint).toContain('NGROK_AUTHTOKEN');
  });

  it('maps ERR_NGROK_105 (malformed authtoken) to TUNNEL_AUTH, reading the code from the message', () => {
    const error = toTunnelError(
      new Error(
        'failed to connect session: The authtoken you specified does not look like a proper ngrok authtoken.\n' +
          'Your authtoken: abc\nInstructions to install your authtoken are on your ngrok dashboard:\n' +
          'https://dashboard.ngrok.com/get-started/your-authtoken\r\n\r\nERR_NGROK_105\r\n',
      ),
    );
    expect(error.code).toBe('TUNNEL_AUTH');
    expect(error.message).toContain('ERR_NGROK_105');
  });

  it('maps a domain of another account (ERR_NGROK_320) to TUNNEL_DOMAIN naming the domain', () => {
    const error = toTunnelError(
      ngrokError(
        'failed to start listener: This domain is reserved for another account. Failed to create an endpoint with the domain me.ngrok-free.app for the account A. error_code: ERR_NGROK_320',
      ),
      { domain: 'me.ngrok-free.app' },
    );
    expect(error.code).toBe('TUNNEL_DOMAIN');
    expect(error.message).toContain('"me.ngrok-free.app"');
    expect(error.hint).toContain('dashboard.ngrok.com/domains');
  });

  it('maps an endpoint already online (ERR_NGROK_334) to TUNNEL_DOMAIN with its own hint', () => {
    const error = toTunnelError(
      ngrokError('failed to start listener: The endpoint is already online. error_code: ERR_NGROK_334'),
    );
    expect(error.code).toBe('TUNNEL_DOMAIN');
    expect(error.hint).toContain('already serving');
  });

  it('maps the session limit (ERR_NGROK_108) to TUNNEL_FAILED with a hint', () => {
    const error = toTunnelError(
      ngrokError(
        'failed to connect session: Your account is limited to 1 simultaneous ngrok agent sessions. error_code: ERR_NGROK_108',
      ),
    );
    expect(error.code).toBe('TUNNEL_FAILED');
    expect(error.hint).toContain('Another ngrok agent');
  });

  it('maps the failures seen offline to TUNNEL_NETWORK', () => {
    for (const message of [
      'failed to connect session: failed to establish tcp connection',
      'failed to connect session: tls handshake error',
    ]) {
      const error = toTunnelError(ngrokError(message), { port: 8080 });
      expect(error.code).toBe('TUNNEL_NETWORK');
      expect(error.message).toBe(
        `Could not reach ngrok's servers: ${message.replace('failed to connect session: ', '')}`,
      );
      // Never the listening port (random with --port 0; WeChat calls only 80 and 443): the way without ngrok.
      expect(error.hint).not.toContain('8080');
      expect(error.hint).toContain('--no-tunnel behind your own HTTPS server on port 443');
    }
  });

  it('maps an unknown code to TUNNEL_FAILED with a link to its page, and anything else too', () => {
    const coded = toTunnelError(ngrokError('failed to start listener: something new error_code: ERR_NGROK_9999'));
    expect(coded.code).toBe('TUNNEL_FAILED');
    expect(coded.hint).toBe('See https://ngrok.com/docs/errors/err_ngrok_9999 for what it means.');
    const odd = toTunnelError('boom');
    expect(odd.code).toBe('TUNNEL_FAILED');
    expect(odd.message).toContain('boom');
  });

  it('passes a TunnelError through unchanged', () => {
    const original = new TunnelError('TUNNEL_AUTH', 'x');
    expect(toTunnelError(original)).toBe(original);
  });
});

describe('ngrokErrorCode', () => {
  it('prefers the errorCode property, falls back to the message, and ignores non-errors', () => {
    expect(ngrokErrorCode(Object.assign(new Error('x'), { errorCode: 'ERR_NGROK_107' }))).toBe('ERR_NGROK_107');
    expect(ngrokErrorCode(new Error('... ERR_NGROK_320'))).toBe('ERR_NGROK_320');
    expect(ngrokErrorCode(new Error('no code'))).toBeUndefined();
    expect(ngrokErrorCode(null)).toBeUndefined();
  });
});
