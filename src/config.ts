/** The one typed configuration object (src/config/): what users pass to createWechatGpt, its defaults, its checks. */
export * from './config/index.js';
