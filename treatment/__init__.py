"""Services the notices moved down to the township station for people's treatment (医保发〔2022〕20号:
异地就医备案、零星（手工）报销初审 下放乡镇（街道）): cross-region treatment filings (filings/),
manual reimbursement claims with township pre-review and county review (claims/), and the
recognition of outpatient chronic and special diseases (chronic/). It prices care with the
benefit engine (benefits.rules) and reads the year's settlements (assistance)."""
