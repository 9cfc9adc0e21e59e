#!/bin/sh
# Stand-in for lukechilds/docker-electrumx bin/init (v1.18.0): map the legacy COIN name, make a
# self-signed certificate in the data volume on first start when either file is missing (the ssl://
# service needs SSL_CERTFILE and SSL_KEYFILE), then run the server in its place.
if [ "$COIN" = BitcoinSegwit ]; then
	COIN=Bitcoin
fi
if [ ! -e "$SSL_CERTFILE" ] || [ ! -e "$SSL_KEYFILE" ]; then
	openssl req -newkey rsa:2048 -sha256 -nodes -x509 -days 365 -subj /O=ElectrumX \
		-keyout "$SSL_KEYFILE" -out "$SSL_CERTFILE"
fi
exec electrumx_server
