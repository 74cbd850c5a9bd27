#!/usr/bin/env python3
"""Write a tiny random-weights Llama-3-architecture GGUF for llama-server tests.

The weights are noise, but everything a server and a client see on the wire is
real: Meta's Llama 3 tokenizer (copied from llama.cpp's vocab-only test model),
eos <|eot_id|> as in the Instruct models, and the Llama 3.3 chat template, so
tokenisation, chat formatting, grammars and tool-call parsing behave as with a
real Llama 3. The output is byte-identical for the same inputs, so a pinned
sha256 can tell a good cached copy from a stale or partial one.

Usage: tiny_llama.py --vocab ggml-vocab-llama-bpe.gguf \
                     --template meta-llama-Llama-3.3-70B-Instruct.jinja --out tiny.gguf
Needs numpy and the gguf package from the same llama.cpp tree as the server.
"""
import argparse

import numpy as np
import gguf

N_LAYER, N_EMBD, N_HEAD, N_HEAD_KV, N_FF, N_CTX = 2, 64, 4, 2, 128, 2048
HEAD_DIM = N_EMBD // N_HEAD
EOT_ID = 128009  # <|eot_id|>: what Llama 3 Instruct ends a turn with


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--vocab", required=True, help="vendor/llama.cpp/models/ggml-vocab-llama-bpe.gguf")
    ap.add_argument("--template", required=True, help="Llama 3.x chat template (.jinja)")
    ap.add_argument("--out", required=True)
    ap.add_argument("--seed", type=int, default=20240723)
    args = ap.parse_args()

    vocab = gguf.GGUFReader(args.vocab)
    n_vocab = len(vocab.fields["tokenizer.ggml.tokens"].data)

    w = gguf.GGUFWriter(args.out, "llama")
    w.add_name("tiny")
    w.add_block_count(N_LAYER)
    w.add_context_length(N_CTX)
    w.add_embedding_length(N_EMBD)
    w.add_feed_forward_length(N_FF)
    w.add_head_count(N_HEAD)
    w.add_head_count_kv(N_HEAD_KV)
    w.add_rope_freq_base(5e5)
    w.add_rope_dimension_count(HEAD_DIM)
    w.add_layer_norm_rms_eps(1e-5)
    w.add_vocab_size(n_vocab)
    w.add_file_type(gguf.LlamaFileType.MOSTLY_F16)

    # Copy every tokenizer.* KV pair verbatim (types included) so the server
    # tokenises exactly like Llama 3, then override what the Instruct models differ in.
    for name, field in vocab.fields.items():
        if name.startswith("tokenizer.") and name != gguf.Keys.Tokenizer.EOS_ID:
            sub = field.types[-1] if field.types[0] == gguf.GGUFValueType.ARRAY else None
            w.add_key_value(name, field.contents(), field.types[0], sub)
    w.add_eos_token_id(EOT_ID)
    with open(args.template, encoding="utf-8") as f:
        w.add_chat_template(f.read())

    # Legacy RandomState: numpy guarantees its stream across versions
    # (Generator does not), which keeps the file byte-identical.
    rng = np.random.RandomState(args.seed)

    def weight(*shape: int) -> np.ndarray:
        # numpy shape is (out, in): the reverse of ggml's ne order.
        return (rng.standard_normal(shape) * 0.02).astype(np.float16)

    def norm() -> np.ndarray:
        return np.ones(N_EMBD, dtype=np.float32)

    kv = N_HEAD_KV * HEAD_DIM
    w.add_tensor("token_embd.weight", weight(n_vocab, N_EMBD))
    for i in range(N_LAYER):
        p = f"blk.{i}."
        w.add_tensor(p + "attn_norm.weight", norm())
        w.add_tensor(p + "attn_q.weight", weight(N_EMBD, N_EMBD))
        w.add_tensor(p + "attn_k.weight", weight(kv, N_EMBD))
        w.add_tensor(p + "attn_v.weight", weight(kv, N_EMBD))
        w.add_tensor(p + "attn_output.weight", weight(N_EMBD, N_EMBD))
        w.add_tensor(p + "ffn_norm.weight", norm())
        w.add_tensor(p + "ffn_gate.weight", weight(N_FF, N_EMBD))
        w.add_tensor(p + "ffn_up.weight", weight(N_FF, N_EMBD))
        w.add_tensor(p + "ffn_down.weight", weight(N_EMBD, N_FF))
    w.add_tensor("output_norm.weight", norm())
    w.add_tensor("output.weight", weight(n_vocab, N_EMBD))

    w.write_header_to_file()
    w.write_kv_data_to_file()
    w.write_tensors_to_file()
    w.close()


if __name__ == "__main__":
    main()
