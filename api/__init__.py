"""The IAM (and STS GetCallerIdentity) Query API: SigV4, wire parsing, XML, dispatch (ARCHITECTURE.md §3)."""
