/** The `moderation` settings: word lists for questions and answers, for questions and answers. */
import * as z from 'zod';

const wordListSchema = z
  .strictObject({
    name: z.string().trim().min(1).meta({ description: 'Named in logs and counts when one of its words matches.' }),
    file: z.string().trim().min(1).optional().meta({
      description:
        'A text file: one word or phrase per line, # comments, blank lines ignored (relative to the working directory).',
    }),
    words: z.array(z.string()).default([]).meta({ description: 'Words written here, added to the file’s.' }),
  })
  .meta({ description: 'One word list.' });

export const moderationSchema = z
  .strictObject({
    lists: z.array(wordListSchema).default([]).meta({
      description:
        'Word lists (敏感词), matched after folding 全角/半角, case and separators between characters (敏*感*词).',
    }),
    questions: z.enum(['block', 'off']).default('block').meta({
      description: 'block: a question (text or voice) with a listed word gets texts.questionBlocked and no model call.',
    }),
    answers: z.enum(['mask', 'block', 'off']).default('mask').meta({
      description:
        "mask: listed words in the model's answer become ＊; block: the answer is replaced with texts.answerBlocked. Checked before any page is delivered.",
    }),
  })
  .meta({ description: 'Content safety: word lists checked on questions and answers.' });
