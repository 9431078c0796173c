/** The outage log lines: one when a connection drops (or cannot be made at start), one when it is back. */
import { EventEmitter } from 'node:events';
import type { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import type { Logger } from '../../src/config.js';
import { watchConnection } from '../../src/store/redis-connection.js';

function recordingLogger(lines: string[]): Logger {
  const log = (level: string) => (_fields: object, message?: string) => void lines.push(`${level} ${message}`);
  return { debug: () => {}, info: log('info'), warn: log('warn'), error: log('error') };
}

/** ioredis's connection events, as ioredis emits them. */
function connection(status: string) {
  return Object.assign(new EventEmitter(), { status }) as unknown as Redis & EventEmitter;
}

describe('watchConnection', () => {
  it('says "not reachable yet" when Redis is down at start, then "connected"', () => {
    const lines: string[] = [];
    const redis = connection('connecting');
    watchConnection(redis, 'commands', recordingLogger(lines), () => false);
    redis.emit('close');
    redis.emit('close');
    redis.emit('ready');
    expect(lines).toEqual(['warn Redis not reachable yet; retrying', 'info Redis connected']);
  });

  it('says "lost" once per outage of a working connection, and "restored" when it is back', () => {
    const lines: string[] = [];
    const redis = connection('ready');
    watchConnection(redis, 'commands', recordingLogger(lines), () => false);
    redis.emit('close');
    redis.emit('close');
    redis.emit('ready');
    redis.emit('close');
    expect(lines).toEqual([
      'warn Redis connection lost; reconnecting',
      'info Redis connection restored',
      'warn Redis connection lost; reconnecting',
    ]);
  });

  it('stays quiet while the store is closing', () => {
    const lines: string[] = [];
    const redis = connection('ready');
    watchConnection(redis, 'commands', recordingLogger(lines), () => true);
    redis.emit('close');
    expect(lines).toEqual([]);
  });
});
