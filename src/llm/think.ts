/**
 * Removing a reasoning model's <think>…</think> blocks from its answer, both from the final text and from the stream
 * as it arrives (so a streaming receiver never shows the reasoning). The one copy of this logic in the project.
 */

const OPEN = '<think>';
const CLOSE = '</think>';
const TAG = /<(\/?)think>/gi;

/**
 * The answer without reasoning, trimmed: complete blocks anywhere, an unclosed `<think>` to the end (the stream
 * stopped while the model was still thinking), everything before a `</think>` that has no opening tag (R1
 * distills whose chat template already opened the block in the prompt), and any stray `</think>` left.
 */
export function stripThink(text: string): string {
  return visible(text).trim();
}

/** One left-to-right pass over the tags, so removing a block never joins its neighbours into a new tag. */
function visible(text: string): string {
  const tags = [...text.matchAll(TAG)];
  // A first tag that closes: the chat template opened the block in the prompt, so the answer starts inside it.
  let inside = tags[0]?.[1] === '/';
  let out = '';
  let position = 0;
  for (const tag of tags) {
    if (!inside) out += text.slice(position, tag.index);
    // A stray </think> outside a block is dropped; a <think> inside one changes nothing.
    inside = tag[1] !== '/';
    position = tag.index + tag[0].length;
  }
  return inside ? out : out + text.slice(position);
}

/** The length of the end of `text` that could be the start of a tag ("<", "<th", "</thi"…), held back until known. */
function partialTag(text: string): number {
  const tail = text.slice(-(CLOSE.length - 1)).toLowerCase();
  for (let length = tail.length; length > 0; length--) {
    const end = tail.slice(-length);
    if (OPEN.startsWith(end) || CLOSE.startsWith(end)) return length;
  }
  return 0;
}

export interface ThinkFilter {
  /** Takes a stream delta, gives back the new visible text to pass on (often ''). */
  push(delta: string): string;
  /** At the end of the stream: the visible text still held back (a trailing "<" that never became a tag). */
  end(): string;
}

/**
 * Passes on a stream's visible text as it arrives. Leading whitespace is held back like the final trim does. If the
 * visible text ever stops extending what was passed on (an orphan `</think>` turned earlier text into reasoning),
 * the whole new visible text is passed on again: the final text is always right, the stream is best effort.
 */
export function createThinkFilter(): ThinkFilter {
  let raw = '';
  let passed = '';
  const advance = (now: string): string => {
    if (!now.startsWith(passed)) {
      passed = now;
      return now;
    }
    const fresh = now.slice(passed.length);
    passed = now;
    return fresh;
  };
  return {
    push(delta) {
      raw += delta;
      const shown = visible(raw).trimStart();
      const settled = shown.slice(0, shown.length - partialTag(shown));
      // What was passed on stays passed on: a held-back "<" may be one that was passed before.
      if (shown.startsWith(passed) && settled.length <= passed.length) return '';
      return advance(settled);
    },
    end() {
      const shown = visible(raw).trimStart();
      return shown.startsWith(passed) ? advance(shown) : '';
    },
  };
}
