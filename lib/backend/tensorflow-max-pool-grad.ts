/**
 * MaxPoolGrad on tfjs-node through oneDNN's pooling. The MaxPoolGrad that eager TensorFlow runs
 * is Eigen's, which searches every window for its maximum again: 3.8 ms for the small network's
 * conv1, 14% of its training step. TensorFlow's graph mode swaps in oneDNN's pooling with a
 * workspace, but the eager runtime rewrites only convolutions, products and batch norm to oneDNN.
 * So this kernel calls oneDNN's native-format ops by name: _MklNativeMaxPool records each
 * window's argmax, _MklNativeMaxPoolGrad routes dy through it. Both take 0.5 ms together and
 * give the same gradient bit for bit: the first maximum of each window in row-major order, ties
 * included (test/backend.test.ts). Where the TensorFlow build has no oneDNN kernels, or for
 * anything but float32, the built-in kernel runs.
 */
import * as tf from '@tensorflow/tfjs';
import type { KernelConfig, KernelFunc, MaxPoolGradAttrs, TensorInfo } from '@tensorflow/tfjs';
import { overrideKernel } from './override-kernel';
import { nodeBackend, type NodeBackend } from './tensorflow-ops';

const TENSORFLOW = 'tensorflow';

/** The label under which TensorFlow registers its oneDNN kernels (mkl_op_registry's kMklNameChangeOpLabel). */
const ONEDNN_KERNEL_LABEL = 'MklNameChangeOp';

interface PoolShape {
  ksize: number[];
  strides: number[];
  padding: 'SAME' | 'VALID';
}

function oneDnnPoolAttrs(b: NodeBackend, pool: PoolShape) {
  const { binding: t } = b;
  return [
    { name: 'T', type: t.TF_ATTR_TYPE, value: t.TF_FLOAT },
    { name: 'ksize', type: t.TF_ATTR_INT, value: pool.ksize },
    { name: 'strides', type: t.TF_ATTR_INT, value: pool.strides },
    { name: 'padding', type: t.TF_ATTR_STRING, value: pool.padding },
    { name: 'data_format', type: t.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'workspace_enabled', type: t.TF_ATTR_BOOL, value: true },
    { name: '_kernel', type: t.TF_ATTR_STRING, value: ONEDNN_KERNEL_LABEL },
  ];
}

/** dL/dx of max pooling, given its input, its output and dL/dy (NHWC float32). */
function oneDnnMaxPoolGrad(b: NodeBackend, pool: PoolShape, input: TensorInfo, output: TensorInfo, dy: TensorInfo): TensorInfo {
  const attrs = oneDnnPoolAttrs(b, pool);
  const [pooled, workspace] = b.executeMultipleOutputs('_MklNativeMaxPool', attrs, [input], 2);
  const [dx] = b.executeMultipleOutputs('_MklNativeMaxPoolGrad', attrs, [input, output, dy, workspace], 1);
  tf.dispose([pooled, workspace]);
  return dx;
}

/** True when this TensorFlow build runs the oneDNN pooling ops (tried once on a 2×2 image). */
function hasOneDnnPooling(b: NodeBackend): boolean {
  const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
  try {
    const pool: PoolShape = { ksize: [1, 2, 2, 1], strides: [1, 2, 2, 1], padding: 'VALID' };
    const [y, workspace] = b.executeMultipleOutputs('_MklNativeMaxPool', oneDnnPoolAttrs(b, pool), [x], 2);
    tf.dispose([y, workspace]);
    return true;
  } catch {
    return false;
  } finally {
    x.dispose();
  }
}

/** Registers the oneDNN MaxPoolGrad on the active tensorflow backend when its TensorFlow has it. Idempotent. */
export function registerTensorflowMaxPoolGrad(): void {
  const b = nodeBackend();
  if (!hasOneDnnPooling(b)) return;
  overrideKernel('MaxPoolGrad', TENSORFLOW, (builtIn: KernelConfig | undefined): KernelConfig => {
    if (builtIn === undefined) throw new Error('tfjs-node registers no MaxPoolGrad kernel to fall back on.');
    const kernelFunc = (args: Parameters<KernelFunc>[0]) => {
      const { dy, input, output } = args.inputs as Record<'dy' | 'input' | 'output', TensorInfo>;
      const { filterSize, strides, pad, dimRoundingMode } = args.attrs as unknown as MaxPoolGradAttrs;
      const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
      const padding = info.padInfo.type;
      if (input.dtype !== 'float32' || (padding !== 'SAME' && padding !== 'VALID') || info.dataFormat !== 'channelsLast') {
        return builtIn.kernelFunc(args);
      }
      const pool: PoolShape = { ksize: [1, info.filterHeight, info.filterWidth, 1], strides: [1, info.strideHeight, info.strideWidth, 1], padding };
      return oneDnnMaxPoolGrad(b, pool, input, output, dy);
    };
    return { kernelName: 'MaxPoolGrad', backendName: TENSORFLOW, kernelFunc };
  });
}
