"""异地就医备案: a resident's filing for treatment outside the pooling region, its print with a
verification QR, and where it shows (the public lookup, the place of a claim's visit)."""
