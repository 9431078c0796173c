/** The `access` and `quotas` settings: who may reach the model, and how much of it each user gets per day. */
import * as z from 'zod';

const openids = (description: string) => z.array(z.string().trim().min(1)).default([]).meta({ description });

export const accessSchema = z
  .strictObject({
    admins: openids('Openids exempt from quotas and from the lists below.'),
    blocked: openids('Openids whose questions never reach the model (they get texts.accessBlocked).'),
    allowed: openids(
      'When not empty, only these openids (and admins) reach the model; others get texts.accessNotAllowed.',
    ),
  })
  .meta({ description: 'Who may ask the model. Commands, keyword rules and events answer everyone.' });

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-CA', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

export const quotasSchema = z
  .strictObject({
    messagesPerDay: z.int().min(0).default(0).meta({
      description: 'Questions to the model per user per day; 0: no limit. Over it: texts.quotaMessages.',
    }),
    tokensPerDay: z.int().min(0).default(0).meta({
      description:
        'Model tokens (prompt + answer, as the model reports them) per user per day; 0: no limit. Over it: texts.quotaTokens.',
    }),
    timeZone: z
      .string()
      .default('Asia/Shanghai')
      .refine(isTimeZone, { message: 'is not a time zone Intl knows' })
      .meta({ description: 'The day resets at midnight here (an IANA name such as Asia/Shanghai or UTC).' }),
  })
  .meta({ description: 'Daily limits per user, counted in the store (shared by every instance on one Redis).' });
