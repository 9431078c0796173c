/** The account every benchmark plays: credentials of the right shapes (never real ones) and the keyword rule. */
export const BENCH_WECHAT = {
  token: 'benchToken2024',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  appId: 'wx0123456789abcdef',
} as const;

export const ACCOUNT = 'gh_bench0123456';
export const KEYWORD = '价格';
export const KEYWORD_ANSWER = '基础版 99 元/月，专业版 299 元/月。回复「帮助」查看更多。';
/** What the instant model answers to every question (and the bare baseline to any other text). */
export const MODEL_ANSWER = '这是一个即时模型的回答，用来测量 webhook 自身在模型路径上的开销。';
/** Any text that no keyword rule answers: it goes to the model. */
export const MODEL_QUESTION = '今天天气怎么样？';
