"""PyTorch reference for `npm run bench`: training and inference img/s of a benchmark network.

Mirrors lib/model/network.ts (and trainStep in lib/train/train.ts) so that PyTorch's speed on the
same CPU can be shown next to ours in the same run. Per layer: W^b = sign(W^c) with the
straight-through estimator of lib/model/quantize.ts → conv k×k, stride 1, 'same', no bias (matmul
for fc) → optional 2×2 max-pool, stride 2 → batch norm with offset β, no scale, ε = 1e-3 → sign
activation with the same estimator; the output layer stops at batch norm (logits). The input is
not quantized. Training step: squared hinge, gradients clipped to [−1, 1], Adam, latent weights
clipped to [−1, 1]. Written for speed where that keeps the arithmetic: channels-last tensors,
fused Adam, single-kernel quantizers, and glibc told to keep freed memory.

Usage: python3 bench/pytorch_reference.py '{"name":"small","inputShape":[28,28,1],"classes":10,
  "conv":[32,64,128],"maxPool":[true,true,false],"fc":[256],"filterSize":3,"batch":50,
  "seconds":5,"threads":2}'
Prints one line of JSON: {"torch": version, "threads": n, "train": img/s, "inference": img/s}.
Exit codes: 2 for bad arguments, 3 when torch is not importable.
"""
import ctypes
import json
import sys
import warnings
from typing import Any

from reference_cli import parse_config, seconds_per_call

warnings.filterwarnings("ignore", message="Failed to initialize NumPy")  # torch without numpy; unused here
try:
    import torch
    import torch.nn.functional as F
except ImportError:
    print("torch is not importable: pip install torch", file=sys.stderr)
    sys.exit(3)

BATCH_NORM_EPSILON = 1e-3
BATCH_NORM_MOMENTUM = 1 - 0.99  # PyTorch's momentum is 1 − network.ts's BATCH_NORM_MOMENTUM
SEED = 0
# mallopt parameters of glibc's malloc.h.
M_TRIM_THRESHOLD = -1
M_MMAP_MAX = -4


class SignSTE(torch.autograd.Function):
    """sign(x) with sign(0) = sign(−0) = +1; backward passes dy where |x| ≤ 1 (quantize.ts).

    Both directions are single float kernels: comparisons that make bool tensors are several times
    slower on CPU. sign(x) + 0.5 is ±0.5 or ±1.5 (0.5 for ±0), so its sign is the binarization.
    """

    # hardtanh's gradient passes dy where lo < x < hi; one float32 step beyond ±1 makes that |x| ≤ 1.
    BOUND = 1 + 2**-23

    @staticmethod
    def forward(ctx: Any, x: torch.Tensor) -> torch.Tensor:
        ctx.save_for_backward(x)
        return x.sign().add_(0.5).sign_()

    @staticmethod
    def backward(ctx: Any, dy: torch.Tensor) -> torch.Tensor:
        (x,) = ctx.saved_tensors
        return torch.ops.aten.hardtanh_backward(dy, x, -SignSTE.BOUND, SignSTE.BOUND)


class BinaryNet(torch.nn.Module):
    def __init__(self, cfg: dict[str, Any]) -> None:
        super().__init__()
        h, w, c = cfg["inputShape"]
        k = cfg["filterSize"]
        self.max_pool: list[bool] = list(cfg["maxPool"])
        shapes: list[tuple[int, ...]] = []
        for maps, pool in zip(cfg["conv"], self.max_pool):
            shapes.append((maps, c, k, k))
            c = maps
            if pool:
                h, w = -(-h // 2), -(-w // 2)  # 'same' pooling: ceil
        dim = h * w * c
        for units in [*cfg["fc"], cfg["classes"]]:
            shapes.append((units, dim))
            dim = units
        self.weights = torch.nn.ParameterList()
        self.offsets = torch.nn.ParameterList()
        for i, shape in enumerate(shapes):
            weight = torch.nn.init.xavier_uniform_(torch.empty(shape))  # Glorot uniform, as network.ts
            if len(shape) == 4:
                weight = weight.contiguous(memory_format=torch.channels_last)
            self.weights.append(weight)
            self.offsets.append(torch.nn.Parameter(torch.zeros(shape[0])))
            self.register_buffer(f"moving_mean{i}", torch.zeros(shape[0]))
            self.register_buffer(f"moving_variance{i}", torch.ones(shape[0]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        last = len(self.weights) - 1
        for i, (w, beta) in enumerate(zip(self.weights, self.offsets)):
            wb = SignSTE.apply(w)
            if wb.dim() == 4:
                x = F.conv2d(x, wb, padding="same")
                if self.max_pool[i]:
                    x = F.max_pool2d(x, 2, 2, ceil_mode=True)
            else:
                x = F.linear(x.flatten(1), wb)
            # PyTorch updates the moving variance with the unbiased batch variance (tfjs: biased).
            mean, variance = getattr(self, f"moving_mean{i}"), getattr(self, f"moving_variance{i}")
            x = F.batch_norm(
                x, mean, variance, None, beta, self.training, BATCH_NORM_MOMENTUM, BATCH_NORM_EPSILON
            )
            if i < last:
                x = SignSTE.apply(x)
        return x


def squared_hinge(logits: torch.Tensor, labels: torch.Tensor, classes: int) -> torch.Tensor:
    """Mean over batch and classes of max(0, 1 − y·out)², one-hot y in {−1, +1} (loss.ts)."""
    y = F.one_hot(labels, classes).float() * 2 - 1
    return torch.relu(1 - logits * y).square().mean()


def train_step(
    net: BinaryNet, optimizer: torch.optim.Optimizer, x: torch.Tensor, labels: torch.Tensor, classes: int
) -> float:
    """trainStep of train.ts: gradients clipped to [−1, 1] before Adam, latent weights after it."""
    net.train()
    loss = squared_hinge(net(x), labels, classes)
    loss.backward()
    torch.nn.utils.clip_grad_value_(net.parameters(), 1)
    optimizer.step()
    optimizer.zero_grad()
    with torch.no_grad():
        for w in net.weights:
            w.clamp_(-1, 1)
    return loss.item()


def infer(net: BinaryNet, x: torch.Tensor) -> None:
    net.eval()
    with torch.inference_mode():
        net(x)


def keep_freed_memory() -> None:
    """Stops glibc from giving freed tensors back to the OS: otherwise every new tensor of a step
    faults its pages in again, which here costs PyTorch more than half its speed (jemalloc and
    tcmalloc, which PyTorch's CPU tuning guide recommends, keep them too)."""
    if sys.platform.startswith("linux"):
        mallopt = ctypes.CDLL(None).mallopt
        mallopt(M_MMAP_MAX, 0)
        mallopt(M_TRIM_THRESHOLD, 2**31 - 1)


def main() -> None:
    cfg = parse_config("pytorch_reference", sys.argv)
    keep_freed_memory()
    torch.set_num_threads(cfg["threads"])
    torch.set_num_interop_threads(1)
    torch.manual_seed(SEED)
    net = BinaryNet(cfg)
    # optimizer.ts's Adam; fused=True only merges its kernels.
    optimizer = torch.optim.Adam(net.parameters(), lr=1e-3, betas=(0.9, 0.999), eps=1e-8, fused=True)
    h, w, c = cfg["inputShape"]
    batch = cfg["batch"]
    x = torch.randn(batch, c, h, w).contiguous(memory_format=torch.channels_last)
    labels = torch.arange(batch) % cfg["classes"]
    rates = {
        phase: round(batch / seconds_per_call(fn, cfg["seconds"]), 1)
        for phase, fn in (
            ("train", lambda: train_step(net, optimizer, x, labels, cfg["classes"])),
            ("inference", lambda: infer(net, x)),
        )
    }
    print(json.dumps({"torch": torch.__version__, "threads": cfg["threads"], **rates}))


if __name__ == "__main__":
    main()
