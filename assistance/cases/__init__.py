"""Applications for assistance (依申请救助): recorded at a station, reviewed by the township,
decided by the county, publicised and paid, each step by someone other than the one before, with
attachments kept outside every public directory."""
