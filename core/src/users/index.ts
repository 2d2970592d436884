import type { ResolvedMultiTurn } from '../config/types.js';
import type { JudgeTarget } from '../grading/judge.js';
import { ModelUnresolved } from '../models/environment.js';
import { PersonaUser } from './persona.js';
import { ScriptedUser } from './scripted.js';
import type { UserSimulator } from './types.js';

export type {
  SimulatorInput,
  SimulatorReply,
  SimulatorStop,
  TranscriptMessage,
  UserSimulator,
} from './types.js';
export {
  PersonaUser,
  SIMULATOR_SYSTEM,
  simulatorPrompt,
  USER_TURN_TOOL,
  MAX_USER_MESSAGE_CHARS,
} from './persona.js';
export { ScriptedUser } from './scripted.js';

/**
 * The user simulator of one session. Persona mode needs the simulator model's target
 * (ModelEnvironment.simulatorTarget, resolved before any sandbox opens); without one this
 * throws simulator_model_unresolved. Scripted mode calls no model and ignores the target.
 */
export function createUserSimulator(
  mt: ResolvedMultiTurn,
  target?: JudgeTarget | null,
): UserSimulator {
  if (mt.simulator_mode === 'scripted') return new ScriptedUser(mt.scripted_user_turns ?? []);
  if (!target)
    throw new ModelUnresolved(
      'simulator_model_unresolved',
      'a persona session needs a user-simulator model: set simulator.model on the suite or ' +
        'simulator_model in gauntlet.yaml',
    );
  // The config resolver guarantees a persona in persona mode (multi_turn_incomplete otherwise).
  if (!mt.persona) throw new Error('persona mode without a persona: resolve tasks with loadTasks');
  return new PersonaUser(target, mt.persona);
}
