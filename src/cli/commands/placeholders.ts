/** Commands whose library parts are still being built: they show their shape in --help and say so when run. */
import { WechatGptError } from '../../errors.js';

export function comingSoon(name: string): never {
  throw new WechatGptError('NOT_IMPLEMENTED', `\`wechat-gpt ${name}\` is coming soon.`, {
    hint: 'Use `npx wechat-gpt init` and `npx wechat-gpt config` meanwhile.',
  });
}
