/** `prhs model init|generate|check|trace|evaluate`: LLaMA-family checkpoints with PrHS in the decode loop (theory/model.md). */
import { InvalidArgumentError } from '../../core/errors.js';
import type { Command } from '../command.js';
import { runCheck } from '../model/check.js';
import { runGenerate } from '../model/generate.js';
import { runInit } from '../model/init.js';
import { runTrace } from '../model/trace.js';
import { runEvaluate } from '../model/evaluate.js';

const subcommands = { init: runInit, generate: runGenerate, check: runCheck, trace: runTrace, evaluate: runEvaluate } as const;

export const modelCommand: Command = {
  name: 'model',
  summary: 'run LLaMA/Mistral/Qwen2 checkpoints: init, generate (dense or with a selector), check engines, trace, evaluate',
  usage: [
    'prhs model init --shape tiny|llama-1b|llama2-7b|llama3-8b|mistral-7b|qwen2-7b --out DIR [--seed S] [--dtype fp32|fp16|bf16] [--std X] [--overwrite]',
    '       prhs model generate --checkpoint DIR (--prompt-ids FILE | --prompt-random N) [--steps S] [--batch B] [--selector NAME --budget K] [--backend reference|cpu]',
    '       prhs model check --checkpoint DIR [--backend cpu] [--prompt-ids FILE | --prompt-random N] [--batch B] [--steps S]',
    '       prhs model trace --checkpoint DIR (--prompt-ids FILE | --prompt-random N) [--steps S] --out FILE.safetensors [--backend reference|cpu]',
    '       prhs model trace --checkpoint DIR (--ids FILE | --bytes FILE) [--context N] [--score-from P] --out FILE.safetensors [--backend reference|cpu]',
    '       prhs model evaluate --checkpoint DIR (--ids FILE | --bytes FILE) [--context N] [--score-from P] [--selector NAME --budget K] [--backend reference|cpu]',
  ].join('\n'),
  options: {
    shape: { type: 'string', placeholder: 'NAME', description: 'init: the preset shape (default tiny)' },
    out: { type: 'string', placeholder: 'DIR|FILE', description: 'init: the checkpoint folder; trace: the trace file' },
    seed: { type: 'string', placeholder: 'S', description: 'init: weight seed; --prompt-random: prompt seed (default 1)' },
    dtype: { type: 'string', placeholder: 'DTYPE', description: 'init: weight dtype (default: the preset\'s)' },
    std: { type: 'string', placeholder: 'X', description: 'init: standard deviation of the random weights (default 0.02)' },
    overwrite: { type: 'boolean', description: 'init: replace an existing checkpoint folder' },
    checkpoint: { type: 'string', placeholder: 'DIR', description: 'a folder with config.json and model.safetensors (or a sharded index)' },
    'prompt-ids': { type: 'string', placeholder: 'FILE', description: 'a JSON file: an array of token ids, or equal-length arrays for a batch (- reads standard input)' },
    'prompt-random': { type: 'string', placeholder: 'N', description: 'a random prompt of N token ids (seeded by --seed)' },
    steps: { type: 'string', placeholder: 'S', description: 'greedy decode steps (generate 16, check 32, trace 64)' },
    batch: { type: 'string', placeholder: 'B', description: 'sequences side by side (default: the prompts in the file, or 1)' },
    selector: { type: 'string', placeholder: 'NAME', description: 'generate: a selector in the decode loop (oracle, cis, psaw, etf, certified, streamingllm, h2o, snapkv, quest, hshare, doublesparsity)' },
    budget: { type: 'string', placeholder: 'K', description: 'generate: positions each head keeps per step (with --selector)' },
    backend: { type: 'string', placeholder: 'NAME', description: 'reference, cpu (default) or cuda' },
    ids: { type: 'string', placeholder: 'FILE', description: 'evaluate, trace (teacher-forced): a JSON file of token ids' },
    bytes: { type: 'string', placeholder: 'FILE', description: 'evaluate, trace (teacher-forced): a file read as bytes (byte-level models; BOS first when the config has one)' },
    context: { type: 'string', placeholder: 'N', description: 'evaluate, trace: tokens fed (default all, at most max_position_embeddings)' },
    'score-from': { type: 'string', placeholder: 'P', description: 'evaluate: first scored position; trace: first decode step; earlier ones are dense context (default context/8)' },
    json: { type: 'boolean', description: 'print the result as JSON' },
  },
  async run(args, io) {
    const [name, ...extra] = args.positionals;
    const run = subcommands[name as keyof typeof subcommands];
    if (!run) throw new InvalidArgumentError('subcommand', `one of ${Object.keys(subcommands).join(', ')}`, name === undefined ? 'nothing' : JSON.stringify(name), 'domain');
    if (extra.length > 0) throw new InvalidArgumentError(extra[0]!, 'an option (--name value)', 'a stray argument', 'domain');
    return await run(args, io);
  },
};
