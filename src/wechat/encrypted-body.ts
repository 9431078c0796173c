/** Finds the <Encrypt> of a 安全模式 or 兼容模式 request body, before any decryption. */
import { flattenElement, parseXmlDocument } from './xml.js';

export interface EncryptedBody {
  /** The <Encrypt> text exactly as sent (msg_signature covers it byte for byte). */
  encrypt: string;
  toUser?: string;
  /** 兼容模式 sends the plaintext fields too; they are here when present. */
  plain?: Record<string, string>;
}

/** The <Encrypt> of a 安全模式/兼容模式 body, or undefined when the body is plain. Throws ProtocolError only. */
export function extractEncrypted(xml: string): EncryptedBody | undefined {
  const root = parseXmlDocument(xml);
  const encrypt = root.children.find((child) => child.name === 'Encrypt')?.text;
  if (encrypt === undefined) return undefined;
  const toUser = root.children.find((child) => child.name === 'ToUserName')?.text;
  const fields = flattenElement(root);
  delete fields.Encrypt;
  const plainNames = Object.keys(fields).filter((name) => name !== 'ToUserName');
  return {
    encrypt,
    ...(toUser === undefined ? {} : { toUser }),
    ...(plainNames.length > 0 ? { plain: fields } : {}),
  };
}
