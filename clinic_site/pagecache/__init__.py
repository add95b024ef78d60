"""A full-page cache for anonymous visitors, as fresh as the content, for any Django site.

It imports nothing from the site it serves: ``settings.PAGE_CACHE`` (``conf.py``) tells
it which caches to use and which models to watch.

**What is cached** (``middleware.py``). A GET or HEAD without a query string (search
stays live) and without a session cookie (staff may see drafts at public addresses),
outside the paths in ``NEVER`` (the admin, the health check); and of its answers, a 200
that sets no cookie, does not vary on Cookie, is not marked private, no-store or
no-cache, and did not use the page's CSP nonce (a nonce must be new on every response).
HEAD is answered from a stored GET but never stores one.

**Fresh the moment content changes, page by page** (``versions.py``,
``invalidation.py``). Each page (URL path) has a version, a random token kept in the
shared cache beside the pages, and so does "every page". A page is stored with the two
tokens read *before* it was made, and served only while both are still there and the
same. A save or delete of a watched model asks the site's function which pages show
that row (the row as it was stored too, so a renamed page goes stale at both
addresses) and, once the transaction commits, deletes those pages' tokens: once per
page per transaction, and never for a change that rolled back. The next request for
such a page writes a new token, then makes the page. A save of one treatment leaves
every other treatment's pages stored. A token the cache lost counts as changed, never
as unchanged. Pages also expire at the next change no save announces (``NEXT_CHANGE``:
a scheduled publication), at midnight (dates on the page) and after ``SECONDS``; keys
carry a fingerprint of the release (``release.py``: templates, code, the static files'
manifest). ``migrate`` (a deploy, a restore) makes every page stale.

**A hit costs no SQL and one round trip** (``store.py``). The page's two versions and
the page itself are read in one ``get_many`` of the shared cache. With a shared cache
that is not this process's memory, each process also keeps the pages it serves in its
own memory (``LOCAL_CACHE``) and then reads only the versions from the shared cache:
a hit in any process on any server checks the same versions, so it is as fresh as the
shared cache.

**The shared cache must be shared** by every process that serves or changes pages,
since versions live there: a folder of files for the processes of one machine
(``filecache.py``, the site's default, ``CACHE_URL=file://...``), Redis for several
servers. A cache in each
process's memory (``locmem://``) is right only for one process.

**On the wire** (``pages.py``, ``compression.py``). A page is stored once as its plain
bytes and its brotli and gzip encodings, each with its own strong ETag, and sent in the
encoding the client accepts with ``Vary: Accept-Encoding``; an ``If-None-Match`` that
matches gets 304. ``Cache-Control`` is ``public, max-age=0, must-revalidate`` unless
``MAX_AGE`` lets browsers and CDNs reuse a page for that long without asking. Other
responses that carry no secret (search, 404) are compressed on the fly; nothing a
signed-in member of staff sees is compressed (BREACH, ``compression.py``).

**Where it sits.** In MIDDLEWARE after middleware that adds headers to every response,
stored or not (HSTS, a request id, the access log line), and before middleware whose
headers a stored page keeps (CSP, Permissions-Policy, X-Frame-Options: the same for
every response to a page without a nonce, and a page with one is never stored); before
sessions, CSRF and authentication, which a page for anonymous visitors never needs. A
cache that fails (Redis down or slow) is logged and bypassed: pages are made as if
there were no cache, and a change the cache could not be told is told again.
"""
