"""newsindex: the cross-article index's storage engine, which recent articles of a
namespace carry the same story (MinHash signatures, LSH buckets on Redis or in memory).

`newsindex.index` is the index the service and `newsclean index` use; `newsindex.lsh` is
its storage layout. Neither imports Flask: the HTTP layer (`service`) maps
`BadIndexRequest` to its 400 and `IndexUnavailable` to its 503.
"""
