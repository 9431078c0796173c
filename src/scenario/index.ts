/** Conversation scenarios: files (YAML), the runner, expectations, the scripted model and the reporters. */
export { EXAMPLE_SCENARIO, EXAMPLE_SCENARIO_PATH } from './example.js';
export { checkExpectations, type Failure, type Observed, observe, pageMarkerPattern } from './expect.js';
export { DEFAULT_SCENARIO_DIR, type FoundFiles, findScenarioFiles } from './files.js';
export { type StepMessage, stepMessage } from './message.js';
export {
  type LoadedScenario,
  type ParseResult,
  parseScenarios,
  readScenarioFile,
  type ScenarioProblem,
} from './parse.js';
export { formatJson } from './reporters/json.js';
export { formatJunit } from './reporters/junit.js';
export {
  type RunEvent,
  type RunResult,
  type RunScenariosOptions,
  type RunTarget,
  runScenarios,
  type ScenarioResult,
  type StepResult,
  type StepStatus,
} from './runner.js';
export {
  type Expectation,
  type ModelScript,
  type Scenario,
  type Step,
  type StepKind,
  scenarioSchema,
} from './schema.js';
export { type ScriptedModel, type ScriptedModelOptions, startScriptedModel, type Upstream } from './scripted-model.js';
