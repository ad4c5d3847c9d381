/** `prhs model init|generate|check|trace|evaluate`: LLaMA-family checkpoints with PrHS in the decode loop (theory/model.md). */
import { InvalidArgumentError } from '../../core/errors.js';
import type { Command } from '../command.js';
import { runCheck } from '../model/check.js';
import { runGenerate } from '../model/generate.js';
import { runInit } from '../model/init.js';
import { runTrace } from '../model/trace.js';
import { runEvaluate } from '../model/evaluate.js';
import { runBench } from '../model/bench.js';

const subcommands = {
  init: runInit,
  generate: runGenerate,
  check: runCheck,
  trace: runTrace,
  evaluate: runEvaluate,
  bench: runBench,
} as const;

export const modelCommand: Command = {
  name: 'model',
  summary:
    'run LLaMA/Mistral/Qwen2 checkpoints: init, generate (dense or with a selector), check engines, trace, evaluate, bench (CUDA decode speed)',
  usage: [
    'prhs model init --shape tiny|llama-1b|llama2-7b|llama3-8b|mistral-7b|qwen2-7b --out DIR [--seed S] [--dtype fp32|fp16|bf16] [--std X] [--overwrite]',
    '       prhs model generate --checkpoint DIR (--prompt-ids FILE | --prompt-random N) [--steps S] [--batch B] [--selector NAME --budget K] [--backend reference|cpu|cuda] [--check-every N]',
    '       prhs model check --checkpoint DIR [--backend cpu] [--prompt-ids FILE | --prompt-random N] [--batch B] [--steps S]',
    '       prhs model check --checkpoint DIR --backend cuda --hf-reference FILE.safetensors',
    '       prhs model trace --checkpoint DIR (--prompt-ids FILE | --prompt-random N) [--steps S] --out FILE.safetensors [--backend reference|cpu]',
    '       prhs model trace --checkpoint DIR (--ids FILE | --bytes FILE) [--context N] [--score-from P] --out FILE.safetensors [--backend reference|cpu]',
    '       prhs model evaluate --checkpoint DIR (--ids FILE | --bytes FILE) [--context N] [--score-from P] [--selector NAME --budget K] [--backend reference|cpu]',
    '       prhs model bench (--shape NAME | --checkpoint DIR) [--batch B] [--context N] [--selector dense|cis|oracle|streaming --budget K] [--steps S] [--warmup W] [--dtype fp16|bf16] [--out FILE.json]',
  ].join('\n'),
  options: {
    shape: {
      type: 'string',
      placeholder: 'NAME',
      description: 'init: the preset shape (default tiny); bench: the shape timed with random weights',
    },
    out: {
      type: 'string',
      placeholder: 'DIR|FILE',
      description: 'init: the checkpoint folder; trace: the trace file; bench: the JSON report',
    },
    seed: {
      type: 'string',
      placeholder: 'S',
      description: 'init, bench: weight seed; --prompt-random: prompt seed (default 1)',
    },
    dtype: {
      type: 'string',
      placeholder: 'DTYPE',
      description: "init: weight dtype; bench: engine dtype fp16|bf16 (default: the preset's or checkpoint's)",
    },
    std: {
      type: 'string',
      placeholder: 'X',
      description: 'init: standard deviation of the random weights (default 0.02)',
    },
    overwrite: { type: 'boolean', description: 'init: replace an existing checkpoint folder' },
    checkpoint: {
      type: 'string',
      placeholder: 'DIR',
      description: 'a folder with config.json and model.safetensors (or a sharded index)',
    },
    'prompt-ids': {
      type: 'string',
      placeholder: 'FILE',
      description: 'a JSON file: an array of token ids, or equal-length arrays for a batch (- reads standard input)',
    },
    'prompt-random': {
      type: 'string',
      placeholder: 'N',
      description: 'a random prompt of N token ids (seeded by --seed)',
    },
    steps: {
      type: 'string',
      placeholder: 'S',
      description: 'greedy decode steps (generate 16, check 32, trace 64); bench: timed steps (50)',
    },
    batch: {
      type: 'string',
      placeholder: 'B',
      description: 'sequences side by side (default: the prompts in the file, or 1; bench at most 64)',
    },
    selector: {
      type: 'string',
      placeholder: 'NAME',
      description:
        'generate: a selector in the decode loop (oracle, cis, psaw, etf, certified, streamingllm, h2o, snapkv, quest, hshare, doublesparsity; cuda: cis, oracle, streamingllm); bench: dense, cis, oracle or streaming on the GPU',
    },
    'hf-reference': {
      type: 'string',
      placeholder: 'FILE',
      description: 'check --backend cuda: HF float64 and half logits of the checkpoint (bench/model/hf_reference.py)',
    },
    'check-every': {
      type: 'string',
      placeholder: 'N',
      description:
        'generate, cuda with --selector: every N-th step also runs densely and records δ and ‖o − ô‖ (check mode)',
    },
    budget: {
      type: 'string',
      placeholder: 'K',
      description: 'generate, bench: positions each head keeps per step (with --selector)',
    },
    backend: { type: 'string', placeholder: 'NAME', description: 'reference, cpu (default) or cuda' },
    ids: {
      type: 'string',
      placeholder: 'FILE',
      description: 'evaluate, trace (teacher-forced): a JSON file of token ids',
    },
    bytes: {
      type: 'string',
      placeholder: 'FILE',
      description:
        'evaluate, trace (teacher-forced): a file read as bytes (byte-level models; BOS first when the config has one)',
    },
    context: {
      type: 'string',
      placeholder: 'N',
      description:
        'evaluate, trace: tokens fed (default all, at most max_position_embeddings); bench: cache length the steps start from (default 4096)',
    },
    'score-from': {
      type: 'string',
      placeholder: 'P',
      description:
        'evaluate: first scored position; trace: first decode step; earlier ones are dense context (default context/8)',
    },
    warmup: {
      type: 'string',
      placeholder: 'W',
      description: 'bench: untimed decode steps before the timed ones (default 10)',
    },
    json: { type: 'boolean', description: 'print the result as JSON' },
  },
  async run(args, io) {
    const [name, ...extra] = args.positionals;
    const run = subcommands[name as keyof typeof subcommands];
    if (!run)
      throw new InvalidArgumentError(
        'subcommand',
        `one of ${Object.keys(subcommands).join(', ')}`,
        name === undefined ? 'nothing' : JSON.stringify(name),
        'domain',
      );
    if (extra.length > 0)
      throw new InvalidArgumentError(extra[0]!, 'an option (--name value)', 'a stray argument', 'domain');
    return await run(args, io);
  },
};
