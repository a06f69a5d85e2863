/* libFuzzer target: config.json + safetensors (make fuzz). Input layout:
 * config.json text, a NUL byte, then the safetensors file; without a NUL
 * the whole input is the safetensors file and a fixed valid config is used. */
#include "fuzz_common.h"

static const char default_cfg[] =
    "{\"model_type\": \"bitnet\", \"hidden_size\": 32, \"intermediate_size\": 64,"
    " \"num_hidden_layers\": 1, \"num_attention_heads\": 1, \"num_key_value_heads\": 1,"
    " \"vocab_size\": 258, \"max_position_embeddings\": 16, \"rms_norm_eps\": 1e-05,"
    " \"tie_word_embeddings\": true}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  const uint8_t *nul = memchr(data, 0, size);
  size_t cl = nul ? (size_t)(nul - data) : sizeof default_cfg - 1;
  size_t sl = nul ? size - cl - 1 : size;
  char *cfg = malloc(cl ? cl : 1);
  uint8_t *st = malloc(sl ? sl : 1);
  if (cfg && st) {
    memcpy(cfg, nul ? (const char *)data : default_cfg, cl);
    memcpy(st, nul ? nul + 1 : data, sl);
    tern_file *f = NULL;
    tern_err err;
    if (!tern_file_open_st_mem(st, sl, cfg, cl, &f, &err)) {
      fuzz_exercise(f);
      tern_file_close(f);
    }
  }
  free(cfg);
  free(st);
  return 0;
}
