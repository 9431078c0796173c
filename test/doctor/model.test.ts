// doctor's model check with the real openai SDK against the fake OpenAI-compatible server on loopback.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { modelCheck } from '../../src/doctor/model.js';
import { runChecks } from '../../src/doctor/run.js';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai.js';

const KEY = 'sk-doctor-test-key-0001';
let fake: FakeOpenAI;

beforeAll(async () => {
  fake = await startFakeOpenAI({ apiKey: KEY, models: ['test-model', 'other-model'] });
});
afterAll(() => fake.close());
beforeEach(() => fake.reset());

const check = (options: Partial<Parameters<typeof modelCheck>[0]> = {}, timeoutMs = 5000) =>
  runChecks([modelCheck({ apiKey: KEY, baseUrl: fake.url, model: 'test-model', timeoutMs, ...options })], {
    timeoutMs,
  }).then(([result]) => result!);

describe('the model check', () => {
  it('passes when the key lists the model and a tiny completion answers, with its latency', async () => {
    const result = await check();
    expect(result).toMatchObject({ id: 'model', status: 'ok' });
    expect(result.summary).toContain('test-model answered a tiny completion');
    expect(result.summary).toContain('the key lists 2 models');
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/models', 'POST /v1/chat/completions']);
    expect(fake.requests[1]?.body).toMatchObject({ model: 'test-model', max_tokens: 5, stream: false });
  });

  it('a rejected key fails with the hint to check OPENAI_API_KEY, and no completion is tried', async () => {
    const result = await check({ apiKey: 'sk-wrong-key-000000' });
    expect(result.status).toBe('fail');
    expect(result.summary).toContain('the key was rejected');
    expect(result.summary).toContain('401');
    expect(result.hint).toContain('Check OPENAI_API_KEY');
    expect(result.summary + result.hint).not.toContain('sk-wrong-key-000000');
    expect(fake.requests).toHaveLength(1);
  });

  it('a model the key does not list fails and names the ones it does', async () => {
    const result = await check({ model: 'gpt-4o-mini' });
    expect(result).toMatchObject({ status: 'fail' });
    expect(result.summary).toContain('gpt-4o-mini is not among the 2 models');
    expect(result.hint).toContain('test-model, other-model');
  });

  it('without a key (and not a local server) it fails at once, without a request', async () => {
    const result = await check({ apiKey: undefined, baseUrl: 'https://api.deepseek.com/v1' });
    expect(result.status).toBe('fail');
    expect(result.summary).toContain('OPENAI_API_KEY is not set');
    expect(fake.requests).toHaveLength(0);
  });

  it('--no-completion only lists the models', async () => {
    const result = await check({ completion: false });
    expect(result).toMatchObject({ status: 'ok' });
    expect(result.summary).toContain('key accepted');
    expect(fake.requests.map((r) => r.path)).toEqual(['/v1/models']);
  });

  it('a completion that never comes fails at the time limit', async () => {
    fake.script({ stall: true });
    const result = await check({}, 400);
    expect(result.status).toBe('fail');
    expect(result.summary).toMatch(/no answer within 400 ms|No chat answer/);
  });

  it('a model error on the completion fails with its hint', async () => {
    fake.script({
      status: 429,
      body: { error: { message: 'quota', type: 'insufficient_quota', code: 'insufficient_quota' } },
    });
    const result = await check();
    expect(result.status).toBe('fail');
    expect(result.hint).toContain('no quota left');
  });
});
