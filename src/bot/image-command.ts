/** The image command (`/画 一只猫`): the images endpoint draws, the media API uploads, the user gets an image. */

import type { Logger, ResolvedConfig } from '../config.js';
import { LlmError } from '../errors.js';
import type { LlmClient } from '../llm/types.js';
import type { AnswerSource } from '../store/types.js';
import type { Reply } from '../wechat/types.js';
import type { WechatApi } from '../wechat-api/types.js';
import type { Said } from './said.js';
import type { Semaphore } from './semaphore.js';
import { fillTemplate } from './texts.js';

export interface ImageCommandDependencies {
  config: ResolvedConfig;
  llm: LlmClient;
  wechatApi: WechatApi | undefined;
  semaphore: Semaphore;
  logger: Logger;
}

/** The image command's words (any case), compiled once. */
export function imageCommandWords(
  words: readonly string[],
): (said: Said) => { command: string; prompt: string } | undefined {
  const compiled = words.map((command) => ({ command, lower: command.toLowerCase() }));
  /** The prompt after an image command word, '' for the bare word, or undefined when the text is not the command. */
  return function imagePrompt(said) {
    for (const { command, lower } of compiled) {
      if (!said.lower.startsWith(lower)) continue;
      if (said.lower === lower) return { command, prompt: '' };
      const head = said.trimmed.slice(0, command.length);
      const rest = said.trimmed.slice(command.length);
      if (head.toLowerCase() === lower && /^\s/.test(rest)) return { command, prompt: rest.trim() };
    }
    return undefined;
  };
}

export function createImageCommand({ config, llm, wechatApi, semaphore, logger }: ImageCommandDependencies) {
  const { texts } = config;
  const text = (content: string): Reply => ({ type: 'text', content });

  // The user (third argument) matters to the gate in front of this (quotas); drawing does not need it.
  return async function drawImage(
    command: string,
    prompt: string,
    _openid?: string,
  ): Promise<{ reply: Reply; source: AnswerSource }> {
    if (!prompt) return { reply: text(fillTemplate(texts.imageUsage, { command })), source: 'command' };
    if (!llm.configured) return { reply: text(texts.notConfigured), source: 'not-configured' };
    if (!wechatApi) return { reply: text(texts.imageNeedsApi), source: 'image' };
    const release = semaphore.tryAcquire();
    if (!release) return { reply: text(texts.busy), source: 'busy' };
    try {
      const png = await llm.generateImage({ prompt, model: config.llm.imageModel });
      const uploaded = await wechatApi.uploadMedia('image', png, 'image.png', 'image/png');
      return { reply: { type: 'image', mediaId: uploaded.mediaId }, source: 'image' };
    } catch (error) {
      const err = error as { message?: string; code?: string; hint?: string };
      logger.warn({ err: err.message, code: err.code, hint: err.hint }, 'image command failed');
      const content =
        error instanceof LlmError && error.kind !== 'bad_request'
          ? texts.llmErrors[error.kind === 'not_configured' ? 'auth' : error.kind]
          : texts.imageFailed;
      return { reply: text(content), source: 'image' };
    } finally {
      release();
    }
  };
}

export type DrawImage = ReturnType<typeof createImageCommand>;
