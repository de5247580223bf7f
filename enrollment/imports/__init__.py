"""Enrollee rolls (school classes, village lists): reading the file (``rolls``), checking every
row and writing all or nothing (``checks``), keeping an uploaded roll between its dry run and its
confirmation (``staging``), and the station's upload form (``forms``)."""
