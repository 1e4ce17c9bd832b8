/** Datasets for bnn-geometry: loading, fetching, batching. See load.ts for splits and scaling. */
export { DATASET_NAMES, getDatasetSpec, isDatasetName, type DatasetName, type DatasetSpec } from './datasets';
export { loadDataset, loadDatasetFromSpec, sourceFolders, type Dataset, type LoadOptions, type Split } from './load';
export { fetchDataset, fetchDatasetFromSpec, type FetchOptions, type FetchReport, type FileOrigin, type Rejection } from './resolve';
export { terminalDownloadReporter, type DownloadEvent } from './download';
export { DATA_DIR_ENV, MIRROR_ENV } from './paths';
