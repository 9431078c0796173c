/**
 * An OpenAI-compatible chat endpoint that answers at once, streamed or not, with MODEL_ANSWER: the model path's own
 * cost without the model's seconds. Records nothing (the fake of the tests keeps every request, which grows).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LlmClient } from '../src/llm/types.js';
import { MODEL_ANSWER } from './constants.js';

const chunk = (delta: Record<string, string>, finish: string | null) =>
  `data: ${JSON.stringify({
    id: 'chatcmpl-bench',
    object: 'chat.completion.chunk',
    created: 0,
    model: 'bench',
    choices: [{ index: 0, delta, finish_reason: finish }],
  })}\n\n`;
const STREAMED = `${chunk({ role: 'assistant', content: MODEL_ANSWER }, null)}${chunk({}, 'stop')}data: [DONE]\n\n`;
const WHOLE = JSON.stringify({
  id: 'chatcmpl-bench',
  object: 'chat.completion',
  created: 0,
  model: 'bench',
  choices: [{ index: 0, message: { role: 'assistant', content: MODEL_ANSWER }, finish_reason: 'stop' }],
  usage: { prompt_tokens: 10, completion_tokens: 20, total_tokens: 30 },
});

export async function startInstantModel(): Promise<{ url: string; server: Server }> {
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (part: string) => {
      body += part;
    });
    req.on('end', () => {
      const streamed = /"stream"\s*:\s*true/.test(body);
      res.writeHead(200, { 'Content-Type': streamed ? 'text/event-stream' : 'application/json' });
      res.end(streamed ? STREAMED : WHOLE);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`, server };
}

/**
 * A model in the process that answers at once: for createWechatGpt's wrapLlm, so a bench row measures everything the
 * model path does (claim, job, routing, conversation, the model's turn, paging, delivery) but the model's transport.
 */
export function instantLlm(answer: string): (llm: LlmClient) => LlmClient {
  return (llm) => ({
    configured: true,
    model: llm.model,
    baseUrl: llm.baseUrl,
    async chat(request) {
      request.onDelta?.(answer);
      return {
        text: answer,
        model: 'instant',
        finishReason: 'stop',
        usage: { promptTokens: 10, completionTokens: 20 },
        latencyMs: 0,
      };
    },
    transcribe: (request) => llm.transcribe(request),
    generateImage: (request) => llm.generateImage(request),
  });
}
