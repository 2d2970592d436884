import * as core from '@actions/core';
import { cleanup } from './cleanup.js';
import { run } from './run.js';

// One bundle for main and post, told apart by saved state (as actions/checkout does).
if (core.getState('isPost')) await cleanup();
else {
  core.saveState('isPost', 'true');
  await run();
}
