/** Our model messages in the OpenAI wire format (content parts with image_url objects). */
import type OpenAI from 'openai';
import type { LlmContentPart, LlmMessage } from './types.js';

type WireMessage = OpenAI.ChatCompletionMessageParam;
type WirePart = OpenAI.ChatCompletionContentPartText | OpenAI.ChatCompletionContentPartImage;

export function toOpenAIMessages(messages: LlmMessage[]): WireMessage[] {
  return messages.map((message): WireMessage => {
    if (typeof message.content === 'string') return { role: message.role, content: message.content };
    if (message.role === 'user') return { role: 'user', content: message.content.map(toWirePart) };
    // Only user messages may carry images; other roles get their text parts joined.
    const text = message.content.map((part) => (part.type === 'text' ? part.text : '')).join('\n');
    return { role: message.role, content: text };
  });
}

function toWirePart(part: LlmContentPart): WirePart {
  return part.type === 'text'
    ? { type: 'text', text: part.text }
    : { type: 'image_url', image_url: { url: part.imageUrl } };
}
