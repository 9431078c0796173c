/** A scenario step → the message WeChat would send for it, and the text that finds its model call (the probe). */
import { randomBytes } from 'node:crypto';
import type { SimulatedMessage } from '../simulator/message.js';
import { KNOWN_CITIES, resolvePlace } from '../simulator/places.js';
import type { MessageStep } from './schema.js';

export interface StepMessage {
  message: SimulatedMessage;
  /** Text that the model request for this message contains (what the user said), when there is any. */
  probe?: string;
  /** One line for the report: `send 价格`, `event CLICK MENU_HELP`. */
  label: string;
}

/** A MediaId looks like WeChat's: 64 URL-safe characters. */
const mediaId = () => randomBytes(48).toString('base64url');

export function stepMessage(step: MessageStep, addressing: { fromUser: string; toUser: string }): StepMessage {
  const name = (label: string) => step.name ?? label;
  if ('send' in step) {
    return {
      message: { ...addressing, type: 'text', content: step.send },
      probe: step.send,
      label: name(`send ${step.send}`),
    };
  }
  if ('event' in step) return eventMessage(step, addressing, name);
  if ('image' in step) {
    return {
      message: { ...addressing, type: 'image', picUrl: step.image, mediaId: mediaId() },
      probe: step.image,
      label: name(`image ${step.image}`),
    };
  }
  if ('voice' in step) {
    const recognition = typeof step.voice === 'string' ? step.voice : step.voice.recognition;
    return {
      message: {
        ...addressing,
        type: 'voice',
        mediaId: mediaId(),
        format: 'amr',
        ...(recognition ? { recognition } : {}),
      },
      ...(recognition ? { probe: recognition } : {}),
      label: name(`voice ${recognition ?? '(no recognition)'}`),
    };
  }
  if ('location' in step) {
    const place = typeof step.location === 'string' ? resolvePlace(step.location) : { label: '', ...step.location };
    if (!place) {
      // The schema accepts any text; an unknown city is caught here, before anything is sent (see checkSteps).
      throw new Error(`unknown place "${String(step.location)}"`);
    }
    return {
      message: {
        ...addressing,
        type: 'location',
        latitude: place.latitude,
        longitude: place.longitude,
        scale: 15,
        label: place.label,
      },
      ...(place.label ? { probe: place.label } : {}),
      label: name(`location ${place.label || `${place.latitude},${place.longitude}`}`),
    };
  }
  const link = typeof step.link === 'string' ? { url: step.link } : step.link;
  const title = link.title ?? link.url;
  return {
    message: { ...addressing, type: 'link', title, description: link.description ?? '', url: link.url },
    probe: title,
    label: name(`link ${link.url}`),
  };
}

/** Problems a step has that the schema cannot see (an unknown city); each a sentence. */
export function stepProblem(step: MessageStep): string | undefined {
  if ('location' in step && typeof step.location === 'string' && !resolvePlace(step.location)) {
    return `location: unknown place "${step.location}"; write "lat,lng label" or a city: ${KNOWN_CITIES.join(' ')}`;
  }
  return undefined;
}

function eventMessage(
  step: Extract<MessageStep, { event: string }>,
  addressing: { fromUser: string; toUser: string },
  name: (label: string) => string,
): StepMessage {
  const base = { ...addressing, type: 'event' as const };
  const key = step.key;
  const label = name(`event ${step.event}${key ? ` ${key}` : ''}`);
  const ticket = () => `gQ${mediaId().slice(0, 30)}`;
  switch (step.event.toLowerCase()) {
    case 'subscribe':
      return { message: { ...base, event: 'subscribe', ...(key ? { scene: key, ticket: ticket() } : {}) }, label };
    case 'unsubscribe':
      return { message: { ...base, event: 'unsubscribe' }, label };
    case 'scan':
      return { message: { ...base, event: 'SCAN', scene: key ?? '', ticket: ticket() }, label };
    case 'click':
      return { message: { ...base, event: 'CLICK', key: key ?? '' }, ...(key ? { probe: key } : {}), label };
    case 'view':
      return { message: { ...base, event: 'VIEW', url: key ?? '' }, label };
    case 'location':
      return {
        message: { ...base, event: 'LOCATION', latitude: 39.908823, longitude: 116.39747, precision: 30 },
        label,
      };
    default:
      return {
        message: { ...base, event: 'other', name: step.event, raw: key === undefined ? {} : { EventKey: key } },
        label,
      };
  }
}
