# Register map: rtl/regs/tern_regs.rdl is the source; PeakRDL generates the
# SV register block, the C header and docs/registers.md (committed).

REGS_OUT := rtl/regs/gen/tern_regs_pkg.sv rtl/regs/gen/tern_regs.sv cmodel/tern_regs.h docs/registers.md

.PHONY: regs check-regs
regs: $(DEPS_PY) ## regenerate register block, C header and docs from the SystemRDL
	scripts/gen_regs.sh .

check-regs: $(DEPS_PY) ## fail if the committed register outputs are stale
	@rm -rf $(BUILD)/regs-check && scripts/gen_regs.sh $(BUILD)/regs-check
	@for f in $(REGS_OUT); do \
	  cmp -s $$f $(BUILD)/regs-check/$$f || { echo "stale: $$f (run make regs)"; exit 1; }; \
	done; echo "registers: generated files up to date"

GENERATED_CHECKS += check-regs
