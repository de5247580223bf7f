"""The service network: the 12-digit region tree (统计用区划代码) and everything under a region,
the service points residents go to, the region picker, and the public pages and API that find a
point. Scoped querysets (``within``, ``visible_to``) start here."""
