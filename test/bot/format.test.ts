/** Markdown answers turned into plain text for a WeChat bubble. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { convertMarkdown, toWechatText } from '../../src/bot/format.js';

describe('toWechatText', () => {
  it('turns a realistic Chinese answer into readable plain text', () => {
    const markdown = [
      '# Python 入门指南',
      '',
      'Python 是一种**简单易学**的编程语言，适合*初学者*。详见[官方文档](https://docs.python.org/zh-cn/3/)。',
      '',
      '## 安装步骤',
      '',
      '1. 下载安装包',
      '2. 运行 `python --version` 检查',
      '   - 子项 a_b_c',
      '   - [x] 已完成',
      '',
      '> 提示：记得把 Python 加入 **PATH**。',
      '> 第二行',
      '',
      '```python',
      'def hello(name):',
      '    print(f"你好，{name}")  # **不是粗体**',
      '```',
      '',
      '| 版本 | 发布年份 |',
      '|------|:--------:|',
      '| 3.12 | 2023 |',
      '',
      '---',
      '',
      '![示意图](https://example.com/a_b.png)',
      '',
      '',
      '',
      '祝你学习愉快！',
    ].join('\n');
    expect(toWechatText(markdown)).toBe(
      [
        '【Python 入门指南】',
        '',
        'Python 是一种简单易学的编程语言，适合初学者。详见官方文档 (https://docs.python.org/zh-cn/3/)。',
        '',
        '【安装步骤】',
        '',
        '1. 下载安装包',
        '2. 运行 python --version 检查',
        '   • 子项 a_b_c',
        '   ☑ 已完成',
        '',
        '「提示：记得把 Python 加入 PATH。',
        '第二行」',
        '',
        '  def hello(name):',
        '      print(f"你好，{name}")  # **不是粗体**',
        '',
        '版本 | 发布年份',
        '3.12 | 2023',
        '',
        'https://example.com/a_b.png',
        '',
        '祝你学习愉快！',
      ].join('\n'),
    );
  });

  it.each([
    ['# 一级', '【一级】'],
    ['## 二级 ##', '【二级】'],
    ['### 三级', '三级'],
    ['###### **六级**', '六级'],
    ['标题\n===', '【标题】'],
    ['副标题\n---', '【副标题】'],
    ['#话题标签', '#话题标签'],
  ])('heading %j', (input, expected) => {
    expect(toWechatText(input)).toBe(expected);
  });

  it.each([
    ['**粗体**和__粗体__', '粗体和粗体'],
    ['*斜体*和_斜体_', '斜体和斜体'],
    ['***粗斜体***', '粗斜体'],
    ['~~删除~~', '删除'],
    ['用 `npm i` 安装', '用 npm i 安装'],
    ['``含有 ` 的代码``', '含有 ` 的代码'],
    ['`**不处理**`', '**不处理**'],
    ['snake_case_name 和 2 * 3 * 4', 'snake_case_name 和 2 * 3 * 4'],
    ['转义 \\*星号\\* 和 \\_下划线\\_', '转义 *星号* 和 _下划线_'],
    ['第一行<br>第二行', '第一行\n第二行'],
  ])('inline %j', (input, expected) => {
    expect(toWechatText(input)).toBe(expected);
  });

  it.each([
    ['[官网](https://example.com)', '官网 (https://example.com)'],
    ['[文档](https://example.com/a_b_c "标题")', '文档 (https://example.com/a_b_c)'],
    ['[https://example.com](https://example.com)', 'https://example.com'],
    ['<https://example.com/x_y_z>', 'https://example.com/x_y_z'],
    ['访问 https://example.com/__init__/_x_ 即可', '访问 https://example.com/__init__/_x_ 即可'],
    ['![图](https://img.example/cat.png)', 'https://img.example/cat.png'],
    ['[**粗体链接**](https://a.example)', '粗体链接 (https://a.example)'],
  ])('link %j', (input, expected) => {
    expect(toWechatText(input)).toBe(expected);
  });

  it('lists: bullets, nesting, task items and numbers', () => {
    expect(toWechatText('- 一\n* 二\n+ 三\n  - 嵌套\n\t- 制表符\n- [ ] 待办\n- [X] 完成\n1. 第一\n2) 第二')).toBe(
      '• 一\n• 二\n• 三\n  • 嵌套\n  • 制表符\n☐ 待办\n☑ 完成\n1. 第一\n2. 第二',
    );
  });

  it('code blocks: fences gone, content indented and untouched, ~~~ too, an unclosed fence runs to the end', () => {
    expect(toWechatText('前\n\n```js\nconst a = `x`; // **b**\n  indented\n```\n\n后')).toBe(
      '前\n\n  const a = `x`; // **b**\n    indented\n\n后',
    );
    expect(toWechatText('~~~\n# 不是标题\n- 不是列表\n~~~')).toBe('  # 不是标题\n  - 不是列表');
    expect(toWechatText('```\n未闭合的代码')).toBe('  未闭合的代码');
  });

  it('tables become one line per row, with cell markup removed and escaped pipes kept', () => {
    const table = '| 名称 | 说明 |\n| :--- | ---: |\n| **ls** | 列出文件 |\n| `a\\|b` | 管道 |\n\n之后';
    expect(toWechatText(table)).toBe('名称 | 说明\nls | 列出文件\na|b | 管道\n\n之后');
    expect(toWechatText('a | b\n--|--\n1 | 2')).toBe('a | b\n1 | 2');
  });

  it('a line with a pipe but no separator row is just text', () => {
    expect(toWechatText('选项 A | 选项 B')).toBe('选项 A | 选项 B');
  });

  it('blockquotes lose their markers and are wrapped in 「」, nested and with lists', () => {
    expect(toWechatText('> 引用')).toBe('「引用」');
    expect(toWechatText('> 外层\n> > 内层')).toBe('「外层\n「内层」」');
    expect(toWechatText('> - 一\n> - 二')).toBe('「• 一\n• 二」');
  });

  it('drops horizontal rules, collapses blank lines, trims, and accepts CRLF', () => {
    expect(toWechatText('\n\n  上\r\n\r\n***\r\n\r\n\r\n\r\n下   \n\n')).toBe('上\n\n下');
    expect(toWechatText('a\n\n___\n\nb')).toBe('a\n\nb');
  });

  it('leaves plain text alone', () => {
    const plain = '你好！今天天气不错，适合出去走走。\n\n有什么我可以帮你的吗？';
    expect(toWechatText(plain)).toBe(plain);
  });
});

describe('toWechatText on text without markup', () => {
  it('agrees with running every rule, on any text', () => {
    const piece = fc.constantFrom(
      ...['你好', 'a', ' ', '  ', '\n', '\n\n\n', '\u3000', '。', '1', '1.', '2)', 'x', ':', '//', '!', '(', ')', '@'],
      ...['*', '**', '_', '#', '- ', '> ', '|', '`', '~~', '[a](b)', '<', 'http://a.b', '\t', '\r', '=', '+', '\\'],
    );
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }), (parts) => {
        const text = parts.join('');
        expect(toWechatText(text)).toBe(convertMarkdown(text));
      }),
      { seed: 20261130, numRuns: 3000 },
    );
  });
});
