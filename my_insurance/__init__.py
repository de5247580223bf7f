"""我的医保: a resident signs in with a code sent to their phone and sees their own insurance.

The app sits on top of the others (my_insurance -> treatment, assistance, enrollment, benefits,
portal) and nothing imports it but portal/urls.py. Its folders:

``signin/``    the code sent to the phone on record, its rate limits, and the resident session
``overview/``  the resident's years, payments, care and what is left of the year, assistance,
               filings and household
``proofs/``    参保证明: the printable page, its PDF and the public check of its QR code
``filings/``   异地就医备案 filed and cancelled online by the resident (temporary kinds only)

``session.py`` is the one place that knows how a resident is signed in; every page of the app
reads the resident through it.
"""
