/** The building blocks of the schema: the metadata each setting may carry, and fields several settings share. */
import * as z from 'zod';

declare module 'zod' {
  interface GlobalMeta {
    /** The environment variable (also read from .env). */
    env?: string;
    /** The commander flag, e.g. `--port <number>`. Secrets never get one: flags show up in `ps`. */
    flag?: string;
    /** A shorter text for the flag in a command's --help. */
    flagHelp?: string;
    /** Masked in every output; read from the environment and .env (a warning when it sits in the config file). */
    secret?: boolean;
    /** The placeholder value in the .env that `init` writes. */
    example?: string;
    /** What to do when the value is refused. */
    hint?: string;
  }
}

export const SERVER_CONFIG = '公众平台 → 开发 → 基本配置 → 服务器配置';
export const BASIC_CONFIG = '公众平台 → 开发 → 基本配置';

/** A check with a message computed from the value (the key validators say precisely what is wrong). */
export function checked(problemOf: (value: string) => string | undefined) {
  return z.string().superRefine((value, ctx) => {
    const problem = problemOf(value);
    if (problem) ctx.addIssue({ code: 'custom', message: problem, input: value });
  });
}

export const httpUrl = () =>
  z.url({ protocol: /^https?$/, error: 'must be a full http(s) URL' }).transform((url) => url.replace(/\/+$/, ''));

export const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)+$/i;

export const ms = (fallback: number, min: number, description: string) =>
  z
    .int()
    .min(min)
    .default(fallback)
    .meta({ description: `${description} (ms).` });
