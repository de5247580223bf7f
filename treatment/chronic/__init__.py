"""门诊慢特病认定: a resident's application for recognition of a disease of the year's list
(benefits.ChronicDisease), decided by a county officer, and the recognised disease a chronic
visit is paid under."""
