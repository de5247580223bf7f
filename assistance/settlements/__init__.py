"""Settlement records (就医结算) imported from the settlement system, and what follows from them:
each person's burden after the three layers, high-cost alerts for their township, and
re-assistance (再救助) computed and approved."""
