/** `wechat-gpt verify`: checks a deployed webhook the way 服务器配置 does. Placeholder until it lands. */
import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { comingSoon } from './placeholders.js';

export function verifyCommand(_ctx: CliContext): Command {
  return new Command('verify')
    .description('check a webhook URL the way 服务器配置 does (signature, echostr)')
    .action(() => comingSoon('verify'));
}
