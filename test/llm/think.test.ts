/** Removing <think> reasoning from a final answer and from a stream as it arrives. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createThinkFilter, stripThink } from '../../src/llm/think.js';

function streamThrough(pieces: string[]): string {
  const filter = createThinkFilter();
  return pieces.map((piece) => filter.push(piece)).join('') + filter.end();
}

describe('stripThink', () => {
  it.each([
    ['<think>推理过程</think>\n\n答案', '答案'],
    ['<THINK>a</Think>答案', '答案'],
    ['开头<think>a</think>中间<think>b\nc</think>结尾', '开头中间结尾'],
    ['<think>还没想完就结束了', ''],
    ['答案<think>后面又想', '答案'],
    ['R1 的推理（模板已打开了标签）</think>\n答案', '答案'],
    ['  没有推理的回答  \n', '没有推理的回答'],
    ['a < b and x > y', 'a < b and x > y'],
  ])('%j → %j', (input, expected) => {
    expect(stripThink(input)).toBe(expected);
  });
});

describe('createThinkFilter', () => {
  it('holds back a possible tag until it is known, and lets go of one that was not a tag', () => {
    const filter = createThinkFilter();
    expect(filter.push('答案 <t')).toBe('答案 ');
    expect(filter.push('able> 好')).toBe('<table> 好');
    expect(filter.push(' <')).toBe(' ');
    expect(filter.end()).toBe('<');
  });

  it('never passes on reasoning, split at every character', () => {
    const text = '\n<think>内部推理，不给用户看</think>\n\n最终答案：42';
    expect(streamThrough(Array.from(text))).toBe('最终答案：42');
  });

  it('after an orphan </think> passes the answer on again in full', () => {
    const out = streamThrough(['推理', '</think>', '答案']);
    expect(out.endsWith('答案')).toBe(true);
  });

  const seed = Number(process.env.SEED ?? 20240601);
  const numRuns = Number(process.env.RUNS ?? 500);

  it('property: the streamed text is the final text, however the stream is cut', () => {
    const token = fc.constantFrom('<think>', '</think>', '<', '<th', 'ink>', '</', 't', '答', ' ', '\n', 'x>');
    fc.assert(
      fc.property(fc.array(token, { maxLength: 30 }), fc.array(fc.nat(), { maxLength: 8 }), (tokens, cuts) => {
        const text = tokens.join('');
        fc.pre(!/<(\/?)think>/i.exec(text)?.[1]); // an orphan </think> first is best effort
        const streamed = streamThrough(cutAt(text, cuts));
        expect(streamed.trim()).toBe(stripThink(text));
      }),
      { seed, numRuns },
    );
  });

  it('property: answers between thoughts are kept, thoughts never are', () => {
    const plain = fc.string({ unit: fc.constantFrom('答', '案', 'a', ' ', '\n', '>', '/') });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(plain, plain), { maxLength: 6 }),
        fc.array(fc.nat(), { maxLength: 8 }),
        (pairs, cuts) => {
          const text = pairs.map(([answer, thought]) => `${answer}<think>THOUGHT${thought}</think>`).join('');
          const expected = pairs
            .map(([answer]) => answer)
            .join('')
            .trim();
          expect(stripThink(text)).toBe(expected);
          expect(streamThrough(cutAt(text, cuts)).trim()).toBe(expected);
        },
      ),
      { seed, numRuns },
    );
  });
});

/** The text cut into pieces at the given points (taken modulo its length). */
function cutAt(text: string, cuts: number[]): string[] {
  const points = [...new Set(cuts.map((c) => c % (text.length + 1)))].sort((a, b) => a - b);
  const ends = [...points, text.length];
  return ends.map((end, i) => text.slice(i === 0 ? 0 : ends[i - 1], end));
}
