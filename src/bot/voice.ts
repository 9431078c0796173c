/** Voice without WeChat's Recognition: download the media, convert it with ffmpeg, transcribe it with the model. */
import type { Logger, ResolvedConfig } from '../config.js';
import type { LlmClient } from '../llm/types.js';
import type { WechatApi } from '../wechat-api/types.js';
import { convertToWav, ffmpegAvailable } from './ffmpeg.js';

export interface VoiceDependencies {
  config: ResolvedConfig;
  llm: LlmClient;
  wechatApi: WechatApi | undefined;
  logger: Logger;
}

export type Transcription = { ok: true; text: string } | { ok: false; reason: 'unavailable' | 'failed' };

export function createVoiceTranscriber({ config, llm, wechatApi, logger }: VoiceDependencies) {
  /** Whether voice can be transcribed here at all (AppSecret, ffmpeg, a configured model). */
  async function canTranscribe(): Promise<boolean> {
    if (!config.media.transcribeVoice || !wechatApi || !llm.configured) return false;
    return ffmpegAvailable(config.media.ffmpegPath);
  }

  return async function transcribeVoice(mediaId: string): Promise<Transcription> {
    if (!(await canTranscribe())) return { ok: false, reason: 'unavailable' };
    try {
      const media = await wechatApi!.downloadMedia(mediaId);
      const wav = await convertToWav(media.data, { path: config.media.ffmpegPath });
      const text = (
        await llm.transcribe({ audio: wav, filename: 'voice.wav', model: config.llm.transcriptionModel })
      ).trim();
      if (!text) return { ok: false, reason: 'failed' };
      return { ok: true, text };
    } catch (error) {
      const err = error as { message?: string; code?: string; hint?: string };
      logger.warn({ mediaId, err: err.message, code: err.code, hint: err.hint }, 'voice transcription failed');
      return { ok: false, reason: 'failed' };
    }
  };
}

export type TranscribeVoice = ReturnType<typeof createVoiceTranscriber>;
