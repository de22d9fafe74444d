/** The workflows this worker registers. Import nothing here but workflow code. */
export { cutoverWorkflow } from './cutover.js';
export { postLaunchWatchWorkflow } from './post-launch-watch.js';
export { undoCompensationsWorkflow } from './undo.js';
