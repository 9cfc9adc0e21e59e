# container: archy-lnd
# expect: wallet unlock password file was specified but wallet does not exist
# lnd without --wallet-unlock-allow-create (lnd-conf always renders bitcoin.mainnet=1, so the chain
# flag cannot be dropped from the manifest): on a fresh node the wallet password file names a wallet
# that does not exist yet and lnd exits (lightningnetwork/lnd v0.20.3-beta config_builder.go).
/^  lnd:/,/^  electrumx:/s/, --wallet-unlock-allow-create\]/]/
