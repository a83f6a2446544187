"""The use cases every interface shares: the audited writes and the read models each screen
and command needs."""
