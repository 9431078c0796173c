// Values global-setup.ts hands to the tests through inject().
import 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    redisUrl: string;
    redisPort: number;
  }
}
