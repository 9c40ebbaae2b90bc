# Clients nginx's per-address flood limit leaves alone, one `NETWORK 1;` line each: a harvester the
# facility knows, its own monitoring. (The portal's own limits have RATE_LIMIT_EXEMPT_NETWORKS.)
#
# 198.51.100.0/24 1;
