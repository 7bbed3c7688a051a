"""Run a transformer fast on CPU: ONNX Runtime int8 or torch int8, or the fp32 reference.

Every runner takes one padded batch (name -> int64 array, as the tokenizer names them) and
returns the raw logits; transformer.py applies the sigmoid, as Detoxify does.
"""

import contextlib
import copy
import fcntl
import inspect
import logging
import os
import tempfile
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

log = logging.getLogger(__name__)

FAST_PATHS = ("onnx", "quantized", "off")
# Part of the cache key: bump it when the export recipe below changes.
RECIPE = "v1"
# ONNX Runtime's transformer fusions know these encoder layouts (all of Detoxify's but ALBERT).
FUSABLE_MODEL_TYPES = frozenset({"bert", "roberta", "xlm-roberta"})
# Quantise the compute (matrix products, fused attention) but not the embedding tables:
# looking them up costs nothing, and int8 rounding there is what LayerNorm amplifies most.
QUANTIZED_OPS = ["MatMul", "Attention"]


def in_turn(score: Callable, batches: Sequence, run: Callable) -> None:
    """Score batches one after another, in this thread, each through run."""
    for batch in batches:
        score(batch, run)


class TorchRunner:
    """Detoxify's own torch model: fp32 (the reference) or dynamically quantised to int8."""

    def __init__(self, model, kind: str):
        self.model = model
        self.kind = kind

    def map(self, score: Callable, batches: Sequence) -> None:
        """Call score(batch, run) for each batch, one after another: torch spreads each over
        its own threads."""
        in_turn(score, batches, self)

    def __call__(self, batch: dict[str, np.ndarray]) -> np.ndarray:
        import torch

        with torch.inference_mode():
            inputs = {name: torch.from_numpy(array) for name, array in batch.items()}
            return self.model(**inputs).logits.float().numpy()


class OnnxRunner:
    """ONNX Runtime sessions over the exported, fused, int8-quantised model.

    With several threads and at least as many batches, whole batches run side by side, each on
    one core, through one session (its run() is thread-safe and shares the weights): small
    batches split across cores spend much of their time waiting for each other, which this
    avoids (measured on this 2-core machine: 2x1 threads ~8% more comments/s than one run on 2
    threads). Fewer batches than threads (a lone Perspective call, a few callers' texts) would
    leave cores idle: those run in turn through a second session that spreads each run over all
    the threads, which halves a lone comment's time on two cores (BERT-base, 40 tokens: 71 ->
    38 ms). The second session holds its own copy of the weights (measured: ~35 MB more
    resident for BERT-base int8).
    """

    kind = "onnx-int8"

    def __init__(self, path: Path, threads: int):
        self.path = path
        self.threads = max(1, threads)
        self.session = _session(path, 1)
        self.whole = _session(path, self.threads) if self.threads > 1 else self.session
        self.input_names = [i.name for i in self.session.get_inputs()]
        # Created in the process that scores (the worker loads its model after the fork).
        self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="onnx")

    def map(self, score: Callable, batches: Sequence) -> None:
        """Call score(batch, run) for each batch: side by side, one per thread, when there are
        enough batches, else in turn over all the threads; the first error is raised."""
        if len(batches) < self.threads or self.threads == 1:
            in_turn(score, batches, self.run_whole)
            return
        # An error cancels the batches not started.
        for _ in self._pool.map(lambda batch: score(batch, self), batches):
            pass

    def __call__(self, batch: dict[str, np.ndarray]) -> np.ndarray:
        """Run one batch on one thread."""
        return self._run(self.session, batch)

    def run_whole(self, batch: dict[str, np.ndarray]) -> np.ndarray:
        """Run one batch over all the threads."""
        return self._run(self.whole, batch)

    def _run(self, session, batch: dict[str, np.ndarray]) -> np.ndarray:
        feed = {name: batch[name] for name in self.input_names}
        return session.run(["logits"], feed)[0]


def _session(path: Path, threads: int):
    """Return an ONNX Runtime session whose every run uses threads threads."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = threads
    options.inter_op_num_threads = 1
    options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def quantized_torch_runner(model) -> TorchRunner:
    """Quantise the encoder's Linear layers to int8 (activations quantised per batch)."""
    import torch

    quantized = copy.deepcopy(model)
    with warnings.catch_warnings():
        # torch.ao.quantization is deprecated in favour of torchao (not a dependency here);
        # it still works in torch 2.13 and the result is checked against the reference.
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.simplefilter("ignore", UserWarning)
        # The encoder is nearly all the compute; the pooler and classifier head stay fp32,
        # as in the ONNX path, where their Gemm ops are not quantised.
        quantized.base_model.encoder = torch.ao.quantization.quantize_dynamic(
            quantized.base_model.encoder, {torch.nn.Linear}, dtype=torch.qint8
        )
    return TorchRunner(quantized, "torch-int8")


def onnx_runner(
    model, sample: dict[str, np.ndarray], checkpoint_sha256: str, cache_dir: Path, threads: int
) -> OnnxRunner:
    """Return a session over the int8 ONNX export of model, exporting it once per checkpoint."""
    return OnnxRunner(cached_onnx_model(model, sample, checkpoint_sha256, cache_dir), threads)


def cached_onnx_model(
    model, sample: dict[str, np.ndarray], checkpoint_sha256: str, cache_dir: Path
) -> Path:
    """Return the cached int8 ONNX file for this checkpoint, building it if missing."""
    import onnxruntime as ort

    cache_dir = Path(cache_dir)
    cache_dir.mkdir(parents=True, exist_ok=True)
    target = cache_dir / f"{checkpoint_sha256[:16]}-{RECIPE}-ort{ort.__version__}-int8.onnx"
    if target.is_file():
        return target
    # Every worker process loads at the same moment: one exports, the others wait for it.
    with _exclusive(target.with_name(target.name + ".lock")):
        if target.is_file():
            return target
        log.info("toxicity.onnx_export_started", extra={"path": str(target)})
        with tempfile.TemporaryDirectory(dir=cache_dir) as tmp, _quiet_onnx_tools():
            exported = _export(model, sample, Path(tmp) / "model.onnx")
            fused = _fuse(exported, model.config, Path(tmp) / "fused.onnx")
            quantized = _quantize(fused, Path(tmp) / "int8.onnx")
            os.replace(quantized, target)  # atomic: readers never see half a file
        log.info("toxicity.onnx_export_done", extra={"path": str(target)})
    return target


@contextlib.contextmanager
def _exclusive(lock_path: Path):
    """Hold an exclusive file lock (released by the OS if the process dies)."""
    with open(lock_path, "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def _quiet_onnx_tools():
    """Silence the INFO chatter of ONNX Runtime's optimizer and quantizer during an export."""
    # The quantizer logs through the root logger itself (logging.info), the optimizer
    # through loggers named after its modules (fusion_*, onnx_model*).
    import onnxruntime.transformers.optimizer  # noqa: F401  (creates those loggers)

    def below_error(record: logging.LogRecord) -> bool:
        return record.levelno >= logging.ERROR

    names = [n for n in logging.root.manager.loggerDict if n.startswith(("fusion", "onnx_model"))]
    levels = {name: logging.getLogger(name).level for name in names}
    logging.root.addFilter(below_error)
    for name in names:
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        yield
    finally:
        logging.root.removeFilter(below_error)
        for name, level in levels.items():
            logging.getLogger(name).setLevel(level)


def _export(model, sample: dict[str, np.ndarray], path: Path) -> Path:
    """Export model to ONNX with dynamic batch and sequence axes."""
    import torch

    # Positional, so in the order of forward()'s parameters, not the tokenizer's order.
    parameters = list(inspect.signature(model.forward).parameters)
    names = sorted(sample, key=parameters.index)
    dynamic = {name: {0: "batch", 1: "sequence"} for name in names}
    dynamic["logits"] = {0: "batch"}
    # ONNX Runtime fuses the attention pattern of the eager implementation, not SDPA's.
    previous = model.config._attn_implementation
    model.set_attn_implementation("eager")
    try:
        with warnings.catch_warnings(), torch.inference_mode():
            # The TorchScript exporter warns about traced Python values it keeps constant;
            # the export is checked against the reference when the model loads.
            warnings.simplefilter("ignore")
            torch.onnx.export(
                model,
                tuple(torch.from_numpy(sample[name]) for name in names),
                str(path),
                input_names=names,
                output_names=["logits"],
                dynamic_axes=dynamic,
                opset_version=17,
                # The dynamo exporter needs onnxscript, which is not a dependency.
                dynamo=False,
            )
    finally:
        model.set_attn_implementation(previous)
    return path


def _fuse(path: Path, config, out: Path) -> Path:
    """Fuse attention, layer norm and GELU into ONNX Runtime's CPU kernels when possible."""
    if config.model_type not in FUSABLE_MODEL_TYPES:
        return path
    from onnxruntime.transformers.optimizer import optimize_model

    try:
        optimized = optimize_model(
            str(path),
            model_type="bert",
            num_heads=config.num_attention_heads,
            hidden_size=config.hidden_size,
        )
        optimized.save_model_to_file(str(out))
    except Exception as exc:  # unfused still works, only slower
        log.warning("toxicity.onnx_fusion_failed", extra={"error": str(exc)[:200]})
        return path
    return out


def _quantize(path: Path, out: Path) -> Path:
    """Quantise MatMul weights to int8; activations are quantised per batch at run time."""
    import onnx
    from onnxruntime.quantization import QuantType, quantize_dynamic

    quantize_dynamic(
        str(path),
        str(out),
        weight_type=QuantType.QInt8,
        op_types_to_quantize=QUANTIZED_OPS,
        # Fused contrib ops have no inferred output types; they are float.
        extra_options={"DefaultTensorType": onnx.TensorProto.FLOAT},
    )
    return out
