/** Builds dist/ once before the browser tests: they spawn the real CLI (bin/wechat-gpt.js → dist/). */
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], {
    stdio: 'inherit',
  });
}
