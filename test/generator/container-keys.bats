#!/usr/bin/env bats
# The golden test of a container's runtime and hardening keys: test/generator/container-keys.yaml
# uses every one in each of its forms, and archy-generator renders it byte for byte as
# golden-container-keys/ holds it. ARCHY_UPDATE_GOLDEN=1 rewrites the golden files (review the diff).
# test/quadlet/quadlet.bats gives the same manifest to podman 5.4's real Quadlet.

setup() {
	GEN=${ARCHY_GENERATOR:-$BATS_TEST_DIRNAME/../../build/archy-generator}
	GEN=$(realpath "$GEN")
	TOP=$(realpath "$BATS_TEST_DIRNAME/../..")
	T=$(mktemp -d /tmp/archy-bats.XXXXXX)
}

teardown() { rm -rf "$T"; }

@test "every container key renders as the golden files hold it" {
	cd "$TOP"
	run "$GEN" --check test/generator/container-keys.yaml
	[ "$status" -eq 0 ]
	[ "$output" = "test/generator/container-keys.yaml: 1 apps, 0 with problems, 0 uninstalled" ]
	run "$GEN" --dry-run --manifest test/generator/container-keys.yaml --output "$T/dry"
	[ "$status" -eq 0 ]
	golden=$TOP/test/generator/golden-container-keys
	if [ -n "${ARCHY_UPDATE_GOLDEN:-}" ]; then
		rm -rf "$golden" && cp -r "$T/dry/quadlet" "$golden"
	fi
	diff -r "$golden" "$T/dry/quadlet"
}
