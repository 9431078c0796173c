/**
 * What the user typed, as the command words and keyword rules compare it: trimmed and lowercased at most once per
 * message. (A Chinese text's toLowerCase goes through ICU; it used to run once per command word and once per rule.)
 */
export class Said {
  readonly text: string;
  private trimmedText: string | undefined;
  private lowerText: string | undefined;

  constructor(text: string) {
    this.text = text;
  }

  /** The text without surrounding whitespace. */
  get trimmed(): string {
    if (this.trimmedText === undefined) this.trimmedText = this.text.trim();
    return this.trimmedText;
  }

  /** Trimmed and lowercased: what command words and exact rules are compared with. */
  get lower(): string {
    if (this.lowerText === undefined) this.lowerText = this.trimmed.toLowerCase();
    return this.lowerText;
  }
}

/** A list of command words (any case), compiled once: is the message exactly one of them? */
export function commandWords(words: readonly string[]): (said: Said) => boolean {
  const wanted = new Set(words.map((word) => word.toLowerCase()));
  return (said) => wanted.has(said.lower);
}
