/**
 * What each supported dataset is: its files with published sizes and checksums, where to download
 * them, where a system package may have installed them, how the original code split and scaled them.
 *
 * Splits and scaling follow the original code (alexanderganderson/bnn_vis, data/load_data.py):
 * - MNIST came from deeplearning.net's mnist.pkl.gz: the first 50 000 training images for training,
 *   the last 10 000 for validation, the 10 000 test images for testing; pixels stored as byte/256,
 *   i.e. in [0, 255/256] (pylearn2 issue #93 "The maximum value of a feature in the MNIST dataset is
 *   255/256"; Lasagne PR #416 reproduces the pickle exactly from the IDX files by dividing by 256).
 *   We read the IDX files and apply the same split and the same byte/256 scaling, so inputs match
 *   the original bit for bit. Fashion-MNIST, a drop-in replacement for MNIST, is treated the same.
 * - CIFAR-10: the five training batches in order, the last 500 images held out for validation
 *   (49 500 / 500), the test batch for testing; pixels scaled as byte·2/255 − 1, i.e. to [−1, 1].
 */

export type DatasetName = 'mnist' | 'fashion-mnist' | 'cifar10';

/** The dataset names `loadDataset` accepts, in the order they are listed in messages. */
export const DATASET_NAMES: readonly DatasetName[] = ['mnist', 'fashion-mnist', 'cifar10'];

/** A pixel byte b becomes (b·multiply)/divide + offset, evaluated in that order as numpy did. */
export interface PixelScaling {
  multiply: number;
  divide: number;
  offset: number;
}

/** A file as published: the bytes a download must produce. */
export interface PublishedFile {
  name: string;
  /** Exact size in bytes of the published file. */
  bytes: number;
  /** MD5 of the published file, hex (the checksum the publishers list). */
  md5: string;
}

/** One gzipped IDX file and the array it must hold. */
export interface IdxFileSpec extends PublishedFile {
  /** SHA-256 of the decompressed IDX bytes: also verifies copies that were re-compressed (Debian's). */
  contentSha256: string;
  /** IDX magic number: 2049 for a 1-D unsigned-byte array (labels), 2051 for 3-D (images). */
  magic: number;
  /** Dimensions the file must declare, e.g. [60000, 28, 28]. */
  dims: readonly number[];
}

interface CommonSpec {
  name: string;
  /** Folder name under data/ (and under BNN_DATA_DIR) holding this dataset's files. */
  dirName: string;
  classNames: readonly string[];
  /** Image shape [height, width, channels]: the loader returns NHWC. */
  imageShape: readonly [number, number, number];
  /** Images in the published training set (train + validation come from it, in that order). */
  trainPoolCount: number;
  /** The last `validationCount` images of the training set form the validation split. */
  validationCount: number;
  testCount: number;
  scaling: PixelScaling;
  /** Base URLs tried in order; a file's name is appended to each. */
  mirrors: readonly string[];
  /** Folders where an OS package installs the same files (checked after the repo's data/). */
  systemDirs: readonly string[];
  /** Debian package that installs the dataset into one of `systemDirs`, if there is one. */
  aptPackage?: string;
}

export interface IdxDatasetSpec extends CommonSpec {
  format: 'idx';
  files: { trainImages: IdxFileSpec; trainLabels: IdxFileSpec; testImages: IdxFileSpec; testLabels: IdxFileSpec };
}

export interface Cifar10DatasetSpec extends CommonSpec {
  format: 'cifar10-binary';
  /** The published tar.gz; it is extracted into `<dataset dir>/<batchDir>/`. */
  archive: PublishedFile;
  /** Folder inside the archive holding the batches. */
  batchDir: string;
  trainBatches: readonly string[];
  testBatch: string;
  /** SHA-1 of each batch file as extracted from the published archive, so local copies are verified by content. */
  batchSha1: Readonly<Record<string, string>>;
  /** Class names, one per line (kept alongside the batches). */
  metaFile: string;
  recordsPerBatch: number;
}

export type DatasetSpec = IdxDatasetSpec | Cifar10DatasetSpec;

/** Pixel scaling of mnist.pkl.gz, used by the original for MNIST: byte/256, in [0, 255/256]. */
export const MNIST_SCALING: PixelScaling = { multiply: 1, divide: 256, offset: 0 };
/** Pixel scaling of the original load_cifar10: byte·2/255 − 1, in [−1, 1]. */
export const CIFAR10_SCALING: PixelScaling = { multiply: 2, divide: 255, offset: -1 };

/** Builds the spec of an IDX image file of `count` 28×28 images. */
function idxImages(name: string, count: number, bytes: number, md5: string, contentSha256: string): IdxFileSpec {
  return { name, bytes, md5, contentSha256, magic: 2051, dims: [count, 28, 28] };
}

/** Builds the spec of an IDX label file of `count` labels. */
function idxLabels(name: string, count: number, bytes: number, md5: string, contentSha256: string): IdxFileSpec {
  return { name, bytes, md5, contentSha256, magic: 2049, dims: [count] };
}

// MNIST. Sizes: yann.lecun.com/exdb/mnist page. MD5s: torchvision/datasets/mnist.py (MNIST.resources),
// which checks them against both mirrors below. Decompressed SHA-256s: e.g. the Go MNIST artifacts and
// several independent manifests found by code search agree (ba891046…, 65a50cbb…, 0fa7898d…, ff7bcfd4…).
// Mirrors: ossci-datasets S3 (torchvision's), cvdf-datasets GCS (TensorFlow's), then the original host.
const MNIST: IdxDatasetSpec = {
  format: 'idx',
  name: 'mnist',
  dirName: 'mnist',
  classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
  imageShape: [28, 28, 1],
  trainPoolCount: 60000,
  validationCount: 10000,
  testCount: 10000,
  scaling: MNIST_SCALING,
  mirrors: [
    'https://ossci-datasets.s3.amazonaws.com/mnist/',
    'https://storage.googleapis.com/cvdf-datasets/mnist/',
    'http://yann.lecun.com/exdb/mnist/',
  ],
  systemDirs: [],
  files: {
    trainImages: idxImages('train-images-idx3-ubyte.gz', 60000, 9912422,
      'f68b3c2dcbeaaa9fbdd348bbdeb94873', 'ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db'),
    trainLabels: idxLabels('train-labels-idx1-ubyte.gz', 60000, 28881,
      'd53e105ee54ea40749a09fcbcd1e9432', '65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5'),
    testImages: idxImages('t10k-images-idx3-ubyte.gz', 10000, 1648877,
      '9fb629c4189551a2d022fa330f9573f3', '0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7'),
    testLabels: idxLabels('t10k-labels-idx1-ubyte.gz', 10000, 4542,
      'ec29112dd5afa0611ce80d1b7f02629c', 'ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2'),
  },
};

// Fashion-MNIST. MD5s: the table in zalandoresearch/fashion-mnist README.md ("Get the Data"), also in
// torchvision's FashionMNIST.resources. Sizes: Keras' download logs of the same files (26421880…).
// Debian's dataset-fashion-mnist re-compresses the files (other gzip bytes, same content), so local
// copies are verified by the SHA-256 of the decompressed IDX. Those SHA-256s are published in several
// manifests found by code search (one notes they were derived from archives matching the publisher's
// MD5s); the Debian files on this machine match them and the published decompressed MD5s
// (f4a8712d…, 9018921c…, 8181f547…, 15d48437…, torchvision-style `raw_data` tables).
const FASHION_MNIST: IdxDatasetSpec = {
  format: 'idx',
  name: 'fashion-mnist',
  dirName: 'fashion-mnist',
  classNames: ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'],
  imageShape: [28, 28, 1],
  trainPoolCount: 60000,
  validationCount: 10000,
  testCount: 10000,
  scaling: MNIST_SCALING,
  mirrors: ['http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/'],
  systemDirs: ['/usr/share/datasets/fashion-mnist'],
  aptPackage: 'dataset-fashion-mnist',
  files: {
    trainImages: idxImages('train-images-idx3-ubyte.gz', 60000, 26421880,
      '8d4fb7e6c68d591d4c3dfef9ec88bf0d', 'c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888'),
    trainLabels: idxLabels('train-labels-idx1-ubyte.gz', 60000, 29515,
      '25c81989df183df01b3e8a0aad5dffbe', 'bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9'),
    testImages: idxImages('t10k-images-idx3-ubyte.gz', 10000, 4422102,
      'bef4ecab320f06d8554ea6380940ec79', '5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b'),
    testLabels: idxLabels('t10k-labels-idx1-ubyte.gz', 10000, 5148,
      'bb300cfdad3c16e7a12a480ee83cd310', '0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34'),
  },
};

// CIFAR-10, binary version. MD5: the download table on www.cs.toronto.edu/~kriz/cifar.html
// ("CIFAR-10 binary version (suitable for C programs) 162 MB c32a1d4ab5d03f1284b67883e8d87530").
// Size 170052171 bytes: TensorFlow's cifar10 tutorial log and other manifests. Record layout (1 label
// byte + 3072 pixel bytes, red then green then blue planes, row-major) and file names: same page.
// SHA-1 of each extracted batch: Apache MXNet, python/mxnet/gluon/data/vision/datasets.py
// (CIFAR10._train_data and _test_data), which verifies the same binary version's files with them.
// (torchvision's MD5s in torchvision/datasets/cifar.py are of the Python version's pickles, other files.)
const CIFAR10: Cifar10DatasetSpec = {
  format: 'cifar10-binary',
  name: 'cifar10',
  dirName: 'cifar10',
  classNames: ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'],
  imageShape: [32, 32, 3],
  trainPoolCount: 50000,
  validationCount: 500,
  testCount: 10000,
  scaling: CIFAR10_SCALING,
  mirrors: ['https://www.cs.toronto.edu/~kriz/'],
  systemDirs: [],
  archive: { name: 'cifar-10-binary.tar.gz', bytes: 170052171, md5: 'c32a1d4ab5d03f1284b67883e8d87530' },
  batchDir: 'cifar-10-batches-bin',
  trainBatches: ['data_batch_1.bin', 'data_batch_2.bin', 'data_batch_3.bin', 'data_batch_4.bin', 'data_batch_5.bin'],
  testBatch: 'test_batch.bin',
  batchSha1: {
    'data_batch_1.bin': 'aadd24acce27caa71bf4b10992e9e7b2d74c2540',
    'data_batch_2.bin': 'c0ba65cce70568cd57b4e03e9ac8d2a5367c1795',
    'data_batch_3.bin': '1dd00a74ab1d17a6e7d73e185b69dbf31242f295',
    'data_batch_4.bin': 'aab85764eb3584312d3c7f65fd2fd016e36a258e',
    'data_batch_5.bin': '26e2849e66a845b7f1e4614ae70f4889ae604628',
    'test_batch.bin': '67eb016db431130d61cd03c7ad570b013799c88c',
  },
  metaFile: 'batches.meta.txt',
  recordsPerBatch: 10000,
};

const SPECS: Record<DatasetName, DatasetSpec> = {
  mnist: MNIST,
  'fashion-mnist': FASHION_MNIST,
  cifar10: CIFAR10,
};

/** True when `name` is one of DATASET_NAMES. */
export function isDatasetName(name: string): name is DatasetName {
  return (DATASET_NAMES as readonly string[]).includes(name);
}

/** `name` as a DatasetName; an unknown name throws, listing the valid ones (then `hint`, if given). */
export function checkDatasetName(name: string, hint = ''): DatasetName {
  if (!isDatasetName(name)) throw new Error(`Unknown dataset '${name}'; use one of: ${DATASET_NAMES.join(', ')}${hint}.`);
  return name;
}

/** The spec of a named dataset; an unknown name throws an error listing the valid ones. */
export function getDatasetSpec(name: string): DatasetSpec {
  if (!isDatasetName(name)) {
    throw new Error(`Unknown dataset "${name}". Valid datasets: ${DATASET_NAMES.join(', ')}.`);
  }
  return SPECS[name];
}

/** Number of values in one image: height × width × channels. */
export function imageSize(spec: DatasetSpec): number {
  const [h, w, c] = spec.imageShape;
  return h * w * c;
}

/** The published files a dataset is downloaded as. */
export function publishedFiles(spec: DatasetSpec): PublishedFile[] {
  return spec.format === 'idx' ? idxFiles(spec) : [spec.archive];
}

/** The four IDX files of an IDX dataset, in the order train images, train labels, test images, test labels. */
export function idxFiles(spec: IdxDatasetSpec): IdxFileSpec[] {
  const f = spec.files;
  return [f.trainImages, f.trainLabels, f.testImages, f.testLabels];
}
