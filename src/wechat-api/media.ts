/** Reading a temporary-media download: binary on success, a JSON errcode body on failure (told apart by Content-Type). */
import { unreachableError } from './errors.js';
import { parseJson, throwIfErrcode } from './http.js';
import type { Redactor } from './redact.js';
import type { DownloadedMedia } from './types.js';

const EXTENSIONS: Record<string, string> = {
  'image/jpeg': 'jpg',
  'image/png': 'png',
  'image/gif': 'gif',
  'audio/amr': 'amr',
  'audio/mpeg': 'mp3',
  'audio/mp3': 'mp3',
  'voice/speex': 'speex',
  'video/mp4': 'mp4',
};

/** Error bodies are small; anything bigger that looks like JSON is still media. */
const ERROR_BODY_MAX = 4096;

export interface MediaReadOptions {
  mediaId: string;
  maxBytes: number;
  redactor: Redactor;
  /** Video media answers with `{video_url}`: the file itself is fetched from there. */
  fetch: typeof globalThis.fetch;
}

export function readMedia({ mediaId, maxBytes, redactor, fetch }: MediaReadOptions) {
  return async function readMediaAnswer(
    response: Response,
    signal: AbortSignal,
    followed = false,
  ): Promise<DownloadedMedia> {
    const contentType = (response.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    const declared = Number(response.headers.get('content-length') ?? Number.NaN);
    if (declared > maxBytes) throw tooLarge(mediaId, declared, maxBytes);
    const data = Buffer.from(await response.arrayBuffer());
    if (data.length > maxBytes) throw tooLarge(mediaId, data.length, maxBytes);

    // WeChat labels error bodies application/json or text/plain; a mislabelled one is caught by its shape.
    const textual = contentType === 'application/json' || contentType.startsWith('text/');
    const answer =
      textual || (data.length <= ERROR_BODY_MAX && data[0] === 0x7b) ? parseJson(data.toString('utf8')) : undefined;
    if (answer) {
      throwIfErrcode(answer, redactor);
      if (typeof answer.video_url === 'string' && !followed) {
        return readMediaAnswer(await fetch(answer.video_url, { signal }), signal, true);
      }
      if (textual) throw unreachableError(`The WeChat API answered media ${mediaId} with JSON but no media.`);
    } else if (textual) {
      throw unreachableError(
        `The WeChat API answered media ${mediaId} with ${contentType}: ${redactor.redact(data.toString('utf8', 0, 120))}`,
      );
    }
    if (!response.ok) throw unreachableError(`The WeChat API answered media ${mediaId} with HTTP ${response.status}.`);

    const type = contentType || 'application/octet-stream';
    return {
      data,
      contentType: type,
      filename: filenameFrom(response.headers.get('content-disposition'), mediaId, type),
    };
  };
}

function filenameFrom(disposition: string | null, mediaId: string, contentType: string): string {
  const encoded = /filename\*\s*=\s*(?:UTF-8|utf-8)''([^;]+)/.exec(disposition ?? '')?.[1];
  if (encoded) {
    try {
      return safeName(decodeURIComponent(encoded));
    } catch {
      // A malformed percent-encoding: fall through to the plain name.
    }
  }
  const plain = /filename\s*=\s*"?([^";]+)"?/.exec(disposition ?? '')?.[1];
  if (plain) return safeName(plain);
  return `${mediaId}.${EXTENSIONS[contentType] ?? 'bin'}`;
}

/** A name, never a path: the caller may write it to disk. */
function safeName(name: string): string {
  return name.trim().replace(/^.*[\\/]/, '') || 'media';
}

function tooLarge(mediaId: string, bytes: number, maxBytes: number) {
  return unreachableError(`Media ${mediaId} is ${bytes} bytes, over the ${maxBytes}-byte limit.`, {
    hint: 'Raise maxMediaBytes if such files are expected (WeChat media: images ≤ 10 MB, voice ≤ 2 MB, video ≤ 10 MB).',
  });
}
