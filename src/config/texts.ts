/** The built-in words: what the bot says to WeChat users, the command words, and the default system prompt. */

export const defaultTexts = {
  welcome: '感谢关注！我是 AI 助手，直接发消息就可以和我聊天。\n回复「帮助」查看可用指令。',
  help: '直接发送文字、图片或语音即可提问。\n指令：\n· 继续 —— 获取未发完的回答\n· 清除记忆 —— 开始新的对话\n· 帮助 —— 显示本说明',
  thinking: '正在思考中…回复「继续」获取回答',
  morePages: '\n\n（回复「继续」查看剩余 ({next}/{pages})）',
  nothingPending: '没有待发送的回答了，直接提问吧～',
  reset: '好的，已清除记忆，我们重新开始吧。',
  notConfigured: '机器人尚未配置 AI 模型（缺少 OPENAI_API_KEY），暂时无法回答问题。请联系管理员。',
  voiceNeedsRecognition:
    '暂时无法识别语音。请管理员在公众平台「开发 → 接口权限」中开启「接收语音识别结果」，或者直接发文字给我。',
  video: '收到你的视频啦，不过我暂时看不了视频，可以用文字描述一下吗？',
  unsupported: '暂不支持这种消息，发文字给我试试吧。',
  rateLimited: '你发消息太快啦，请稍等一会儿再试。',
  busy: '现在提问的人太多了，请稍后再试。',
  llmErrors: {
    timeout: '抱歉，AI 模型响应超时了，请稍后再试。',
    auth: '抱歉，AI 模型的密钥无效或已过期，请联系管理员检查配置。',
    rate_limit: '抱歉，AI 模型当前请求过多（限流），请稍后再试。',
    server: '抱歉，AI 模型服务暂时出错了，请稍后再试。',
    connection: '抱歉，暂时连接不上 AI 模型服务，请稍后再试。',
    stream: '抱歉，AI 模型的回答中断了，请再问一次。',
    bad_request: '抱歉，AI 模型无法处理这个请求，换个说法试试？',
  },
  internalError: '抱歉，出了点问题，请稍后再试。',
  waitingAnswer: '你之前问的「{question}」的回答：\n\n',
  newQuestionPending: '\n\n（你的新问题还在思考中，回复「继续」获取）',
  newQuestionPushed: '\n\n（你的新问题还在思考中，想好了马上发给你）',
  storeDown: '系统繁忙（存储暂时不可用），请稍后再试。',
  imageUsage: '用法：{command} 一只在月亮上钓鱼的猫',
  imageNeedsApi: '画图功能需要公众号的 AppID 和 AppSecret（图片要先上传为素材），请联系管理员配置。',
  imageFailed: '抱歉，这张图没画出来，换个描述再试试吧。',
  voiceFailed: '抱歉，这段语音没能识别出来，请再说一次或者直接发文字给我。',
  answerLost: '抱歉，上一个问题的回答没能完成，请再问一次。',
  questionBlocked: '抱歉，这个问题涉及不适合讨论的内容，换个话题吧。',
  answerBlocked: '抱歉，这个回答包含不适合发送的内容，换个问法试试吧。',
  quotaMessages: '今天的提问次数已经用完了（每天 {limit} 次），明天再来吧～',
  quotaTokens: '今天的 AI 额度已经用完了，明天再来吧～',
  accessBlocked: '抱歉，你暂时无法使用 AI 问答。',
  accessNotAllowed: 'AI 问答目前只对受邀用户开放。',
};

/** What each text is for, shown by editors. Texts without a line here are self-explaining by name. */
export const textDescriptions: Partial<Record<keyof typeof defaultTexts, string>> = {
  welcome: 'Sent on subscribe. {scene} is replaced with the QR scene when there is one.',
  thinking: "The last attempt's answer while the model still thinks.",
  morePages: 'Appended to each page of a long answer but the last: {next} and {pages} are replaced.',
  nothingPending: 'The continue word with nothing waiting.',
  internalError: "Something of ours broke: never WeChat's error page.",
  waitingAnswer: 'Prefix of a waiting answer delivered on the next message: {question} is a short quote of it.',
  newQuestionPending: 'Appended when a new question is still being answered while a waiting one is delivered.',
  newQuestionPushed: 'The same, when the new answer will be pushed (active delivery).',
  imageUsage: 'The image command without a description: {command} is the command word.',
  imageNeedsApi: 'The image command when AppID/AppSecret are missing.',
  voiceFailed: 'A voice message whose download or transcription failed.',
  answerLost: 'The continue word, when the answer being prepared was lost.',
  questionBlocked: 'A question with a word of moderation.lists.',
  answerBlocked: 'An answer refused by moderation (moderation.answers: block).',
  quotaMessages: 'A question over quotas.messagesPerDay: {limit} is replaced.',
  quotaTokens: 'A question once the day’s quotas.tokensPerDay is used up.',
  accessBlocked: 'A question from an openid of access.blocked.',
  accessNotAllowed: 'A question from an openid not in access.allowed (when that list is not empty).',
};

export const defaultCommands = {
  reset: ['/reset', '清除记忆', '重置'],
  help: ['/help', '帮助', 'help'],
  continue: ['继续', 'more', '/more'],
  image: ['/画', '/image'],
};

export const DEFAULT_SYSTEM_PROMPT =
  '你是微信公众号里的 AI 助手。用简洁、友好的中文回答；除非用户要求，不要使用 Markdown 表格和标题。';

/** What the model is told above the passages of the knowledge base. */
export const DEFAULT_KB_INSTRUCTIONS =
  '下面是本公众号自己的资料，编号 [1]、[2]…。请只根据这些资料回答用户的问题，并在用到的句子后标注编号，如 [1]。' +
  '如果资料没有涉及这个问题，请直接说明资料中没有相关信息，不要编造。';
