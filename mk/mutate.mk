# Mutation check of the golden model (not part of `make test`: a few minutes).
.PHONY: mutate
mutate: ## apply arithmetic mutations to a scratch copy of cmodel/ and require tests to catch each
	scripts/mutate.sh
