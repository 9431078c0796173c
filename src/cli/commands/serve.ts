/** `wechat-gpt serve`: runs the webhook (and a tunnel). Placeholder until the library's server lands. */
import { Command } from 'commander';
import type { CliContext } from '../context.js';
import { addConfigOptions } from '../options.js';
import { comingSoon } from './placeholders.js';

export function serveCommand(_ctx: CliContext): Command {
  const command = new Command('serve').description('run the webhook, with an ngrok tunnel when NGROK_AUTHTOKEN is set');
  addConfigOptions(command);
  return command
    .addHelpText(
      'after',
      `
Examples:
  $ npx wechat-gpt serve
  $ npx wechat-gpt serve --port 8080 --no-tunnel --public-url https://bot.example.com
  $ NGROK_DOMAIN=example.ngrok-free.app npx wechat-gpt serve`,
    )
    .action(() => comingSoon('serve'));
}
