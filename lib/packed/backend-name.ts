import * as tf from '@tensorflow/tfjs';

/** The active TensorFlow.js backend's name. */
export function getBackendName(): string {
  return tf.getBackend();
}
