/** The fake OpenAI server itself: the counters, the key check and a prompt close() that other suites rely on. */
import { describe, expect, it } from 'vitest';
import { startFakeOpenAI } from '../support/fake-openai.js';

const chat = (url: string, key = 'sk-test', body: object = { model: 'm', messages: [] }) =>
  fetch(`${url}/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

describe('fake OpenAI server', () => {
  it('counts calls and concurrent requests, and records them', async () => {
    const fake = await startFakeOpenAI({ apiKey: 'sk-test' });
    try {
      fake.setDefault({ reply: 'ok', latencyMs: 1000 });
      const pending = [chat(fake.url), chat(fake.url), chat(fake.url)];
      // All three are in flight together (each answers after 1 s): wait for the third to arrive, however slow.
      await expect.poll(() => fake.inFlight, { timeout: 900, interval: 5 }).toBe(3);
      const answers = await Promise.all(pending.map(async (p) => (await p).json()));
      expect(answers[0]).toMatchObject({ object: 'chat.completion', choices: [{ message: { content: 'ok' } }] });
      expect(fake.calls).toBe(3);
      expect(fake.maxInFlight).toBe(3);
      expect(fake.requests[0]).toMatchObject({ method: 'POST', path: '/v1/chat/completions', endpoint: 'chat' });
    } finally {
      await fake.close();
    }
  });

  it('answers 401 to a wrong key and 404 to an unknown path, and lists a model', async () => {
    const fake = await startFakeOpenAI({ apiKey: 'sk-test' });
    try {
      expect((await chat(fake.url, 'sk-wrong')).status).toBe(401);
      const unknown = await fetch(`${fake.url}/nope`, { method: 'POST', headers: { authorization: 'Bearer sk-test' } });
      expect(unknown.status).toBe(404);
      const models = await fetch(`${fake.url}/models`, { headers: { authorization: 'Bearer sk-test' } });
      expect(await models.json()).toMatchObject({ data: [{ id: 'test-model' }] });
    } finally {
      await fake.close();
    }
  });

  it('runs function behaviours with the request, and queued ones before the default', async () => {
    const fake = await startFakeOpenAI();
    try {
      fake.setDefault((req) => ({
        reply: `echo:${(req.body as { messages: { content: string }[] }).messages[0]!.content}`,
      }));
      fake.script({ reply: 'first' });
      const body = { model: 'm', messages: [{ role: 'user', content: 'hi' }] };
      type Completion = { choices: { message: { content: string } }[] };
      const first = (await (await chat(fake.url, 'any', body)).json()) as Completion;
      const second = (await (await chat(fake.url, 'any', body)).json()) as Completion;
      expect(first.choices[0]!.message.content).toBe('first');
      expect(second.choices[0]!.message.content).toBe('echo:hi');
    } finally {
      await fake.close();
    }
  });

  it('close() ends stalled requests at once', async () => {
    const fake = await startFakeOpenAI();
    fake.setDefault({ stall: true });
    const pending = chat(fake.url).then(
      () => 'answered',
      () => 'failed',
    );
    await new Promise((r) => setTimeout(r, 50));
    expect(fake.inFlight).toBe(1);
    const started = performance.now();
    await fake.close();
    expect(performance.now() - started).toBeLessThan(300);
    expect(await pending).toBe('failed');
  });
});
