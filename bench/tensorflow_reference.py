"""TensorFlow-from-Python reference for `npm run bench`: training and inference img/s of a benchmark
network with the whole step compiled into one graph (tf.function).

The same network and step as bench/pytorch_reference.py and lib/model/network.ts, on the engine that
tfjs-node runs (TensorFlow 2.21), so the bench can show how much of a step this project spends
outside TensorFlow's arithmetic. Per layer: W^b = sign(W^c) with the straight-through estimator
(gradient passed where |x| ≤ 1) → conv k×k, stride 1, 'same', no bias (matmul for fc) → optional
2×2 max-pool, stride 2, 'same' → batch norm with offset β, no scale, ε = 1e-3, moving statistics
updated with momentum 0.99 → sign activation with the same estimator; the output layer stops at
batch norm (logits). Training step: squared hinge, gradients clipped to [−1, 1], Adam (lr 1e-3,
β 0.9/0.999, ε 1e-8), latent weights clipped to [−1, 1]. NHWC tensors throughout, fused batch norm.

Usage: python3 bench/tensorflow_reference.py '<json network config>' (the config of
bench/pytorch_reference.py). Prints one line of JSON: {"tensorflow": version, "threads": n,
"train": img/s, "inference": img/s}. Exit codes: 2 for bad arguments, 3 when tensorflow is not
importable.
"""
import json
import os
import sys
from typing import Any, Callable

from reference_cli import parse_config, seconds_per_call

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # no start-up banner on stderr
try:
    import tensorflow as tf
except ImportError:
    print("tensorflow is not importable: pip install tensorflow-cpu==2.21.0", file=sys.stderr)
    sys.exit(3)

BATCH_NORM_EPSILON = 1e-3
BATCH_NORM_MOMENTUM = 0.99
LEARNING_RATE = 1e-3
ADAM_BETAS = (0.9, 0.999)
ADAM_EPSILON = 1e-8
SEED = 0


@tf.custom_gradient
def sign_ste(x: tf.Tensor) -> tuple[tf.Tensor, Callable[[tf.Tensor], tf.Tensor]]:
    """sign(x) with sign(0) = +1; the gradient passes dy where |x| ≤ 1 (lib/model/quantize.ts)."""

    def grad(dy: tf.Tensor) -> tf.Tensor:
        return tf.where(tf.abs(x) <= 1, dy, tf.zeros_like(dy))

    return tf.where(x >= 0, tf.ones_like(x), -tf.ones_like(x)), grad


def glorot_uniform(shape: tuple[int, ...]) -> tf.Tensor:
    """Glorot-uniform weights, as network.ts: U(±√(6/(fan_in + fan_out))), the receptive field counted in both."""
    receptive = 1
    for size in shape[:-2]:
        receptive *= size
    limit = (6 / (receptive * (shape[-2] + shape[-1]))) ** 0.5
    return tf.random.uniform(shape, -limit, limit)


class BinaryNet:
    def __init__(self, cfg: dict[str, Any]) -> None:
        h, w, c = cfg["inputShape"]
        k = cfg["filterSize"]
        self.max_pool: list[bool] = list(cfg["maxPool"])
        shapes: list[tuple[int, ...]] = []
        for maps, pool in zip(cfg["conv"], self.max_pool):
            shapes.append((k, k, c, maps))
            c = maps
            if pool:
                h, w = -(-h // 2), -(-w // 2)  # 'same' pooling: ceil
        dim = h * w * c
        for units in [*cfg["fc"], cfg["classes"]]:
            shapes.append((dim, units))
            dim = units
        self.weights = [tf.Variable(glorot_uniform(shape)) for shape in shapes]
        self.offsets = [tf.Variable(tf.zeros(shape[-1])) for shape in shapes]
        self.means = [tf.Variable(tf.zeros(shape[-1]), trainable=False) for shape in shapes]
        self.variances = [tf.Variable(tf.ones(shape[-1]), trainable=False) for shape in shapes]

    @property
    def trainable(self) -> list[tf.Variable]:
        return [*self.weights, *self.offsets]

    def __call__(self, x: tf.Tensor, training: bool) -> tf.Tensor:
        last = len(self.weights) - 1
        for i, (w, beta) in enumerate(zip(self.weights, self.offsets)):
            wb = sign_ste(w)
            if len(w.shape) == 4:
                x = tf.nn.conv2d(x, wb, strides=1, padding="SAME")
                if self.max_pool[i]:
                    x = tf.nn.max_pool2d(x, 2, 2, padding="SAME")
                x = self._batch_norm(x, i, beta, training)
            else:
                x = tf.matmul(tf.reshape(x, (tf.shape(x)[0], -1)), wb)
                # Fused batch norm takes NHWC: the dense activations as a 1×1 image per example.
                x = tf.reshape(self._batch_norm(x[:, None, None, :], i, beta, training), (-1, x.shape[-1]))
            if i < last:
                x = sign_ste(x)
        return x

    def _batch_norm(self, x: tf.Tensor, i: int, beta: tf.Variable, training: bool) -> tf.Tensor:
        ones = tf.ones_like(beta)
        if not training:
            y, _, _ = tf.compat.v1.nn.fused_batch_norm(
                x, ones, beta, self.means[i], self.variances[i], BATCH_NORM_EPSILON, is_training=False
            )
            return y
        y, mean, variance = tf.compat.v1.nn.fused_batch_norm(x, ones, beta, epsilon=BATCH_NORM_EPSILON, is_training=True)
        self.means[i].assign(BATCH_NORM_MOMENTUM * self.means[i] + (1 - BATCH_NORM_MOMENTUM) * mean)
        self.variances[i].assign(BATCH_NORM_MOMENTUM * self.variances[i] + (1 - BATCH_NORM_MOMENTUM) * variance)
        return y


class Adam:
    """Adam with TensorFlow's fused ResourceApplyAdam kernel per variable."""

    def __init__(self, variables: list[tf.Variable]) -> None:
        self.variables = variables
        self.m = [tf.Variable(tf.zeros_like(v), trainable=False) for v in variables]
        self.v = [tf.Variable(tf.zeros_like(v), trainable=False) for v in variables]
        self.step = tf.Variable(0.0, trainable=False)

    def apply(self, grads: list[tf.Tensor]) -> None:
        self.step.assign_add(1.0)
        b1, b2 = ADAM_BETAS
        for var, m, v, g in zip(self.variables, self.m, self.v, grads):
            tf.raw_ops.ResourceApplyAdam(
                var=var.handle, m=m.handle, v=v.handle,
                beta1_power=tf.pow(b1, self.step), beta2_power=tf.pow(b2, self.step),
                lr=LEARNING_RATE, beta1=b1, beta2=b2, epsilon=ADAM_EPSILON, grad=g,
            )


def squared_hinge(logits: tf.Tensor, labels: tf.Tensor, classes: int) -> tf.Tensor:
    """Mean over batch and classes of max(0, 1 − y·out)², one-hot y in {−1, +1} (loss.ts)."""
    y = tf.one_hot(labels, classes) * 2 - 1
    return tf.reduce_mean(tf.square(tf.nn.relu(1 - logits * y)))


def main() -> None:
    cfg = parse_config("tensorflow_reference", sys.argv)
    tf.config.threading.set_intra_op_parallelism_threads(cfg["threads"])
    tf.config.threading.set_inter_op_parallelism_threads(1)
    tf.random.set_seed(SEED)
    net = BinaryNet(cfg)
    adam = Adam(net.trainable)
    h, w, c = cfg["inputShape"]
    batch = cfg["batch"]
    x = tf.random.normal((batch, h, w, c), seed=SEED)
    labels = tf.range(batch) % cfg["classes"]

    @tf.function
    def train_step() -> tf.Tensor:
        with tf.GradientTape() as tape:
            loss = squared_hinge(net(x, training=True), labels, cfg["classes"])
        grads = [tf.clip_by_value(g, -1.0, 1.0) for g in tape.gradient(loss, net.trainable)]
        adam.apply(grads)
        for weight in net.weights:
            weight.assign(tf.clip_by_value(weight, -1.0, 1.0))
        return loss

    @tf.function
    def infer() -> tf.Tensor:
        return net(x, training=False)

    # .numpy() waits for the step, as the other benchmarks read their loss or logits back.
    rates = {
        phase: round(batch / seconds_per_call(lambda fn=fn: fn().numpy(), cfg["seconds"]), 1)
        for phase, fn in (("train", train_step), ("inference", infer))
    }
    print(json.dumps({"tensorflow": tf.__version__, "threads": cfg["threads"], **rates}))


if __name__ == "__main__":
    main()
