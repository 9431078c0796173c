/**
 * The checks serve runs as it starts, in the background and bounded: the model key (listing the models, no
 * completion), the access_token (AppID, AppSecret, IP白名单) and ffmpeg when voice needs it. A failure is a warning
 * line: serve never refuses to start over a remote check (`npx wechat-gpt doctor` checks everything).
 */
import type { Check } from '../../doctor/types.js';
import type { LoadedConfig } from '../load-config.js';
import type { CliLogger } from '../logger.js';

/** Each check's limit: long enough for a healthy API across the world, short enough to be about the start. */
export const STARTUP_CHECK_TIMEOUT_MS = 3000;

/** Runs the checks; resolves when every one has reported (within the limit). Never rejects. */
export async function warnAboutSetup(
  { config }: LoadedConfig,
  logger: CliLogger,
  timeoutMs = STARTUP_CHECK_TIMEOUT_MS,
): Promise<void> {
  const { llm, wechat, media } = config;
  const pushes = Boolean(wechat.appId && wechat.appSecret);
  // Only what this configuration uses: without a key serve has already said so, without an AppSecret there is no
  // token to fetch and no voice to download for ffmpeg. Nothing to check: nothing loaded.
  const wanted = { model: Boolean(llm.apiKey), wechatApi: pushes, ffmpeg: media.transcribeVoice && pushes };
  if (!wanted.model && !wanted.wechatApi && !wanted.ffmpeg) return;
  try {
    const [{ modelCheck }, { wechatApiCheck }, { ffmpegCheck }, { runChecks }] = await Promise.all([
      import('../../doctor/model.js'),
      import('../../doctor/wechat-api.js'),
      import('../../doctor/ffmpeg.js'),
      import('../../doctor/run.js'),
    ]);
    const checks: Check[] = [];
    if (wanted.ffmpeg) checks.push(ffmpegCheck({ path: media.ffmpegPath, needed: true }));
    if (wanted.model) {
      checks.push(
        modelCheck({ apiKey: llm.apiKey, baseUrl: llm.baseUrl, model: llm.model, completion: false, timeoutMs }),
      );
    }
    if (wanted.wechatApi) checks.push(wechatApiCheck({ ...wechat, timeoutMs }));
    for (const result of await runChecks(checks, { timeoutMs })) {
      if (result.status !== 'fail') continue;
      logger.warn(`${result.id}: ${result.summary}.${result.hint ? ` ${result.hint.split('\n').join(' ')}` : ''}`);
    }
  } catch (error) {
    logger.debug(`the start-up checks failed: ${(error as Error).message}`);
  }
}
