"""Request plumbing that every page may use: the middleware that refuses NUL characters, the
client's address behind the proxies, fixed-window rate limits, keyset pagination, the large-text
display mode, and the health check."""
