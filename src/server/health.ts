/**
 * GET /healthz: whether the store answers, how late answers are delivered and how the model is configured (never the
 * key itself). ok: everything works (200); degraded: answers still arrive but the store is down (503) or pushing does
 * not work now and users fetch answers with 「继续」 (200). No answer at all is "down" (README: Metrics, health and logs).
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Bot } from '../bot/bot.js';
import type { DeliveryState } from '../bot/delivery.js';
import type { ResolvedConfig } from '../config.js';
import type { LlmClient } from '../llm/types.js';
import type { Store } from '../store/types.js';

export interface HealthReport {
  status: 'ok' | 'degraded';
  store: { kind: string; ok: boolean; error?: string };
  llm: { configured: boolean; baseUrl: string; model: string };
  mode: 'plain' | 'safe';
  /** How late answers reach users now (active turns passive after a 48001, or while the API cannot be used). */
  delivery: 'passive' | 'active';
  /** Why delivery is not what was configured, when it is not. */
  deliveryState: DeliveryState;
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
    const deliveryState = bot.deliveryState();
    const report: HealthReport = {
      status: storeStatus.ok && deliveryState.mode !== 'degraded' ? 'ok' : 'degraded',
      store: storeStatus,
      llm: { configured: llm.configured, baseUrl: llm.baseUrl, model: config.llm.model },
      mode: config.wechat.encodingAesKey ? 'safe' : 'plain',
      delivery: bot.deliveryMode(),
      deliveryState,
      inFlight: bot.inFlight,
      uptimeSec: Math.round((Date.now() - startedAt) / 1000),
    };
    const body = JSON.stringify(report);
    res.writeHead(storeStatus.ok ? 200 : 503, { 'Content-Type': 'application/json; charset=utf-8' });
    res.end(body);
  };
}
