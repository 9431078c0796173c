/** The account every benchmark plays: credentials of the right shapes (never real ones) and the keyword rule. */
export const BENCH_WECHAT = {
  token: 'benchToken2024',
  encodingAesKey: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
  appId: 'wxbench0123456789',
} as const;

export const ACCOUNT = 'gh_bench0123456';
export const KEYWORD = '价格';
export const KEYWORD_ANSWER = '基础版 99 元/月，专业版 299 元/月。回复「帮助」查看更多。';
