# Reference checks against Hugging Face transformers' BitNet (tests/ref/,
# docs/reference-check.md) and the trained demo model (models/).
#   make deps-ref      .venv-ref from requirements-ref.txt (torch + transformers: ~6.7 GB, ~4 min)
#   make test-ref      tiny random BitNet models: transformers vs tern, BitLinear by BitLinear
#   make demo-check    the committed demo model: transformers vs tern (GGUF and safetensors)
#   make train-demo    retrain the demo model (tens of minutes on 2 cores)
# Not part of `make test`: the torch install alone is larger than the CI budget allows.

VENV_REF := .venv-ref
PY_REF := $(VENV_REF)/bin/python
DEPS_REF := $(VENV_REF)/.tern-ref-deps
REF_BUILD := $(BUILD)/ref
REF_BACKEND ?= cmodel
REF_ATTN ?= eager
REF_HARNESS := $(REF_BUILD)/ref_harness
DEMO_MODEL := models/tern-demo-kjv

$(DEPS_REF): requirements-ref.txt
	@command -v python3 >/dev/null || { echo "deps-ref: python3 not found"; exit 1; }
	@[ -x $(PY_REF) ] || python3 -m venv $(VENV_REF)
	@echo "deps-ref: installing requirements-ref.txt into $(VENV_REF) (torch with its CUDA libraries, ~6.7 GB)"
	@t0=$$(date +%s); $(PY_REF) -m pip install -q --disable-pip-version-check -r requirements-ref.txt && \
	  echo "deps-ref: done in $$(( $$(date +%s) - t0 )) s, $$(du -sh $(VENV_REF) | cut -f1)"
	@touch $@

# The harness links the model runtime with tern_fw_gemm wrapped, to record
# every BitLinear call (see the comment at the top of ref_harness.c).
$(REF_HARNESS): tests/ref/ref_harness.c $(MODEL_DEPS) $(LIBTERNDRV) $(LIBTERN)
	@mkdir -p $(@D)
	$(CC) $(MODEL_CFLAGS) $(MODEL_INC) tests/ref/ref_harness.c $(MODEL_SRC) $(LIBTERNDRV) $(LIBTERN) \
	  -Wl,--wrap=tern_fw_gemm -lm -lpthread -o $@

.PHONY: deps-ref test-ref demo-check train-demo
deps-ref: $(DEPS_REF) ## install torch + transformers into .venv-ref for the reference checks (~6.7 GB)

test-ref: $(DEPS_REF) $(REF_HARNESS) ## tern vs transformers' BitNet on tiny random models: int8/int32 at every BitLinear, tokens, logits
	$(PY_REF) tests/ref/test_ref.py --harness $(REF_HARNESS) --backend $(REF_BACKEND) --attn $(REF_ATTN)

demo-check: $(DEPS_REF) $(REF_HARNESS) ## the demo model in transformers vs tern (GGUF + safetensors), tokenizer vs HF tokenizers
	$(PY_REF) tests/ref/demo_check.py --harness $(REF_HARNESS) --model $(DEMO_MODEL) --backend $(REF_BACKEND)

DEMO_TRAIN := $(BUILD)/models
# the settings the committed model was trained with (models/train.log)
DEMO_TRAIN_ARGS ?= --hidden 128 --intermediate 384 --layers 4 --heads 4 --kv-heads 2 --vocab 1024 \
  --seq 128 --batch 16 --steps 1600 --lr 4e-3 --warmup 50 --log-every 50 --eval-every 200 --threads 1
train-demo: $(DEPS_REF) ## retrain the demo model from the KJV text (bible-kjv package) and export it to build/models/
	@command -v bible >/dev/null || { echo "train-demo: needs the bible-kjv Debian package"; exit 1; }
	@mkdir -p $(DEMO_TRAIN)
	bible Gen1:1-Rev22:21 | python3 models/prep_corpus.py > $(DEMO_TRAIN)/kjv.txt
	$(PY_REF) models/train_demo.py --corpus $(DEMO_TRAIN)/kjv.txt --out $(DEMO_TRAIN) $(DEMO_TRAIN_ARGS)
	$(PY_REF) models/export_demo.py --ckpt $(DEMO_TRAIN)/qat.pt --tokenizer $(DEMO_TRAIN)/tokenizer.json \
	  --out $(DEMO_TRAIN)/tern-demo-kjv
