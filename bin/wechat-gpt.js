#!/usr/bin/env node
// Thin launcher: everything lives in the compiled CLI.
import { run } from '../dist/cli/index.js';

run(process.argv);
