/**
 * Reads scenario files: YAML (one scenario per document; `---` separates several) validated by the schema. Every
 * problem names its file, line and column, so a typo is found before anything is sent.
 */
import { readFile } from 'node:fs/promises';
import { isMap, isNode, isScalar, LineCounter, type Node, parseAllDocuments } from 'yaml';
import { stepProblem } from './message.js';
import { friendlyError, type Scenario, scenarioSchema, unknownKeyMessage } from './schema.js';

export interface ScenarioProblem {
  file: string;
  line: number;
  column: number;
  message: string;
}

export interface LoadedScenario {
  scenario: Scenario;
  file: string;
  /** The line of the scenario's first key, and of each step. */
  line: number;
  stepLines: number[];
}

export type ParseResult = { ok: true; scenarios: LoadedScenario[] } | { ok: false; problems: ScenarioProblem[] };

export async function readScenarioFile(file: string, displayName = file): Promise<ParseResult> {
  let source: string;
  try {
    source = await readFile(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    return {
      ok: false,
      problems: [{ file: displayName, line: 1, column: 1, message: `cannot read the file (${reason})` }],
    };
  }
  return parseScenarios(source, displayName);
}

export function parseScenarios(source: string, file: string): ParseResult {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(source, { lineCounter, prettyErrors: false });
  const problems: ScenarioProblem[] = [];
  const scenarios: LoadedScenario[] = [];
  const at = (offset: number | undefined) => {
    const { line, col } = lineCounter.linePos(offset ?? 0);
    return { line, column: col };
  };

  for (const document of Array.isArray(documents) ? documents : [documents]) {
    if (document.errors.length > 0) {
      for (const error of document.errors) {
        problems.push({ file, ...at(error.pos[0]), message: `not valid YAML: ${firstLine(error.message)}` });
      }
      continue;
    }
    if (document.contents === null) continue;
    const result = scenarioSchema.safeParse(document.toJS(), { error: friendlyError });
    if (!result.success) {
      for (const issue of result.error.issues) {
        const keys = issue.code === 'unrecognized_keys' ? issue.keys : [undefined];
        for (const key of keys) {
          const path = key === undefined ? issue.path : [...issue.path, key];
          const message = key === undefined ? issue.message : unknownKeyMessage(key, issue.path);
          problems.push({
            file,
            ...at(nodeAt(document, path)?.range?.[0]),
            message: `${describePath(path)}${message}`,
          });
        }
      }
      continue;
    }
    const scenario = result.data;
    const stepLines = scenario.steps.map((_, index) => at(nodeAt(document, ['steps', index])?.range?.[0]).line);
    scenario.steps.forEach((step, index) => {
      const problem = 'wait' in step ? undefined : stepProblem(step);
      if (problem)
        problems.push({ file, line: stepLines[index] ?? 1, column: 1, message: `steps[${index}].${problem}` });
    });
    scenarios.push({
      scenario,
      file,
      line: at(document.contents.range?.[0]).line,
      stepLines,
    });
  }
  if (problems.length > 0) return { ok: false, problems };
  return { ok: true, scenarios };
}

/**
 * Where a path is written: the key itself when the path ends in one (an unknown key, a wrong value), else the deepest
 * node that exists along it (a missing key points at its parent).
 */
function nodeAt(document: ReturnType<typeof parseAllDocuments>[number], path: PropertyKey[]): Node | undefined {
  const last = path.at(-1);
  if (typeof last === 'string') {
    const parent = document.getIn(path.slice(0, -1) as Array<string | number>, true);
    const pair = isMap(parent) ? parent.items.find((item) => isScalar(item.key) && item.key.value === last) : undefined;
    if (pair && isNode(pair.key) && pair.key.range) return pair.key;
  }
  for (let length = path.length; length >= 0; length--) {
    const node = document.getIn(path.slice(0, length) as Array<string | number>, true);
    if (isNode(node) && node.range) return node;
  }
  return undefined;
}

/** `steps[2].expect.contains: ` */
function describePath(path: PropertyKey[]): string {
  if (path.length === 0) return '';
  const text = path
    .map((part, index) => (typeof part === 'number' ? `[${part}]` : `${index === 0 ? '' : '.'}${String(part)}`))
    .join('');
  return `${text}: `;
}

function firstLine(message: string): string {
  return message.split('\n')[0] ?? message;
}
