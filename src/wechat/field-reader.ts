/** Reads an inbound message's fields by path, typed, naming the missing or malformed field in its ProtocolError. */
import { ProtocolError } from './errors.js';
import type { XmlElement } from './xml.js';

export interface Common {
  toUser: string;
  fromUser: string;
  createTime: number;
}

const INTEGER = /^\s*\d+\s*$/;
const DECIMAL = /^\s*[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][-+]?\d+)?\s*$/;

/** Reads fields by path (`ScanCodeInfo.ScanType`) and names the missing or malformed one in its error. */
export class FieldReader {
  constructor(
    readonly root: XmlElement,
    private readonly kind: string,
  ) {}

  element(path: string): XmlElement | undefined {
    let at: XmlElement | undefined = this.root;
    for (const name of path.split('.')) at = at?.children.find((child) => child.name === name);
    return at;
  }

  optional(path: string): string | undefined {
    return this.element(path)?.text;
  }

  /** Absent and empty are the same for optional identifiers (WeChat sends `<Ticket><![CDATA[]]></Ticket>`). */
  nonEmpty(path: string): string | undefined {
    const value = this.optional(path);
    return value === undefined || value === '' ? undefined : value;
  }

  required(path: string): string {
    const value = this.optional(path);
    if (value === undefined) {
      throw new ProtocolError(
        'XML_MISSING_FIELD',
        `Missing <${path.replaceAll('.', '><')}> in a ${this.kind} message.`,
        {
          hint: 'WeChat always sends this field; check what is posting to this URL.',
        },
      );
    }
    return value;
  }

  private numeric(path: string, value: string, pattern: RegExp): number {
    if (!pattern.test(value)) {
      throw new ProtocolError(
        'XML_MALFORMED',
        `<${path}> is not a number in a ${this.kind} message: "${value.slice(0, 40)}".`,
      );
    }
    return Number(value);
  }

  integer(path: string): number {
    return this.numeric(path, this.required(path), INTEGER);
  }

  decimal(path: string): number {
    return this.numeric(path, this.required(path), DECIMAL);
  }

  optionalInteger(path: string): number | undefined {
    const value = this.nonEmpty(path);
    return value === undefined ? undefined : this.numeric(path, value, INTEGER);
  }

  optionalDecimal(path: string): number | undefined {
    const value = this.nonEmpty(path);
    return value === undefined ? undefined : this.numeric(path, value, DECIMAL);
  }

  /**
   * User messages carry MsgId (MsgID in some), kept as the exact decimal string; `{}` when absent or empty, as in
   * node-webot's and co-wechat's fixtures and some 接口调试 posts (dedupe then falls back to the message's content).
   */
  msgId(): { msgId?: string } {
    const msgId = (this.nonEmpty('MsgId') ?? this.nonEmpty('MsgID'))?.trim();
    return msgId ? { msgId } : {};
  }

  /** Mass/template job events spell it MsgID; accept either spelling. */
  jobMsgId(): string {
    return (this.optional('MsgID') ?? this.required('MsgId')).trim();
  }
}
