/** The `cutover` command tree. Each command lives in its own file under commands/. */
import { Command } from 'commander';
import { abortCommand } from './commands/abort.js';
import { approveCommand } from './commands/approve.js';
import { calendarCommand } from './commands/calendar.js';
import { checklistCommand } from './commands/checklist.js';
import { codecServerCommand } from './commands/codec-server.js';
import { compareCommand } from './commands/compare.js';
import { completeCommand } from './commands/complete.js';
import { taskCommand } from './commands/task.js';
import { compensationCommand } from './commands/compensation.js';
import { incidentCommand } from './commands/incident.js';
import { keygenCommand } from './commands/keygen.js';
import { decideCommand } from './commands/decide.js';
import { demoCommand } from './commands/demo.js';
import { devCommand } from './commands/dev.js';
import { listCommand } from './commands/list.js';
import { planCommand } from './commands/plan-validate.js';
import { rejectCommand } from './commands/reject.js';
import { roomCommand } from './commands/room.js';
import { reportCommand } from './commands/report.js';
import { retryItemCommand } from './commands/retry-item.js';
import { retryCommand } from './commands/retry.js';
import { simCommand } from './commands/sim.js';
import { startCommand } from './commands/start.js';
import { statusCommand } from './commands/status.js';
import { verifyCommand } from './commands/verify.js';
import { undoCommand } from './commands/undo.js';
import { waiveCommand } from './commands/waive.js';
import { watchCommand } from './commands/watch.js';
import { workerCommand } from './commands/worker.js';
import { examples } from './help.js';
import { throwInsteadOfExit } from './throw-instead-of-exit.js';

const COMMANDS = [
  planCommand,
  startCommand,
  statusCommand,
  checklistCommand,
  listCommand,
  approveCommand,
  rejectCommand,
  decideCommand,
  retryCommand,
  abortCommand,
  compensationCommand,
  undoCommand,
  completeCommand,
  taskCommand,
  waiveCommand,
  retryItemCommand,
  incidentCommand,
  watchCommand,
  reportCommand,
  compareCommand,
  calendarCommand,
  verifyCommand,
  keygenCommand,
  workerCommand,
  devCommand,
  demoCommand,
  simCommand,
  codecServerCommand,
  roomCommand,
];

export function buildProgram(version: string): Command {
  const program = new Command('cutover')
    .description('Run a PayCA card programme production cutover as a durable Temporal workflow')
    .version(version, '-V, --version')
    .addHelpText(
      'after',
      `${examples(
        'cutover plan validate plans/example.yaml',
        'cutover start plans/example.yaml --go-live 2027-03-01T09:00:00Z',
        'cutover status cutover-acme-prepaid-uk-202612010900',
        'cutover approve cutover-acme-prepaid-uk-202612010900 go-live --as lara --authorization-id auth_8812',
        'cutover checklist cutover-acme-prepaid-uk-202612010900 --open',
        'cutover complete cutover-acme-prepaid-uk-202612010900 secrets-in-vault --as erin --evidence "SEC-412"',
        'cutover demo',
      )}
Temporal: TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY (and TLS or TOML profiles) select the server;
without them the local dev server (\`cutover dev\`). CUTOVER_UI_URL sets the Web UI for links. CUTOVER_DEBUG=1 shows stack traces.
Exit codes: 0 done, 1 refused or failed (reason on stderr), 2 usage error.
`,
    );
  for (const make of COMMANDS) program.addCommand(make());
  throwInsteadOfExit(program);
  return program;
}
