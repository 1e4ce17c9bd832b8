/** The trained network behind gen_plots.ipynb: parameters → plan → loaded or trained network. */
export {
  experimentPlan, resolveRun, runName, type ExperimentParameters, type ExperimentPlan, type RunPlan, type RunRequest, type RunSettings,
} from './plan';
export { checkpointStatus, resumeRun, type CheckpointStatus } from './stored-run';
export { prepareNetwork, prepareNotebookNetwork, type PrepareOptions, type PreparedNetwork } from './prepare';
