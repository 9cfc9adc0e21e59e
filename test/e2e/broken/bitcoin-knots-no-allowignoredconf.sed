# container: archy-bitcoin-knots
# expect: set allowignoredconf=1 option to treat this condition as a warning, not an error
# bitcoin-knots without -allowignoredconf=1: the image's entrypoint writes /data/bitcoin.conf and
# bitcoind >= 25 refuses a datadir bitcoin.conf that -conf ignores (bitcoin/bitcoin v28.1
# src/common/init.cpp). Refused by the bitcoind stand-in as "contract: bitcoin/bitcoin v28.1 ...".
/^  bitcoin-knots:/,/^  bitcoin-core:/s/, -allowignoredconf=1//
