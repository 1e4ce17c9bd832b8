/** What notebook cells use besides charts: parameters from the environment and recorded results. */
export { notebookParameters, parameterEnvName, type ParameterValue } from './params';
export { recordResult, RESULTS_FILE_ENV } from './results';
