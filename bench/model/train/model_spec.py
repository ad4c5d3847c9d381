"""The model's shape, as LlamaConfig keyword arguments, and its exact parameter count.

Why these numbers: the checkpoint is committed to the repository, so its bf16 safetensors must
stay under ~25 MB (12.2 M parameters = 24.4 MB); within that, 8 layers of 6 query heads give 48
heads (16 KV heads) of attention to study, head dim 64 and 2 KV heads per layer match the
grouped-query layout of real LLaMA checkpoints, and context 4096 is what the selectors are
compared at. Embeddings are untied (the LLaMA default): the checkpoint then holds every tensor
explicitly (lm_head.weight included), so an engine needs no weight-tying rule, and the input
and output byte tables may differ; the cost is 99 K parameters (0.8 %).
Kept torch-free so the size can be checked on a machine without torch.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass

from corpus import BOS, EOS, VOCAB_SIZE

MAX_CHECKPOINT_BYTES = 25_000_000


@dataclass(frozen=True)
class ModelSpec:
    """The architectural choices (everything else is LLaMA's default)."""

    hidden_size: int = 384
    num_hidden_layers: int = 8
    num_attention_heads: int = 6
    num_key_value_heads: int = 2
    head_dim: int = 64
    intermediate_size: int = 960
    max_position_embeddings: int = 4096
    rope_theta: float = 10000.0
    rms_norm_eps: float = 1e-5
    tie_word_embeddings: bool = False
    vocab_size: int = VOCAB_SIZE


SMOKE_SPEC = ModelSpec(hidden_size=256, num_hidden_layers=2, num_attention_heads=4, intermediate_size=512)

# The small shape for the copy-mix model (README "The small shape"): 4 layers are enough for
# induction (a previous-token head feeding a copy head needs two), 16 query heads (8 KV heads) to
# study; 2.89 M parameters = 5.8 MB in bf16, so the checkpoint travels easily.
SMALL_SPEC = ModelSpec(hidden_size=256, num_hidden_layers=4, num_attention_heads=4, num_key_value_heads=2,
                       head_dim=64, intermediate_size=640)
SMALL_MAX_CHECKPOINT_BYTES = 6_500_000


@dataclass(frozen=True)
class Shape:
    """A named model shape: its spec, checkpoint size limit and default peak learning rate."""

    spec: ModelSpec
    max_checkpoint_bytes: int
    default_lr: float


# The small shape's peak learning rate is the 12m one scaled by the width ratio 384/256 (Adam's
# stable step size shrinks roughly as 1/width), 2e-3 * 1.5 = 3e-3.
SHAPES = {
    "12m": Shape(ModelSpec(), MAX_CHECKPOINT_BYTES, 2e-3),
    "small": Shape(SMALL_SPEC, SMALL_MAX_CHECKPOINT_BYTES, 3e-3),
}


def llama_config_kwargs(spec: ModelSpec) -> dict[str, object]:
    """Keyword arguments for transformers.LlamaConfig (rope given in the v5 rope_parameters form)."""
    if spec.num_attention_heads * spec.head_dim != spec.hidden_size:
        raise ValueError("num_attention_heads * head_dim must equal hidden_size")
    if spec.num_attention_heads % spec.num_key_value_heads != 0:
        raise ValueError("num_attention_heads must be a multiple of num_key_value_heads")
    return {
        "vocab_size": spec.vocab_size,
        "hidden_size": spec.hidden_size,
        "intermediate_size": spec.intermediate_size,
        "num_hidden_layers": spec.num_hidden_layers,
        "num_attention_heads": spec.num_attention_heads,
        "num_key_value_heads": spec.num_key_value_heads,
        "head_dim": spec.head_dim,
        "hidden_act": "silu",
        "max_position_embeddings": spec.max_position_embeddings,
        "rms_norm_eps": spec.rms_norm_eps,
        "tie_word_embeddings": spec.tie_word_embeddings,
        "rope_parameters": {"rope_type": "default", "rope_theta": spec.rope_theta},
        "attention_bias": False,
        "mlp_bias": False,
        "bos_token_id": BOS,
        "eos_token_id": EOS,
        "pad_token_id": None,
        "initializer_range": 0.02,
    }


def parameter_count(spec: ModelSpec) -> int:
    """Exact count of LlamaForCausalLM's parameters for this spec (checked against torch in train.py)."""
    d, kv = spec.hidden_size, spec.num_key_value_heads * spec.head_dim
    attention = 2 * d * d + 2 * d * kv
    mlp = 3 * d * spec.intermediate_size
    layer = attention + mlp + 2 * d  # two RMSNorm weights
    embeddings = spec.vocab_size * d * (1 if spec.tie_word_embeddings else 2)
    return spec.num_hidden_layers * layer + embeddings + d  # final norm


def spec_record(spec: ModelSpec) -> dict[str, object]:
    """The spec and its size, for training.json."""
    params = parameter_count(spec)
    return {**asdict(spec), "parameters": params, "bf16Bytes": 2 * params}
