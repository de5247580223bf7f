"""The project package and everything the apps share.

``settings``, ``urls`` (the only module that knows every app), ``wsgi`` and ``apps`` are the
project itself; ``models`` and ``admin`` only gather what the folders define. The rest lives in
folders by concern, each saying in its ``__init__`` what it owns:

- ``network``: the region tree, service points, and finding a point;
- ``public``: the public site's own pages (home, service guides, policy notices);
- ``accounts``: staff sign-in, the second factor, lockouts, roles and scopes;
- ``privacy``: ID numbers, their encryption, the access log, masking;
- ``standards``: the versioned-standard base that enrollment and benefits build on;
- ``spreadsheets``: reading uploaded CSV/XLSX files with every limit, and safe exports;
- ``web``: request plumbing (middleware, client address, rate limits, pagination, display mode);
- ``shared``: the vocabulary of DESIGN.md, money, messages to residents, and the hooks through
  which one app adds to another's pages.

Nothing in ``portal`` imports the apps, except ``urls``.
"""
