/** Turns messages the model cannot see directly (location, link) into text it can answer. */
import type { LinkMessage, LocationMessage } from '../wechat/types.js';

export function describeLocation(message: LocationMessage): string {
  const place = message.label ? `「${message.label}」` : '';
  return `[用户发送了一个位置] ${place}（纬度 ${message.latitude}，经度 ${message.longitude}）。请根据这个位置回应用户。`;
}

export function describeLink(message: LinkMessage): string {
  const parts = [`[用户分享了一个链接] 标题：${message.title}`];
  if (message.description) parts.push(`摘要：${message.description}`);
  parts.push(`网址：${message.url}`);
  parts.push('请根据标题和摘要回应用户（你无法打开链接）。');
  return parts.join('\n');
}
