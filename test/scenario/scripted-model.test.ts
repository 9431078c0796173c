// The scripted model, driven by our real model client (the openai SDK) on loopback: scripts found by what the user
// said, failures as HTTP statuses, unscripted calls passed on to the configured model or answered "not configured".
import { afterEach, describe, expect, it } from 'vitest';
import { LlmError } from '../../src/errors.js';
import { createLlmClient } from '../../src/llm/client.js';
import { type ScriptedModel, startScriptedModel } from '../../src/scenario/scripted-model.js';
import { type FakeOpenAI, startFakeOpenAI } from '../support/fake-openai.js';

let model: ScriptedModel | undefined;
let upstream: FakeOpenAI | undefined;
afterEach(async () => {
  await model?.close();
  await upstream?.close();
  model = upstream = undefined;
});

const ask = (url: string, text: string, stream = true) =>
  createLlmClient({ baseUrl: url, model: 'm', stream, maxRetries: 0 }).chat({
    messages: [
      { role: 'system', content: 'You are a bot.' },
      { role: 'user', content: '更早的问题' },
      { role: 'assistant', content: '更早的回答' },
      { role: 'user', content: text },
    ],
  });

describe('startScriptedModel', () => {
  it('answers the script whose probe the last user message contains, streamed or not', async () => {
    model = await startScriptedModel({ unconfiguredText: '未配置' });
    const undo = model.script({ probe: '慢一点的问题', script: { say: '慢答案' } });
    model.script({ probe: '更早的问题', script: { say: 'not this one: only the last user message counts' } });
    expect((await ask(model.url, '慢一点的问题')).text).toBe('慢答案');
    expect((await ask(model.url, '请回答：慢一点的问题', false)).text).toBe('慢答案');
    undo();
    expect((await ask(model.url, '慢一点的问题')).text).toBe('未配置');
    expect(model.counts).toEqual({ scripted: 2, passedOn: 0 });
  });

  it('a scripted failure is an HTTP status the client classifies', async () => {
    model = await startScriptedModel({ unconfiguredText: '未配置' });
    model.script({ probe: '出错', script: { fail: 503 } });
    const error = await ask(model.url, '出错').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LlmError);
    expect((error as LlmError).kind).toBe('server');
  });

  it('unscripted calls go to the configured model with its key', async () => {
    upstream = await startFakeOpenAI({ apiKey: 'sk-real', defaultBehaviour: { reply: '真正的模型' } });
    model = await startScriptedModel({
      upstream: { baseUrl: upstream.url, apiKey: 'sk-real' },
      unconfiguredText: '未配置',
    });
    model.script({ probe: '价格', script: { say: '脚本' } });
    expect((await ask(model.url, '讲个笑话')).text).toBe('真正的模型');
    expect((await ask(model.url, '讲个笑话', false)).text).toBe('真正的模型');
    expect((await ask(model.url, '价格')).text).toBe('脚本');
    expect(upstream.calls).toBe(2);
    expect(model.counts).toEqual({ scripted: 1, passedOn: 2 });
  });
});
