/** The scenario `wechat-gpt init` writes: it passes against the starter configuration, without a model key. */

export const EXAMPLE_SCENARIO_PATH = 'scenarios/example.yaml';

export const EXAMPLE_SCENARIO = `# A conversation scenario. \`npx wechat-gpt test\` sends each step the way WeChat does (signed, dropped after
# 5 s and retried, 3 attempts) to the bot of this folder and checks what the user sees. Format: README, wechat-gpt test.
name: 关注、关键词与慢回答
steps:
  - event: subscribe
    expect: { contains: 感谢关注 }

  - send: 联系我们                # the keyword rule of wechat-gpt.config.json
    expect: { contains: 工作时间, type: text }

  - send: 你好
    model: { say: 你好！有什么可以帮你？ }      # a scripted model answer: no API key, no cost
    expect: { equals: 你好！有什么可以帮你？, attempt: 1 }

  - send: 慢慢想：生命的意义是什么？
    model: { say: 答案是 42。, delayMs: 7000 }   # slower than WeChat's 5 s: the answer comes on its retry
    expect: { equals: 答案是 42。, attempt: 2 }
`;
