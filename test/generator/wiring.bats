#!/usr/bin/env bats
# Golden files of the volume and wiring keys (archy-manifest(5) VOLUMES, WIRING BETWEEN APPS):
# test/generator/wiring/manifest.yaml rendered by the real archy-generator must give exactly the
# files in test/generator/wiring/expected (regenerate them with --dry-run and review the diff).

setup() {
	GEN=${ARCHY_GENERATOR:-$BATS_TEST_DIRNAME/../../build/archy-generator}
	DIR=$BATS_TEST_DIRNAME/wiring
	T=$(mktemp -d /tmp/archy-bats.XXXXXX)
}

teardown() { rm -rf "$T"; }

@test "volumes with an owner, created bind sources, wiring and another app's volume render as the golden files" {
	cd "$DIR"
	run "$GEN" --dry-run --manifest manifest.yaml --output "$T"
	[ "$status" -eq 0 ]
	[ "${lines[0]}" = "2 apps, 3 containers, 1 volumes rendered into $T/quadlet (0 apps skipped)" ]
	diff -ru expected "$T/quadlet"
}

@test "a reference to an app the app does not require is refused with its position and a hint" {
	sed 's/^    requires: \[node\]$/    requires: []/' "$DIR/manifest.yaml" >"$T/bad.yaml"
	run "$GEN" --check "$T/bad.yaml"
	[ "$status" -eq 1 ]
	[[ "$output" == *"$T/bad.yaml:32:21: apps.indexer.containers.main.env.NODE_RPC: \${app:node.host}: app indexer does not require app \"node\", expected it in apps.indexer.requires (add node there: archy then starts it first and checks that it stays installed)"* ]]
}
