/** ffmpeg as a converter: WeChat's AMR/Speex voice to a WAV the transcription endpoint accepts. */
import { spawn } from 'node:child_process';

export interface FfmpegOptions {
  /** The binary (default `ffmpeg` on PATH). */
  path: string;
  /** Give up after this long (default 20 s). */
  timeoutMs?: number;
}

const available = new Map<string, Promise<boolean>>();

/** Whether `path -version` runs. Asked once per path. */
export function ffmpegAvailable(path: string): Promise<boolean> {
  let known = available.get(path);
  if (!known) {
    known = new Promise<boolean>((resolve) => {
      const child = spawn(path, ['-hide_banner', '-version'], { stdio: 'ignore' });
      child.once('error', () => resolve(false));
      child.once('close', (code) => resolve(code === 0));
    });
    available.set(path, known);
  }
  return known;
}

/** Converts any audio ffmpeg can read to 16 kHz mono WAV. Rejects with ffmpeg's own words when it fails. */
export function convertToWav(audio: Buffer, { path, timeoutMs = 20_000 }: FfmpegOptions): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const args = [
      '-hide_banner',
      '-loglevel',
      'error',
      '-i',
      'pipe:0',
      '-ac',
      '1',
      '-ar',
      '16000',
      '-f',
      'wav',
      'pipe:1',
    ];
    const child = spawn(path, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    let stderr = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 2000) stderr += chunk.toString('utf8');
    });
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const wav = Buffer.concat(out);
      if (code === 0 && wav.length > 44) resolve(wav);
      else reject(new Error(`ffmpeg failed (${signal ?? `exit ${code}`}): ${stderr.trim() || 'no output'}`));
    });
    child.stdin.on('error', () => {}); // ffmpeg may exit before reading everything; 'close' reports it.
    child.stdin.end(audio);
  });
}
