/** GET /healthz: whether the store answers and how the model is configured (never the key itself). */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Bot } from '../bot/bot.js';
import type { ResolvedConfig } from '../config.js';
import type { LlmClient } from '../llm/types.js';
import type { Store } from '../store/types.js';

export interface HealthReport {
  status: 'ok' | 'degraded';
  store: { kind: string; ok: boolean; error?: string };
  llm: { configured: boolean; baseUrl: string; model: string };
  mode: 'plain' | 'safe';
  /** How late answers reach users now (active turns passive after a 48001). */
  delivery: 'passive' | 'active';
  inFlight: number;
  uptimeSec: number;
}

export function createHealthHandler({
  config,
  store,
  llm,
  bot,
}: {
  config: ResolvedConfig;
  store: Store;
  llm: LlmClient;
  bot: Bot;
}) {
  const startedAt = Date.now();
  return async function healthz(_req: IncomingMessage, res: ServerResponse): Promise<void> {
    let storeStatus: HealthReport['store'] = { kind: store.kind, ok: true };
    try {
      await store.ping();
    } catch (error) {
      storeStatus = { kind: store.kind, ok: false, error: (error as Error).message };
    }
    const report: HealthReport = {
      status: storeStatus.ok ? 'ok' : 'degraded',
      store: storeStatus,
      llm: { configured: llm.configured, baseUrl: llm.baseUrl, model: config.llm.model },
      mode: config.wechat.encodingAesKey ? 'safe' : 'plain',
      delivery: bot.deliveryMode(),
      inFlight: bot.inFlight,
      uptimeSec: Math.round((Date.now() - startedAt) / 1000),
    };
    const body = JSON.stringify(report);
    res.writeHead(storeStatus.ok ? 200 : 503, { 'Content-Type': 'application/json; charset=utf-8' });
    res.end(body);
  };
}
