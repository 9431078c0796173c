/** doctor's ffmpeg check: the binary runs and says its version. Needed only to transcribe voice without WeChat's Recognition. */
import { execFile } from 'node:child_process';
import { type Check, fail, ok, skip } from './types.js';

export interface FfmpegCheckOptions {
  /** media.ffmpegPath. */
  path: string;
  /** Whether voice would be converted: media.transcribeVoice with an AppID and AppSecret to download it. */
  needed: boolean;
}

export function ffmpegCheck({ path, needed }: FfmpegCheckOptions): Check {
  return {
    id: 'ffmpeg',
    async run(signal) {
      const version = await ffmpegVersion(path, signal);
      if (version !== undefined) return ok(`${path} runs (${version || 'version unknown'})`);
      const missing = `${path} does not run here`;
      if (!needed) {
        return skip(`${missing}; only needed to transcribe voice without WeChat's Recognition`);
      }
      return fail(
        `${missing}: voice messages without WeChat's Recognition cannot be transcribed`,
        'Install ffmpeg (apt-get install ffmpeg, brew install ffmpeg) or set media.ffmpegPath; or turn on 接收语音识别结果 in 公众平台.',
      );
    },
  };
}

/** `5.1.6-0+deb12u1` from `ffmpeg version 5.1.6-0+deb12u1 Copyright…`; '' when it runs but says no version; undefined when it does not run. */
function ffmpegVersion(path: string, signal: AbortSignal): Promise<string | undefined> {
  return new Promise((resolve) => {
    execFile(path, ['-hide_banner', '-version'], { signal }, (error, stdout) => {
      if (error) return resolve(undefined);
      resolve(/^ffmpeg version (\S+)/m.exec(stdout)?.[1] ?? '');
    });
  });
}
