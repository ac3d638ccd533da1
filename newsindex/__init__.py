"""newsindex: the cross-article index's storage engine, which recent articles of a
namespace carry the same story (MinHash signatures, LSH buckets on Redis, or in a SQLite
file every worker of a server shares).

`newsindex.index` is the index the service and `newsclean index` use; `newsindex.lsh` is
its storage layout (the Redis scripts, and `HashStore`, their steps on other storage);
`newsindex.sqlite` keeps that layout in a file. None imports Flask: the HTTP layer
(`service`) maps `BadIndexRequest` to its 400 and `IndexUnavailable` to its 503.
"""
