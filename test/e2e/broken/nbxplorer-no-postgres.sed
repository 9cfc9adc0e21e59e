# container: archy-btcpay-server-nbxplorer
# expect: POSTGRES is required
# NBXplorer without NBXPLORER_POSTGRES: 2.5.17 and later have no DBTrie backend and exit with
# "POSTGRES is required" (dgarage/NBXplorer NBXplorer/Backend/DbConnectionFactory.cs).
/^          NBXPLORER_POSTGRES:/d
