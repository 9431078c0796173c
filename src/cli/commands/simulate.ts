/** `wechat-gpt simulate`: plays WeChat against a webhook. Placeholder until the simulator lands. */
import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { comingSoon } from './placeholders.js';

export function simulateCommand(_ctx: CliContext): Command {
  return new Command('simulate')
    .description('play WeChat locally: send messages to the webhook the way WeChat does')
    .action(() => comingSoon('simulate'));
}
