"""Beam search on transformers with what is the same for every beam of a sentence kept once per sentence.

Beam search runs ``beams`` hypotheses per sentence, and transformers keeps the cross-attention
keys and values (over the source) once per hypothesis, although they are the same for every beam
of one sentence: at opus-mt-ar-en's size that is 24 KB per hypothesis and source token, the
largest block of memory beam search holds. Here they are kept once per sentence, and an attention
function lets each sentence's beams attend to them as extra query positions: the same arithmetic
in one matrix product per sentence, with no copy per beam. On the toy model the translations,
scores and alignments are identical to eager attention's (tests/test_transformers_backend.py).

Beams never move between sentences, so the per-sentence cache never needs reordering; the
self-attention cache still does.
"""

from __future__ import annotations

import functools
from typing import Any

ATTENTION = "reader_sentence_cross"
"""The attention implementation the backend loads Marian models with (eager arithmetic)."""


@functools.cache
def attention_implementation() -> str:
    """Register the attention function (and eager's mask format for it) with transformers, once."""
    from transformers import AttentionInterface, AttentionMaskInterface
    from transformers.masking_utils import ALL_MASK_ATTENTION_FUNCTIONS
    from transformers.models.marian.modeling_marian import eager_attention_forward

    AttentionInterface.register(ATTENTION, functools.partial(_attention, eager_attention_forward))
    # Without this, transformers builds the masks of an unknown implementation in sdpa's boolean
    # format, which eager arithmetic would add to its scores.
    AttentionMaskInterface.register(ATTENTION, ALL_MASK_ATTENTION_FUNCTIONS["eager"])
    return ATTENTION


def _attention(
    eager: Any,
    module: Any,
    query: Any,
    key: Any,
    value: Any,
    attention_mask: Any,
    scaling: float | None = None,
    dropout: float = 0.0,
    **kwargs: Any,
) -> tuple[Any, Any]:
    """Eager attention; where keys hold one row per sentence, that sentence's beams share them.

    Queries come as [sentences x beams, heads, length, dim], beams of one sentence in consecutive
    rows (as generate() expands them). Each sentence's beams become query positions of one row,
    [sentences, heads, beams x length, dim], against its [sentences, heads, source, dim] keys.
    """
    import torch

    rows, heads, length, dim = query.shape
    sentences = key.shape[0]
    if sentences == rows:
        return eager(module, query, key, value, attention_mask, scaling=scaling, dropout=dropout, **kwargs)
    beams = rows // sentences
    grouped = query.view(sentences, beams, heads, length, dim).transpose(1, 2).reshape(sentences, heads, -1, dim)
    weights = torch.matmul(grouped, key.transpose(2, 3)) * (dim**-0.5 if scaling is None else scaling)
    if attention_mask is not None:
        # The source's padding: the same for every beam of a sentence and every query position.
        weights = weights + attention_mask[::beams, :, :1, :]
    weights = torch.nn.functional.softmax(weights, dim=-1)
    weights = torch.nn.functional.dropout(weights, p=dropout, training=module.training)
    output = torch.matmul(weights, value).view(sentences, heads, beams, length, dim)
    output = output.permute(0, 2, 3, 1, 4).reshape(rows, length, heads, dim)
    per_row = weights.view(sentences, heads, beams, length, -1).transpose(1, 2).reshape(rows, heads, length, -1)
    return output, per_row


def beam_cache(config: Any, beams: int) -> Any:
    """generate()'s key/value cache for a beam search of ``beams``: cross-attention once per sentence.

    Only the self-attention cache is reordered after each step: the cross-attention keys and values
    are the same for every beam of one sentence, and transformers would otherwise copy them at every
    step (on CPU a third of the translation time, docs/performance.md).
    """
    from transformers import DynamicCache

    decoder = config.get_text_config(decoder=True)
    cross = _per_sentence()(beams, config=decoder) if beams > 1 else DynamicCache(config=decoder)
    return _self_attention_reorder()(DynamicCache(config=decoder), cross)


@functools.cache
def _per_sentence() -> type:
    from transformers import DynamicCache

    class PerSentence(DynamicCache):
        """Keeps the first beam's row of each sentence; this step still attends with all of them."""

        def __init__(self, beams: int, **kwargs: Any) -> None:
            super().__init__(**kwargs)
            self.beams = beams

        def update(self, key_states: Any, value_states: Any, layer_idx: int, *args: Any, **kwargs: Any) -> Any:
            keys, values = key_states[:: self.beams].contiguous(), value_states[:: self.beams].contiguous()
            super().update(keys, values, layer_idx, *args, **kwargs)
            return key_states, value_states

    return PerSentence


@functools.cache
def _self_attention_reorder() -> type:
    from transformers import EncoderDecoderCache

    class SelfAttentionReorder(EncoderDecoderCache):
        def reorder_cache(self, beam_idx: Any) -> None:
            self.self_attention_cache.reorder_cache(beam_idx)

    return SelfAttentionReorder
