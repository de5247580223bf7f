"""The low-income groups' workflow (困难群众医疗保障): identities from other departments
(``identities``), applications for assistance (``cases``), settlements with high-cost alerts and
re-assistance (``settlements``), the assistance fund's premium payments (``batches``), and what it
adds to the enrollment app's pages (``contributions``)."""
