/** Reading the chat request bodies the fake OpenAI server records. */

export interface ChatBody {
  model: string;
  stream?: boolean;
  messages: { role: string; content: string | { type: string; text?: string; image_url?: { url: string } }[] }[];
}

export function lastUserText(body: ChatBody): string {
  const last = body.messages.filter((m) => m.role === 'user').at(-1);
  if (!last) return '';
  if (typeof last.content === 'string') return last.content;
  return last.content.map((p) => (p.type === 'text' ? p.text : `[image ${p.image_url?.url}]`)).join(' ');
}
