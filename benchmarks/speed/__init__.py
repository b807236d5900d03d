"""Side-by-side translation speed: the naive loop, raw CTranslate2, reader's pipeline on both backends, argos-translate.

Real opus-mt-ar-en weights cannot be downloaded here, so this builds a model with its exact
architecture and vocabulary size (62,834 pieces, d_model 512, 6+6 layers, 8 heads, FFN 2048, swish,
static positions, tied embeddings) and seeded random weights, with sentencepiece models trained on
the seed articles. Random weights make outputs arbitrary, so every contender is forced to produce the
same number of target tokens per model call (1.5 per source word, averaged over the call; the
backends' ``force_output_lengths`` hook): all contenders do identical work.

  harness.py       the plan of model calls (the real pipeline run with a stand-in model), forced
                   lengths, timing, peak RSS (VmHWM), child processes
  contenders.py    what is run: process contenders, the side-by-side variants, argos-translate
  report.py        ratios, targets, tables, docs/performance.{md,json,png}
  argos_child.py   argos-translate on the same CTranslate2 model, in its own virtual environment

Usage (from the repository root):
  .venv/bin/python -m benchmarks.speed            # full run, writes docs/performance.{md,json,png}
  .venv/bin/python -m benchmarks.speed --quick    # smoke run: 4 sentences of one article, no docs
  .venv/bin/python -m benchmarks.speed --only side-by-side --variants raw-ct2 ct2 solo

The argos-translate contenders need argostranslate in a virtual environment of its own (its
dependencies would otherwise change the project's; torch first, so that the CPU build is the one used):
  python3 -m venv .cache/argos-venv
  .cache/argos-venv/bin/pip install torch==2.13.0
  .cache/argos-venv/bin/pip install argostranslate==1.11.0
(or point --argos-venv / READER_BENCH_ARGOS_VENV at another one). Without it the peers are skipped.
"""
