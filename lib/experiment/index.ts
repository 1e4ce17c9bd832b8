/** The trained network behind gen_plots.ipynb: parameters → plan → loaded or trained network. */
export { experimentPlan, runName, type ExperimentParameters, type ExperimentPlan } from './plan';
export { prepareNetwork, type PrepareOptions, type PreparedNetwork } from './prepare';
export { trainingDisplay } from './progress';
