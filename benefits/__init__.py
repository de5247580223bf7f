"""Benefit estimation: the benefit policy of each year and pooling region, the three-layer engine
(basic insurance, catastrophic insurance, medical assistance, and re-assistance), the estimator
page and its JSON API."""
